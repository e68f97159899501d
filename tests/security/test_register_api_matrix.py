"""The register API's security matrix: every operation of ``people.api`` and ``cases.api`` x
every persona, generated from the routers so a new operation is covered the day it is added.

Oracle: ``jointcase.access`` itself (``person_decision`` and ``case_decision`` for seeing,
``case_team_manage_refusal`` for the team and exclusions). Each route is driven with GET, POST,
PATCH and DELETE, with bodies that are well formed but change nothing for anyone (a stale
version, an excluded user, a missing reason, an unknown agency, a member of another case):

- a persona who may not see the case or person: 404 exactly like a missing id, none of its
  text, a DENY audit entry;
- who sees the case but may not manage its team: 403 with a DENY entry on the team and
  exclusion writes and on the exclusion list;
- everyone else: the operation's own answer (200, 400, 409 for a stale version, 404 for
  another case's member), never a 5xx; and nothing any persona sent changed the register.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from jointcase.access.cases import case_team_manage_refusal
from jointcase.access.policy import case_decision, person_decision
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.cases import services as case_services
from jointcase.cases.api import router as cases_router
from jointcase.cases.models import Case, CaseExclusion, CaseRole, CaseTeamMember
from jointcase.people.api import router as people_router
from jointcase.people.models import Person
from tests.register_fixtures import CaseWorld
from tests.security.routes import Route, api_route_names, route_inventory

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]

NAMES = api_route_names(people_router) | api_route_names(cases_router)
ROUTES = [route for route in route_inventory() if route.name in NAMES]
PROTECTED = ["JC-900001", "HOLLOWAY", "Holloway", "X123456"]
#: Operations only those who may manage the case team may use (403 for the rest of the team).
MANAGED = ("/team", "/exclusions")


def test_the_matrix_covers_every_register_operation() -> None:
    assert {
        "api:person_new",
        "api:person_change",
        "api:case_new",
        "api:case_change",
        "api:team_add",
        "api:team_end",
        "api:exclusion_list",
        "api:exclusion_new",
        "api:exclusion_lift",
    } <= NAMES
    templates = {route.template for route in ROUTES}
    assert {
        "api/v1/cases/<case_id>/team/<member_id>",
        "api/v1/cases/<case_id>/exclusions/<exclusion_id>/lift",
    } <= templates


def _client(user: User) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _denies(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


def _state() -> tuple[Any, ...]:
    return (
        Person.objects.count(),
        sorted(Person.objects.values_list("pk", "version")),
        sorted(Case.objects.values_list("pk", "version")),
        sorted(CaseTeamMember.objects.values_list("pk", "end")),
        sorted(CaseExclusion.objects.values_list("pk", flat=True)),
    )


def _body(route: Route, method: str, world: CaseWorld) -> dict[str, Any]:
    """A well-formed body that changes nothing, whoever sends it."""
    template = route.template
    if method == "patch":
        return {"version": 999}  # stale: nothing saved
    if template.endswith("/team"):
        return {"role": "POM", "user": world.personas.excluded_officer.username}
    if template.endswith("/exclusions"):  # already excluded
        return {"user": world.personas.excluded_officer.username, "reason": "matrix"}
    if template.endswith("/lift"):
        return {"reason": " "}
    if template.endswith("/cases"):
        return {
            "person": str(world.person.public_id),
            "actor_role": "POM",
            "cohort": "TACT",
            "ideology": "OTHER",
            "lead_agency": "nowhere",
        }
    return {"family_name": " "}  # persons: a blank family name


def _visible(route: Route, user: User, world: CaseWorld, method: str) -> bool:
    names = {name for _kind, name in route.parameters}
    if "case_id" in names:
        return case_decision(user, world.case).allowed
    if "person_id" in names or (route.template.endswith("/cases") and method == "post"):
        return person_decision(user, world.person).allowed
    return True


def _managed(route: Route, method: str) -> bool:
    template = route.template.replace("/<member_id>", "").replace("/<exclusion_id>/lift", "")
    return template.endswith(MANAGED) and (method != "get" or "exclusions" in template)


def test_every_persona_on_every_register_operation(case_world: CaseWorld) -> None:
    """One world for every operation (the matrix is generated from the routers all the same),
    so that the matrix stays cheap as operations are added."""
    personas = case_world.personas
    # A member of another case: the team operation never reaches it through this case.
    other = case_services.case_open(
        actor=personas.nsd_practitioner,
        person=case_world.person,
        cohort="TACT",
        ideology="OTHER",
        lead_agency=personas.nsd_practitioner.agency,
        actor_role=CaseRole.LEAD_NSD_PRACTITIONER,
    )
    values = {
        "case_id": str(case_world.case.public_id),
        "person_id": str(case_world.person.public_id),
        "member_id": str(other.team_members.get().pk),
        "exclusion_id": str(case_world.exclusion.pk),
    }
    clients = {persona: _client(user) for persona, user in personas.all().items()}
    before = _state()
    for route in ROUTES:
        _drive(route, case_world, values, clients)
    assert _state() == before


def _drive(
    route: Route, case_world: CaseWorld, values: dict[str, str], clients: dict[str, Client]
) -> None:
    names = [name for _kind, name in route.parameters]
    url = route.path({name: values[name] for name in names})
    missing = route.path({name: str(uuid.uuid4()) for name in names}) if names else None
    for persona, user in case_world.personas.all().items():
        client = clients[persona]
        for method in ("get", "post", "patch", "delete"):
            body = json.dumps(_body(route, method, case_world))
            denies = _denies(user)
            response = client.generic(method.upper(), url, body, content_type="application/json")
            status = response.status_code
            where = f"{persona} {method.upper()} {url} -> {status}"
            assert status < 500, where
            if status == 405:
                continue
            text = response.content.decode("utf-8", errors="replace")
            if not _visible(route, user, case_world, method):
                assert status == 404, where
                assert not any(word in text for word in PROTECTED), where
                assert _denies(user) > denies, f"{where}: no DENY audit entry"
                if missing:
                    again = client.generic(
                        method.upper(), missing, body, content_type="application/json"
                    )
                    assert again.status_code == 404, where
                continue
            if _managed(route, method) and case_team_manage_refusal(user, case_world.case):
                assert status == 403, where
                assert _denies(user) > denies, f"{where}: no DENY audit entry"
                continue
            if method == "get":
                assert status == 200, where
            elif "<member_id>" in route.template:
                assert status == 404, where  # another case's member
            elif method == "patch":
                assert status == 409, where  # the stale version: nothing saved
            else:
                assert status == 400, where
