"""Case and person services refuse with the one refusal every app uses
(``jointcase.access.acting``: ``Refusal`` and ``NotPermitted``), decided in
``jointcase.access.cases``; the case services are one module per use case, and the case and
person pages call them directly, never by name."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

from jointcase.access.acting import NotPermitted, Refusal
from jointcase.access.cases import case_team_manage_refusal, case_write_refusal
from jointcase.access.roles import CASE_MANAGER_ROLES
from jointcase.cases import services
from jointcase.cases.models import CaseRole
from tests.register_fixtures import CaseWorld

pytestmark = pytest.mark.django_db


def test_a_refused_team_change_raises_not_permitted_with_its_refusal(
    case_world: CaseWorld,
) -> None:
    p = case_world.personas
    with pytest.raises(NotPermitted) as refused:
        services.team_member_add(
            actor=p.ctnm_officer, case=case_world.case, role=CaseRole.POM, user=p.nsd_lead
        )
    assert refused.value.refusal == Refusal(
        reason="not_team_manager", message="You cannot do this on this case", hidden=False
    )


def test_a_refusal_for_someone_who_may_not_see_the_case_is_hidden(case_world: CaseWorld) -> None:
    outsider = case_world.personas.officer_not_on_case
    refusal = case_write_refusal(outsider, case_world.case)
    assert refusal is not None
    assert (refusal.reason, refusal.hidden) == ("not_on_case", True)
    assert case_team_manage_refusal(case_world.personas.nsd_practitioner, case_world.case) is None
    assert CaseRole.LEAD_NSD_PRACTITIONER in CASE_MANAGER_ROLES


def test_each_case_service_lives_in_the_module_of_its_use_case() -> None:
    expected = {
        "case_open": "case",
        "case_close": "case",
        "placement_add": "custody",
        "sentence_add": "sentence",
        "licence_add": "licence",
        "recall_record": "recall",
        "team_member_add": "team",
        "grant_create": "team",
        "phase_reevaluate": "phases",
    }
    for name, module in expected.items():
        function = getattr(services, name)
        assert inspect.unwrap(function).__module__ == f"jointcase.cases.services.{module}"


@pytest.mark.parametrize("module", ["jointcase.cases.views", "jointcase.people.views"])
def test_pages_call_services_directly_never_by_name(module: str) -> None:
    tree = ast.parse(inspect.getsource(importlib.import_module(module)))
    by_name = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == "services"
    ]
    assert by_name == []
