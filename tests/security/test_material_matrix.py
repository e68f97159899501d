"""The material security matrix: SECURITY-TESTS classes 1-9 over every material route and
every persona, generated from the URL resolver (namespace ``material``) and the API
operations with ``material`` in their path, so a new material route is covered the day it is
added.

Every route is requested by every persona (GET, and an empty or hostile POST) with the ids of a
SECRET UK EYES ONLY police report (with a file and an approved OFFICIAL-SENSITIVE tearline) and
of that tearline. The oracle is ``jointcase.access.material`` itself:

- denied (classes 1, 5, 6): 404 exactly like a missing id, zero bytes of protected content,
  a DENY audit entry with a reason, never a 5xx;
- allowed: never a 5xx, never a 403 or 404 on GET;
- view versus edit (3) and originator control (7): a reader who sees the object but may not
  use the form (relabel an ORCON item, write or approve a tearline, destroy, decide a share
  request) gets 403 on GET and POST (page and API), with a DENY audit entry, and nothing
  changes; the oracle for that is the services' ``*_refusal`` functions;
- acts under break-glass (3): a persona whose only access is break-glass (of the originating
  force, so no other rule stands in the way) gets 403 or 404 on every route that writes, page
  (GET and POST) and API, with a DENY audit entry, and nothing changes;
- mass assignment (8): an ``originator`` or other extra field is refused by the API (400) and
  ignored by the pages (the originator is always the author's agency);
- counts (9): lists and API counts equal what the filter allows; a forbidden 404 is byte for
  byte the missing 404 (after the per-response nonce and token).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jointcase.access import material_acts
from jointcase.access.acting import Refusal
from jointcase.access.material import material_case_access, material_decision, material_visible_to
from jointcase.accounts.models import User
from jointcase.accounts.tokens import api_token_create
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.material import selectors
from jointcase.material.models import MaterialFile, MaterialGrant, MaterialItem, ShareRequest
from jointcase.material.services import breakglass as breakglass_services
from jointcase.material.services import sharing as sharing_services
from tests.material import samples
from tests.material.conftest import case_world, keyring, material_world  # noqa: F401 - fixtures
from tests.material.item_helpers import SECRET_BODY, TEARLINE_BODY, approved_tearline, secret_report
from tests.security.routes import Route, route_inventory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.feature_matrix,
    pytest.mark.usefixtures("keyring"),
]

SECRET_TITLE = "Police intelligence report"
MISSING_UUID = "00000000-0000-4000-8000-000000000000"
ROUTES = [
    route
    for route in route_inventory()
    if route.namespace == "material" or (route.is_api and "material" in route.template)
]
#: Routes whose object is a material item (or its file): decided by material_decision.
ITEM_PARAMETERS = {"item_id", "file_id"}
#: Routes any signed-in user may open (their content is scoped, never 404).
OPEN_ROUTES = {
    "material:inbox",
    "material:my-requests",
    "material:breakglass-open",
    "material:breakglass-start",
}


def test_the_matrix_covers_every_material_route() -> None:
    names = {route.name for route in ROUTES}
    assert {
        "material:case-material",
        "material:item",
        "material:download",
        "material:export",
        "material:note-add",
        "material:tearline-approve",
        "material:request-access",
    } <= names
    assert sum(route.is_api for route in ROUTES) >= 4


@dataclass
class MatrixWorld:
    world: object
    parent: MaterialItem
    tearline: MaterialItem
    file: MaterialFile
    share: ShareRequest
    glass_id: int
    grant: MaterialGrant


@pytest.fixture
def matrix_world(material_world) -> MatrixWorld:  # noqa: F811
    personas = material_world.personas
    parent = secret_report(material_world, files=[SimpleUploadedFile("plan.pdf", samples.pdf())])
    tearline = approved_tearline(material_world, parent)
    # The BPSS POM's vetting does not reach the report: she asks for a tearline at her level.
    share = sharing_services.share_request_create(
        actor=personas.pom, item=parent, kind="TEARLINE", reason="Sentence planning"
    )
    outsider = personas.officer_not_on_case
    glass = breakglass_services.breakglass_open(
        actor=outsider, case=material_world.case, reason="Overnight threat (synthetic)"
    )
    from jointcase.material.models import BreakGlass

    BreakGlass.objects.filter(pk=glass.pk).update(expires_at=glass.starts_at)  # over already
    # A live grant on the report (as an approved request makes) for a cleared officer of
    # another force: the originator may revoke it, the grantee knows of it (403).
    grant = MaterialGrant.objects.create(
        item=parent,
        user=outsider,
        starts_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=30),
        granted_by=personas.ct_supervisor,
    )
    return MatrixWorld(material_world, parent, tearline, parent.files.get(), share, glass.pk, grant)


def _normalise(content: bytes) -> str:
    text = content.decode("utf-8", errors="replace")
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return re.sub(r'value="[A-Za-z0-9]{64}"', 'value=""', text)


def _values(route: Route, mw: MatrixWorld, target: MaterialItem) -> dict[str, str]:
    values = {}
    for _kind, name in route.parameters:
        values[name] = {
            "item_id": str(target.pk),
            "file_id": str(mw.file.pk),
            "case_id": str(mw.world.case.public_id),
            "request_id": str(mw.share.pk),
            "break_glass_id": str(mw.glass_id),
            "grant_id": str(mw.grant.pk),
        }[name]
    return values


def _missing(route: Route, values: dict[str, str]) -> dict[str, str]:
    return {name: (MISSING_UUID if name in ITEM_PARAMETERS else "987654321") for name in values}


#: Item routes that edit: who may see the item but not use the route gets a 403. Pages by URL
#: name, API operations by the end of their path.
EDIT_CHECKS: dict[str, Callable[[User, MaterialItem], Refusal | None]] = {
    "material:label-change": material_acts.relabel_refusal,
    "material:tearline-add": material_acts.tearline_refusal,
    "material:tearline-approve": material_acts.approve_refusal,
    "material:destroy": material_acts.destroy_refusal,
    "api:tearlines": material_acts.tearline_refusal,
    "api:label": material_acts.relabel_refusal,
    "material:retention": material_acts.retention_refusal,
    "api:retention": material_acts.retention_refusal,
    "api:files": material_acts.file_refusal,
    "material:onward-share": material_acts.share_refusal,
    "material:request-access": material_acts.share_refusal,
    "api:requests": material_acts.share_refusal,
    "api:approval": material_acts.approve_refusal,
}
ALLOW, FORBID, DENY = "allow", "forbid (403)", "deny (404)"


def _edit_check(route: Route) -> Callable[[User, MaterialItem], Refusal | None] | None:
    if route.is_api:
        return EDIT_CHECKS.get("api:" + route.template.rstrip("/").rsplit("/", 1)[-1])
    return EDIT_CHECKS.get(route.name)


def _expected(route: Route, user: User, mw: MatrixWorld, target: MaterialItem) -> str:
    """The oracle: what ``user`` gets on this route for these ids (access decides whether
    they may see it, the services' refusal functions whether they may edit it)."""
    visible = _allowed(route, user, mw, target)
    if not visible:
        return DENY
    names = {name for _kind, name in route.parameters}
    check = _edit_check(route)
    if check is not None and "item_id" in names and check(user, target) is not None:
        return FORBID
    if "grant_id" in names:
        grant = MaterialGrant.objects.select_related("item__originator").get(pk=mw.grant.pk)
        if material_acts.grant_revoke_refusal(user, grant) is not None:
            return FORBID
    if "request_id" in names:
        share = ShareRequest.objects.select_related("item__originator").get(pk=mw.share.pk)
        if material_acts.decide_refusal(user, share) is not None:
            return FORBID
    return ALLOW


def _allowed(route: Route, user: User, mw: MatrixWorld, target: MaterialItem) -> bool:
    """May ``user`` know the object behind this route for these ids (access decides)."""
    names = {name for _kind, name in route.parameters}
    short = route.name.split(":")[-1]
    if route.name in OPEN_ROUTES:
        return True
    if short == "request-access":
        return sharing_services.fuller_version_requestable(user, target)
    if route.is_api and route.template.endswith("/requests"):  # asking: seen, or requestable
        return material_decision(user, target).allowed or (
            sharing_services.fuller_version_requestable(user, target)
        )
    if "file_id" in names:
        return material_decision(user, mw.parent).allowed
    if "item_id" in names:
        return material_decision(user, target).allowed
    if "request_id" in names:
        return selectors.share_request_get_for(user=user, request_id=mw.share.pk) is not None
    if "grant_id" in names:
        return selectors.grant_get_for(user=user, grant_id=mw.grant.pk) is not None
    if route.name.startswith("material:breakglass"):
        from jointcase.material.selectors import breakglass_queue

        if not material_acts.is_senior(user):
            return False
        return (
            "break_glass_id" not in names
            or breakglass_queue(user=user).filter(pk=mw.glass_id).exists()
        )
    if "case_id" in names:
        return material_case_access(user, mw.world.case).allowed
    return True


def _valid_payload(route: Route, target: MaterialItem) -> dict[str, object]:
    """A well-formed body for each API write (so the access check, not validation, answers)."""
    if route.template.endswith("tearlines"):
        return {"title": "Matrix tearline", "body": "b", "classification": "OFFICIAL"}
    if route.template.endswith("label"):  # unchanged label: refused, never stored
        return {
            "classification": target.classification,
            "caveats": target.caveat_codes(),
            "orcon": target.orcon,
            "reason": "matrix",
            "version": target.version,
        }
    if route.template.endswith("retention"):  # unchanged date: refused, never stored
        return {"retain_until": target.retain_until.isoformat(), "reason": "matrix"}
    if route.template.endswith("approval"):  # a refusal without a reason: never stored
        return {"approve": False, "reason": ""}
    if route.template.endswith("/requests"):  # a tearline request: one per asker at most
        return {"kind": "TEARLINE", "reason": "matrix"}
    if route.template.endswith("decision"):  # approving a tearline request: refused (400)
        return {"approve": True, "reason": "matrix"}
    return {"kind": "NOTE", "title": "Matrix note", "classification": "OFFICIAL", "body": "b"}


def _deny_count(user: User) -> int:
    return AuditEntry.objects.filter(actor_id=user.pk, outcome=Outcome.DENY).count()


def _clients(
    mw: MatrixWorld, client_for: Callable[[User], Client]
) -> dict[str, tuple[User, Client]]:
    result = {}
    for name, user in mw.world.personas.all().items():
        if route_is_api:
            _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
            result[name] = (user, Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}"))
        else:
            result[name] = (user, client_for(user))
    return result


route_is_api = False


CASES = [
    pytest.param(route, target, id=f"{route.name}:{route.template}:{target}")
    for route in ROUTES
    for target in ("secret", "tearline")
    if target == "secret" or "item_id" in {name for _kind, name in route.parameters}
]


@pytest.mark.parametrize(("route", "target_name"), CASES)
def test_every_persona_on_every_material_route(
    route: Route, target_name: str, matrix_world, client_for
) -> None:
    global route_is_api
    mw = matrix_world
    names = {name for _kind, name in route.parameters}
    target = mw.parent if target_name == "secret" else mw.tearline
    route_is_api = route.is_api
    values = _values(route, mw, target)
    url = route.path(values)
    missing_url = route.path(_missing(route, values)) if values else None
    protected = [SECRET_BODY, SECRET_TITLE] if target_name == "secret" else [TEARLINE_BODY]
    methods = ["get", "post"]
    compared_missing = False
    for persona, (user, client) in _clients(mw, client_for).items():
        user = User.objects.get(pk=user.pk)
        expected = _expected(route, user, mw, target)
        allowed = expected != DENY
        if route.is_api:
            hostile = client.post(
                url, json.dumps({"originator": "partner"}), content_type="application/json"
            )
            assert hostile.status_code in (400, 404, 405), f"{persona} hostile POST {url}"
        for method in list(methods):
            before = _deny_count(user)
            response = _request(client, method, route, url, target)
            status = response.status_code
            where = f"{persona} {method.upper()} {url} -> {status}"
            assert status < 500, where
            if response.status_code == 405:
                methods.remove(method)  # the route does not take it: the same for everyone
                continue
            if expected == FORBID:
                assert status == 403, f"{where}: expected {expected}"
                assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                continue
            if not allowed:
                assert status == 404, where
                body = response.content.decode("utf-8", errors="replace")
                for text in protected:
                    assert text not in body, where
                assert _deny_count(user) > before, f"{where}: no DENY audit entry"
                if missing_url and method == "get" and not route.is_api and not compared_missing:
                    compared_missing = True
                    missing = client.get(missing_url)
                    assert missing.status_code == 404, where
                    assert _normalise(missing.content) == _normalise(response.content), where
            elif method == "get":
                assert status not in (403, 404), where
                if route.is_api and status == 200 and "item_id" in names:
                    assert response.json().get("body") == (
                        SECRET_BODY if target_name == "secret" else TEARLINE_BODY
                    )
    _nothing_changed(mw)


def _request(client: Client, method: str, route: Route, url: str, target: MaterialItem) -> Any:
    """One request as a persona: a GET, or a POST with a valid body (a PNG for file uploads,
    as multipart like the API takes it), so that only the rule can refuse it."""
    if method == "post" and route.is_api and route.template.endswith("files"):
        upload = SimpleUploadedFile("matrix.png", samples.png())
        return client.post(url, {"file": upload})
    if method == "post" and route.is_api:
        payload = _valid_payload(route, target)
        return client.post(url, json.dumps(payload), content_type="application/json")
    return getattr(client, method)(url)


def _nothing_changed(mw: Any) -> None:
    """Nothing any persona did changed the items (empty and hostile POSTs are refused)."""
    for item in (mw.parent, mw.tearline):
        fresh = MaterialItem.objects.get(pk=item.pk)
        assert (fresh.classification, fresh.version, fresh.originator_id) == (
            item.classification,
            item.version,
            item.originator_id,
        )
        assert fresh.destroyed_at is None
        assert fresh.retain_until == item.retain_until
    assert MaterialGrant.objects.get(pk=mw.grant.pk).expires_at == mw.grant.expires_at


def test_view_versus_edit_and_originator_control(matrix_world, client_for) -> None:
    """Class 3 and 7: the NSD practitioner sees the ORCON report but may not relabel,
    destroy, export, derive or approve: 403 on GET and POST of every such page and API
    operation, each with a DENY audit entry carrying the reason; nothing changes."""
    mw = matrix_world
    personas = mw.world.personas
    item = secret_report(mw.world, orcon=True, title="ORCON report")
    reader_user = personas.nsd_practitioner
    reader = client_for(reader_user)
    assert reader.get(f"/material/{item.pk}/").status_code == 200
    attempts = {
        f"/material/{item.pk}/label/": (
            {"classification": "OFFICIAL", "reason": "r", "version": "1"},
            "orcon_not_originator",
        ),
        f"/material/{item.pk}/destroy/": ({"reason": "r"}, "not_originator"),
        f"/material/{item.pk}/tearlines/new/": (
            {"title": "t", "body": "b", "classification": "OFFICIAL"},
            "not_originator",
        ),
        f"/material/{item.pk}/approve/": ({"decision": "approve"}, "not_tearline"),
    }
    for url, (data, reason) in attempts.items():
        for method in ("get", "post"):
            before = AuditEntry.objects.filter(
                actor_id=reader_user.pk, outcome=Outcome.DENY, reason=reason
            ).count()
            response = reader.get(url) if method == "get" else reader.post(url, data)
            assert response.status_code == 403, f"{method} {url}"
            assert "You cannot do this" in response.content.decode(), url
            after = AuditEntry.objects.filter(
                actor_id=reader_user.pk, outcome=Outcome.DENY, reason=reason
            ).count()
            assert after == before + 1, f"{method} {url}: no DENY entry with {reason}"
    assert reader.get(f"/material/{item.pk}/export/").status_code == 403
    _token, plaintext = api_token_create(actor=None, user=reader_user, name="matrix", days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    tearline = api.post(
        f"/api/v1/material/{item.pk}/tearlines",
        json.dumps({"title": "t", "body": "b", "classification": "OFFICIAL"}),
        content_type="application/json",
    )
    assert tearline.status_code == 403
    assert "originator" in tearline.json()["detail"]
    label = api.post(
        f"/api/v1/material/{item.pk}/label",
        json.dumps(
            {
                "classification": "SECRET",
                "caveats": ["UK EYES ONLY"],
                "orcon": False,
                "reason": "r",
                "version": 1,
            }
        ),
        content_type="application/json",
    )
    assert label.status_code == 403
    fresh = MaterialItem.objects.get(pk=item.pk)
    assert (fresh.classification, fresh.version, fresh.destroyed_at, fresh.orcon) == (
        "SECRET",
        1,
        None,
        True,
    )
    assert not MaterialItem.objects.filter(parent=item).exists()
    assert {a.code for a in fresh.releasable_to.all()} == set()


def test_a_reader_who_may_raise_may_not_lower(matrix_world, client_for) -> None:
    """Class 3 on a label anyone with access may raise: lowering by a non-originator is a
    403 (page and API) with a DENY entry; the label form itself opens."""
    mw = matrix_world
    reader_user = mw.world.personas.nsd_practitioner
    reader = client_for(reader_user)
    url = f"/material/{mw.parent.pk}/label/"
    assert reader.get(url).status_code == 200
    lowered = reader.post(url, {"classification": "OFFICIAL", "reason": "lower", "version": "1"})
    assert lowered.status_code == 403
    assert "may lower this label" in lowered.content.decode()
    _token, plaintext = api_token_create(actor=None, user=reader_user, name="matrix", days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = api.post(
        f"/api/v1/material/{mw.parent.pk}/label",
        json.dumps({"classification": "OFFICIAL", "orcon": False, "reason": "r", "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert (
        AuditEntry.objects.filter(
            actor_id=reader_user.pk, outcome=Outcome.DENY, reason="lowering_not_originator"
        ).count()
        == 2
    )
    fresh = MaterialItem.objects.get(pk=mw.parent.pk)
    assert (fresh.classification, fresh.version) == ("SECRET", 1)


def test_the_requester_may_not_decide_their_own_share_request(matrix_world, client_for) -> None:
    """The POM knows their request (403 on the decision page); an officer of the item's
    agency who is not on the case does not know it (404); the originator decides."""
    mw = matrix_world
    personas = mw.world.personas
    url = f"/material/requests/{mw.share.pk}/"
    pom = client_for(personas.pom)
    for response in (pom.get(url), pom.post(url, {"decision": "approve", "reason": "mine"})):
        assert response.status_code == 403
        assert SECRET_TITLE not in response.content.decode()
    assert client_for(personas.officer_not_on_case).get(url).status_code == 404
    assert ShareRequest.objects.get(pk=mw.share.pk).status == "PENDING"
    assert client_for(personas.ctnm_officer).get(url).status_code == 200


def test_mass_assignment_is_refused_or_ignored(matrix_world, client_for) -> None:
    """Class 8: originator, author, version or status in extra fields change nothing."""
    mw = matrix_world
    officer = mw.world.personas.ctnm_officer
    page = client_for(officer)
    response = page.post(
        f"/cases/{mw.world.case.public_id}/material/new/",
        {
            "kind": "NOTE",
            "title": "Extra fields",
            "classification": "OFFICIAL",
            "body": "b",
            "originator": "partner",
            "author": "1",
            "tearline_status": "APPROVED",
            "version": "9",
        },
    )
    assert response.status_code == 302
    created = MaterialItem.objects.get(title="Extra fields")
    assert (created.originator.code, created.author_id, created.version) == (
        "ctu-north-east",
        officer.pk,
        1,
    )
    _token, plaintext = api_token_create(actor=None, user=officer, name="matrix", days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    for field, value in (("originator", "partner"), ("tearline_status", "APPROVED"), ("author", 1)):
        payload = {
            "kind": "NOTE",
            "title": "API extra",
            "classification": "OFFICIAL",
            "body": "b",
            field: value,
        }
        response = api.post(
            f"/api/v1/cases/{mw.world.case.public_id}/material",
            json.dumps(payload),
            content_type="application/json",
        )
        assert response.status_code == 400, field
    label = {
        "classification": "SECRET",
        "orcon": False,
        "reason": "r",
        "version": 1,
        "originator": "partner",
    }
    response = api.post(
        f"/api/v1/material/{mw.tearline.pk}/label",
        json.dumps(label),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not MaterialItem.objects.filter(title="API extra").exists()


def test_counts_never_reveal_what_the_reader_cannot_see(matrix_world, client_for) -> None:
    """Class 9: list counts equal the filter; no "hidden" hints."""
    mw = matrix_world
    for name, user in mw.world.personas.all().items():
        user = User.objects.get(pk=user.pk)
        _token, plaintext = api_token_create(actor=None, user=user, name="matrix", days=1)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        response = api.get(f"/api/v1/cases/{mw.world.case.public_id}/material")
        expected = material_visible_to(user).filter(case=mw.world.case).count()
        if material_case_access(user, mw.world.case).allowed:
            assert response.json()["count"] == expected, name
            page = (
                client_for(user).get(f"/cases/{mw.world.case.public_id}/material/").content.decode()
            )
            assert not re.search(r"\d+ (items?|results?) (are )?hidden", page.lower()), name
            assert "you cannot see" not in page.lower(), name
            assert page.count('href="/material/') - page.count("/request/") == expected, name
        else:
            assert response.status_code == 404, name


# --- Acts under break-glass (SECURITY-TESTS class 3) -----------------------------------------

#: Routes that open break-glass itself: how the access is obtained, not a write on material.
BREAKGLASS_OPENING = {"material:breakglass-open", "material:breakglass-start"}
GLASS_CASES = [
    pytest.param(route, id=f"{route.name}:{route.template}")
    for route in ROUTES
    if route.name not in BREAKGLASS_OPENING
]


def _material_state() -> tuple[object, ...]:
    """Everything a write route could change."""
    return (
        sorted(
            MaterialItem.objects.values_list(
                "pk", "classification", "version", "orcon", "retain_until", "destroyed_at",
                "tearline_status",
            )
        ),
        sorted(MaterialFile.objects.values_list("pk", flat=True)),
        sorted(ShareRequest.objects.values_list("pk", "status")),
        sorted(MaterialGrant.objects.values_list("pk", "expires_at")),
        sorted(
            (str(pk), code)
            for pk, code in MaterialItem.releasable_to.through.objects.values_list(
                "materialitem_id", "agency__code"
            )
        ),
    )  # fmt: skip


@pytest.mark.parametrize("route", GLASS_CASES)
def test_acts_under_break_glass_on_every_material_write_route(
    route: Route, matrix_world, client_for
) -> None:
    """A persona whose only access to the case is break-glass (an officer of the originating
    force, not on the case, cleared and holding the caveat, so no other rule stands in the
    way) reads, but every route that writes answers 403 or 404 on GET and POST, page and API,
    with a DENY audit entry, and nothing changes."""
    from jointcase.accounts.models import Role
    from jointcase.agencies.models import VettingLevel
    from tests.factories import UserFactory

    mw = matrix_world
    officer = UserFactory(
        username="ctnm.glass",
        agency=mw.world.personas.ctnm_officer.agency,
        roles=[Role.CTNM_OFFICER],
        vetting=VettingLevel.SC,
        caveats=["UK EYES ONLY"],
    )
    breakglass_services.breakglass_open(
        actor=officer, case=mw.world.case, reason="Emergency (synthetic)"
    )
    assert material_decision(officer, mw.parent).reason == "break_glass"
    if route.is_api:
        _token, plaintext = api_token_create(actor=None, user=officer, name="glass", days=1)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    else:
        client = client_for(officer)
    url = route.path(_values(route, mw, mw.parent))
    before = _material_state()
    if route.is_api and route.template.endswith("files"):
        post = client.post(url, {"file": SimpleUploadedFile("glass.png", samples.png())})
    elif route.is_api:
        payload = _valid_payload(route, mw.parent)
        if route.template.endswith("label"):  # a raise: what anyone on the case may do
            payload = {**payload, "caveats": ["UK EYES ONLY", "NIGHTJAR"], "orcon": True}
        post = client.post(url, json.dumps(payload), content_type="application/json")
    else:
        post = client.post(url, {"reason": "Acting under break-glass", "decision": "approve"})
    if post.status_code == 405:
        pytest.skip("a read-only route (no write to refuse)")
    where = f"POST {url} -> {post.status_code}"
    denials = _deny_count(officer)
    assert post.status_code in (403, 404), where
    assert denials > 0, f"{where}: no DENY audit entry"
    if not route.is_api:
        form = client.get(url)
        assert form.status_code in (403, 404), f"GET {url} -> {form.status_code}"
        assert _deny_count(officer) > denials, f"GET {url}: no DENY audit entry"
    assert _material_state() == before, where
