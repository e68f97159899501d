"""Who is a senior of their agency has one rule in two forms: ``is_senior`` for one user and
``senior_filter`` for a queryset of users. They agree for every persona, including a senior who
has been disabled."""

from __future__ import annotations

import pytest

from jointcase.access.material_acts import is_senior
from jointcase.access.roles import senior_filter
from jointcase.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_senior_filter_agrees_with_is_senior_for_every_persona(personas):
    personas.ct_supervisor.is_active = False
    personas.ct_supervisor.save(update_fields=["is_active"])
    users = list(User.objects.filter(pk__in=[u.pk for u in personas.all().values()]))
    filtered = set(User.objects.filter(senior_filter()).values_list("pk", flat=True))
    assert {u.pk for u in users if is_senior(u)} == filtered
    assert {u.username for u in users if u.pk in filtered} == {"nsd.lead", "prison.ctlead"}
