"""A ``CaseContext`` (the case's side of the label rule, read once by a page that opens the
case) scopes a filter on its own case only."""

from __future__ import annotations

import pytest

from jointcase.access.material import case_context_for, label_filter
from jointcase.risk.models.assessments import Assessment
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def test_a_case_context_scopes_a_filter_on_its_own_case_only(case_world: CaseWorld) -> None:
    user = case_world.personas.nsd_practitioner
    case_id = case_world.case.pk
    context = case_context_for(user, case_id)
    assert context.case_id == case_id
    label_filter(user, model=Assessment, case=case_id, context=context)
    with pytest.raises(ValueError, match="its own case only"):
        label_filter(user, model=Assessment, case=case_id + 1, context=context)
