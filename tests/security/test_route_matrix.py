"""The route walk: every URL pattern, requested by everyone, never fails open.

Generated at collection time from the URL resolver (``routes.route_inventory``): one test per
route, so a route added tomorrow is in tomorrow's run. Each route is requested (GET and an
empty POST) with an id that exists and one that does not, by

- an anonymous visitor: anything but the public pages sends them to sign-in, the API says 401;
- a password-only session (second factor not yet given): never reaches content, only the
  second-factor step;
- every persona with a verified second factor: never a 5xx; the admin area and agency
  administration never answer 200 to someone not entitled; the API never accepts a session.

Object-specific rules (who may see which case, item or minutes) belong to the feature suites'
own matrices; this one is deliberately generic.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.apps import apps
from django.http.response import HttpResponseBase
from django.test import Client
from django.utils import timezone

from jointcase.accounts.models import Role, User
from jointcase.agencies.models import Team, VettingLevel
from tests.conftest import Personas
from tests.factories import TeamMembershipFactory, UserFactory
from tests.security.routes import Route, route_inventory, sample_paths

#: Pages anyone may open (sign-in, its recovery, health, the accessibility statement, and the
#: WebAuthn sign-in ceremony). Adding a route here is a security decision: review it.
PUBLIC_ROUTES = {
    "accounts:sign-in",
    "accounts:recovery",
    "accounts:enrol",  # the single-use enrolment link: the link itself is the credential
    "home:health",
    "home:accessibility",
    "home:privacy",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
#: Reachable with a password but no second factor yet: finishing sign-in, or leaving.
PASSWORD_ONLY_ROUTES = {"accounts:second-factor", "accounts:totp-setup", "accounts:sign-out"}
#: The API's description of itself is public; every operation needs a token.
API_PUBLIC_ROUTES = {"api:openapi-json", "api:openapi-view"}
#: Namespaces whose pages only some roles may open (200 for no one else).
ENTITLED_ROLES = {
    "admin": {Role.SYSTEM_ADMIN},
    "agencies": {Role.AGENCY_ADMIN},
    "audit": {Role.AUDITOR},
}
#: Routes inside those namespaces that every signed-in user may open.
OPEN_IN_NAMESPACE = {"audit:purpose"}

#: Personas who differ from ctnm_officer only by their relationship to a case: the generic
#: matrix has no case, so the feature suites' object matrices exercise them instead.
CASE_RELATIONSHIP_PERSONAS = {"officer_not_on_case", "excluded_officer"}
#: Who requests the id that exists nowhere (a missing object must be a 404, never a 5xx):
#: one persona per kind of gate (case work, agency administration, audit, the admin site,
#: a partner), besides the anonymous and password-only visitors. Keeps the matrix fast.
MISSING_ID_REQUESTERS = {
    "anonymous",
    "password-only",
    "nsd_practitioner",
    "agency_admin",
    "auditor",
    "system_admin",
    "partner_liaison",
}

#: Findings this matrix has made that another area must fix; strict, so a fix turns them red
#: and the entry must go. Never add a route here to silence a new failure.
KNOWN_FINDINGS: dict[str, str] = {}

ROUTES = route_inventory()

#: ``make test`` runs the walk in its SQLite run only (README: what runs once).
pytestmark = pytest.mark.route_walk


@pytest.fixture
def matrix_target(personas: Personas) -> User:
    """A bystander in NSD North whose ids the matrix uses, so that requests which change
    something (disable, reset a second factor, revoke a token) never change a persona."""
    from jointcase.accounts.tokens import api_token_create

    target = UserFactory(
        username="matrix.target",
        agency=personas.nsd_practitioner.agency,
        roles=[Role.NSD_PRACTITIONER],
        vetting=VettingLevel.BPSS,
    )
    team = Team.objects.filter(agency=target.agency).order_by("pk").first()
    TeamMembershipFactory(team=team, user=target)
    api_token_create(actor=target, user=target, name="Matrix token", days=30)
    return target


def _existing_id_finder(target: User) -> Callable[[str], str]:
    """An id of a real object for a parameter name (``team_id`` -> a Team's pk): the
    target's own where the model belongs to a user, else the first one; the target's id
    when nothing matches. A model named in URLs by an opaque identifier (``public_id``:
    cases, persons) gives that identifier, as its URLs do."""
    models = {model._meta.model_name: model for model in apps.get_models()}

    def existing_id(parameter: str) -> str:
        stem = parameter.removesuffix("_id").replace("_", "").lower()
        candidates = [models[stem]] if stem in models else []
        candidates += [m for name, m in models.items() if name.endswith(stem) and name != stem]
        for model in candidates:
            if model is User:
                return str(target.pk)
            rows = model._default_manager.order_by("pk")
            if any(f.name == "user" and f.is_relation for f in model._meta.get_fields()):
                rows = rows.filter(user=target) or rows
            named_by = (
                "public_id"
                if any(f.name == "public_id" for f in model._meta.get_fields())
                else "pk"
            )
            pk = rows.values_list(named_by, flat=True).first()
            if pk is not None:
                return str(pk)
        return str(target.pk)

    return existing_id


def _password_only(user: User) -> Client:
    """A session that has passed the password step but not the second factor."""
    client = Client()
    client.force_login(user, backend="jointcase.accounts.backends.UserBackend")
    session = client.session
    now = int(timezone.now().timestamp())
    session["jc_epoch"] = User.objects.get(pk=user.pk).session_epoch
    session["jc_started"] = now
    session["jc_seen"] = now
    session.save()
    return client


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_POST_FORM = re.compile(r"<form\b[^>]*method=.post.*?</form>", re.IGNORECASE | re.DOTALL)
_INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _request(client: Client, method: str, path: str) -> tuple[int, str]:
    response = client.get(path) if method == "GET" else client.post(path, {})
    _check_security_headers(response, f"{method} {path}")
    return response.status_code, response.get("Location", "")


def _check_security_headers(response: HttpResponseBase, where: str) -> None:
    """Every response: strict CSP, no framing, no sniffing, no referrer leaks, no caching;
    every script in an HTML page carries the response's nonce or comes from a file."""
    policy = response.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, f"{where}: CSP {policy!r}"
    assert "unsafe-inline" not in policy, f"{where}: CSP {policy!r}"
    assert "unsafe-eval" not in policy, f"{where}: CSP {policy!r}"
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") in {"same-origin", "no-referrer", "strict-origin"}
    assert "no-store" in response.get("Cache-Control", ""), where
    if response.get("Content-Type", "").startswith("text/html") and hasattr(response, "content"):
        body = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", policy)
        for attributes in _SCRIPT_TAG.findall(body):
            if "src=" in attributes or re.search(r"type=.application/(ld\+)?json", attributes):
                continue  # a file (script-src 'self') or a data block, which never runs
            problem = f"{where}: inline <script{attributes}> without the response's nonce"
            assert nonce, problem
            assert f'nonce="{nonce.group(1)}"' in attributes, problem
        assert not _INLINE_HANDLER.search(body), f"{where}: inline event handler"
        for form in _POST_FORM.findall(body):
            assert "csrfmiddlewaretoken" in form, f"{where}: a POST form without the CSRF token"


def _check_api(route: Route, who: str, method: str, path: str, status: int) -> None:
    if route.name in API_PUBLIC_ROUTES:
        assert status < 500, f"{who} {method} {path}: {status}"
        return
    allowed = {401, 405} | ({404} if route.name == "api:api-root" else set())
    assert status in allowed, f"{who} {method} {path}: {status}, expected 401 (no token)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [
        pytest.param(
            route,
            id=route.template or "/",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FINDINGS[route.name])]
            if route.name in KNOWN_FINDINGS
            else [],
        )
        for route in ROUTES
    ],
)
def test_route_never_fails_open(
    route: Route,
    personas: Personas,
    matrix_target: User,
    client_for: Callable[[User], Client],
) -> None:
    paths = sample_paths(route, _existing_id_finder(matrix_target))
    requesters: list[tuple[str, Callable[[], Client], set[str]]] = [
        ("anonymous", Client, set()),
        ("password-only", lambda: _password_only(personas.nsd_practitioner), set()),
    ]
    for name, user in personas.all().items():
        if name in CASE_RELATIONSHIP_PERSONAS:
            continue
        roles = set(user.role_assignments.values_list("role", flat=True))
        requesters.append((name, lambda user=user: client_for(user), roles))

    for index, path in enumerate(paths):
        for who, make_client, roles in requesters:
            if index > 0 and who not in MISSING_ID_REQUESTERS:
                continue
            client = make_client()  # GET first, then POST (which may sign the client out)
            for method in ("GET", "POST"):
                status, location = _request(client, method, path)
                where = f"{who} {method} {path}"
                assert status < 500, f"{where}: {status}"
                if route.is_api:
                    _check_api(route, who, method, path, status)
                elif who == "anonymous" and route.name not in PUBLIC_ROUTES:
                    expected = f"{where}: {status} {location}, expected the sign-in page"
                    assert status == 302, expected
                    assert location.startswith("/sign-in/"), expected
                elif who == "password-only" and route.name not in (
                    PUBLIC_ROUTES | PASSWORD_ONLY_ROUTES
                ):
                    expected = f"{where}: {status} {location}, expected the second factor"
                    assert status == 302, expected
                    assert location.startswith("/second-factor/"), expected
                elif (
                    route.namespace in ENTITLED_ROLES
                    and route.name not in OPEN_IN_NAMESPACE
                    and not (roles & ENTITLED_ROLES[route.namespace])
                ):
                    assert status != 200, f"{where}: 200 for a persona not entitled"


def test_the_inventory_covers_the_api_the_admin_and_every_app() -> None:
    names = {route.name for route in ROUTES}
    assert {"accounts:sign-in", "home:home", "admin:index", "api:openapi-json"} <= names
    assert any(route.parameters for route in ROUTES)
    assert all(route.template.count("<") == 0 or route.parameters for route in ROUTES)
