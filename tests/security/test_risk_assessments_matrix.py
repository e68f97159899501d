"""The assessments security matrix: every assessment route (the risk tab, the assessment pages
and the assessments API operations) x every persona, generated from the URL resolver so a new
assessment route is covered the day it is added.

Oracle: ``jointcase.access`` itself (``assessment_decision`` for assessment ids, the case rule
for case ids). Denied: 404 exactly like a missing id, none of the protected text, a DENY
audit entry, never a 5xx. Allowed: never a 5xx or a 404 on GET; whoever sees an assessment
but may not change it gets 403 on its forms. Empty and hostile POSTs change nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from jointcase.access.assessments import assessment_decision, assessment_edit_refusal
from jointcase.access.policy import case_decision
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.risk.models.assessments import Assessment
from tests.risk.conftest import SECRET_NOTE, AssessmentWorld, assessment_world, keyring  # noqa: F401
from tests.security.routes import Route, api_route_names, route_inventory

pytestmark = [pytest.mark.django_db, pytest.mark.feature_matrix]


def _api_names() -> set[str]:
    from jointcase.risk.api.assessments import router

    return api_route_names(router)


ROUTES = [
    route
    for route in route_inventory()
    if (
        route.namespace == "risk" and ("assessment" in route.name or route.name == "risk:case-risk")
    )
    or route.name in _api_names()
]
PROTECTED = [SECRET_NOTE, "Offence pattern shows planning", "Synthetic evidence"]
EDIT_PAGES = {"risk:assessment-edit", "risk:assessment-section"}


def test_the_matrix_covers_every_assessment_route() -> None:
    names = {route.name for route in ROUTES}
    assert {
        "risk:case-risk",
        "risk:assessment",
        "risk:assessment-new",
        "risk:assessment-edit",
        "risk:assessment-section",
        "risk:assessment-complete",
        "risk:assessment-countersign",
        "risk:assessment-return",
        "api:assessment_list",
        "api:assessment_get",
        "api:assessment_complete_op",
    } <= names  # POST /cases/{id}/assessments shares assessment_list's URL: both methods run


def _allowed(route: Route, user: User, world: AssessmentWorld) -> bool:
    names = {name for _kind, name in route.parameters}
    if "assessment_id" in names:
        return assessment_decision(user, world.draft).allowed
    return case_decision(user, world.world.case).allowed


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.name}:{r.template}" for r in ROUTES])
def test_every_persona_on_every_assessment_route(
    route: Route,
    assessment_world: AssessmentWorld,  # noqa: F811
    client_for: Callable[[User], Client],
) -> None:
    people = assessment_world.world.personas
    values = {
        "assessment_id": str(assessment_world.draft.public_id),
        "case_id": str(assessment_world.world.case.public_id),
        "section_code": "RELATIONSHIPS",
    }
    names = [name for _kind, name in route.parameters]
    url = route.path({name: values[name] for name in names})
    missing_url = route.path(
        {name: str(uuid.uuid4()) if name.endswith("_id") else values[name] for name in names}
    )
    before_rows = Assessment.objects.count()
    for persona, user in people.all().items():
        if route.is_api:
            _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
            client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        else:
            client = client_for(user)
        allowed = _allowed(route, user, assessment_world)
        for method in ("get", "post"):
            before = _deny_count(user)
            if route.is_api and method == "post":
                response = client.post(
                    url, json.dumps({"assessor": "x", "x": 1}), content_type="application/json"
                )
            else:
                response = getattr(client, method)(url)
            status = response.status_code
            where = f"{persona} {method.upper()} {url} -> {status}"
            assert status < 500, where
            if status == 405:
                continue
            body = response.content.decode("utf-8", errors="replace")
            # The header names the reader, whose synthetic surname may be the person's too.
            body = body.replace(user.get_full_name(), "")
            if route.is_api and method == "post":
                # the hostile body (unknown fields) is refused, or ignored by an operation
                # without one (then the assessor's draft is still incomplete: 400; 403 for
                # whoever sees it but is not its assessor)
                assert status in ((400, 403) if allowed else (400, 404)), where
                assert not any(text in body for text in PROTECTED), where
                continue
            if not allowed:
                assert status == 404, where
                assert not any(text in body for text in PROTECTED), where
                assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                assert getattr(client, method)(missing_url).status_code == 404, where
                continue
            if method == "get":
                assert status != 404, where
                if route.name in EDIT_PAGES and assessment_edit_refusal(
                    user, assessment_world.draft
                ):
                    assert status == 403, where
            if SECRET_NOTE in body:
                assert user.pk != people.pom.pk, f"{where}: the BPSS POM read the SECRET section"
    assert Assessment.objects.count() == before_rows
