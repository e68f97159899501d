"""Auditors see who accessed what, when, why and with what outcome; nobody else can."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.audit.services import audit_record
from tests.conftest import Personas
from tests.support.forms import date_input


def user_query(username: str, start: str | dt.date, end: str | dt.date) -> dict[str, str]:
    """The "what a user did" form as an auditor fills it in: a username and two GOV.UK date
    inputs, typed as "day/month/year"."""
    return {"username": username, **date_input("date_from", start), **date_input("date_to", end)}


REPORT_URLS = [
    ("audit:index", {}),
    ("audit:search", {"username": "ctnm.officer"}),
    ("audit:search-export", {"username": "ctnm.officer"}),
    ("audit:object-report", {"object_type": "case", "object_id": "7"}),
    ("audit:object-export", {"object_type": "case", "object_id": "7"}),
    ("audit:user-report", user_query("ctnm.officer", "1/1/2000", "1/1/2100")),
    ("audit:user-export", user_query("ctnm.officer", "1/1/2000", "1/1/2100")),
    ("audit:breakglass", {}),
    ("audit:breakglass-export", {}),
]


@pytest.fixture
def case_reads(personas: Personas) -> None:
    audit_record(
        action="case.viewed",
        actor=personas.ctnm_officer,
        outcome=Outcome.ALLOW,
        object_type="case",
        object_id=7,
        purpose="case_management",
    )
    audit_record(
        action="case.viewed",
        actor=personas.officer_not_on_case,
        outcome=Outcome.DENY,
        object_type="case",
        object_id=7,
        reason="not on the case team",
    )
    audit_record(action="case.viewed", actor=personas.pom, object_type="case", object_id=8)


def test_everyone_but_an_auditor_gets_page_not_found_on_every_audit_page(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    for username, user in personas.all().items():
        if username == "auditor":
            continue
        client = client_for(user)
        for name, query in REPORT_URLS:
            assert client.get(reverse(name), query).status_code == 404, (username, name)


def test_an_auditor_reaches_every_audit_page(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    client = client_for(personas.auditor)
    for name, query in REPORT_URLS:
        assert client.get(reverse(name), query).status_code == 200, name


def test_who_accessed_a_case_lists_each_access_with_outcome_purpose_and_reason(
    personas: Personas, client_for: Callable[[User], Client], case_reads: None
) -> None:
    response = client_for(personas.auditor).get(
        reverse("audit:object-report"), {"object_type": "case", "object_id": "7"}
    )
    page = response.content.decode()
    assert "ctnm.officer" in page
    assert "officer.notoncase" in page
    assert "Denied" in page
    assert "not on the case team" in page
    assert "Case management" in page
    assert "pom.bpss" not in page  # case 8 is another record
    assert "OFFICIAL-SENSITIVE" in page


def test_what_a_user_did_is_limited_to_the_dates_asked(
    personas: Personas, client_for: Callable[[User], Client], case_reads: None
) -> None:
    auditor = client_for(personas.auditor)
    today = timezone.localdate()
    response = auditor.get(reverse("audit:user-report"), user_query("ctnm.officer", today, today))
    assert "Case: viewed" in response.content.decode()
    viewed = AuditEntry.objects.filter(action="audit.report_viewed").latest("seq")
    assert viewed.details == {
        "username": "ctnm.officer",
        "date_from": today.isoformat(),
        "date_to": today.isoformat(),
    }
    earlier = auditor.get(
        reverse("audit:user-report"), user_query("ctnm.officer", "1/1/2001", "31/12/2001")
    ).content.decode()
    assert "No entries match" in earlier


def test_a_report_form_with_bad_input_shows_the_error_summary(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    response = client_for(personas.auditor).get(
        reverse("audit:user-report"), user_query("", "31/2/2026", "x/11/")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    start = page.index("govuk-error-summary__list")
    summary = page[start : page.index("</ul>", start)]
    links = {
        message: href for href, message in re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)
    }
    assert links == {
        "Enter the username": "#id_username",
        "Start date must be a real date": "#id_date_from-day",
        "End date must include a year": "#id_date_to-day",
    }
    # What was typed comes back as typed, in the boxes the summary links to.
    assert 'id="id_date_to-day" name="date_to-day" type="text" value="x"' in page


def test_a_user_report_cannot_end_before_it_starts_or_stray_outside_the_logs_years(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    auditor = client_for(personas.auditor)
    backwards = auditor.get(
        reverse("audit:user-report"), user_query("ctnm.officer", "2/1/2026", "1/1/2026")
    )
    assert backwards.status_code == 400
    assert "must be the same as or after the start date" in backwards.content.decode()
    slip = auditor.get(
        reverse("audit:user-report"), user_query("ctnm.officer", "1/1/1026", "1/1/2026")
    )
    assert slip.status_code == 400
    assert "Start date must be between 2000 and 2100" in slip.content.decode()


def test_the_user_export_link_carries_the_dates_as_typed(
    personas: Personas, client_for: Callable[[User], Client], case_reads: None
) -> None:
    auditor = client_for(personas.auditor)
    today = timezone.localdate()
    page = auditor.get(
        reverse("audit:user-report"), user_query("ctnm.officer", today, today)
    ).content.decode()
    export_url = re.search(r'href="([^"]*export\.csv[^"]*)"', page)
    assert export_url is not None
    response = auditor.get(export_url.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row[2] for row in rows[2:-1]} == {"ctnm.officer"}


def test_the_break_glass_queue_is_empty_until_someone_breaks_glass(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    auditor = client_for(personas.auditor)
    assert (
        "no break-glass accesses to review"
        in auditor.get(reverse("audit:breakglass")).content.decode()
    )
    audit_record(
        action="breakglass.opened",
        actor=personas.officer_not_on_case,
        object_type="case",
        object_id=7,
        reason="urgent threat to life reported overnight",
    )
    page = auditor.get(reverse("audit:breakglass")).content.decode()
    assert "urgent threat to life reported overnight" in page


def test_the_export_carries_the_marking_in_its_first_line_and_file_name(
    personas: Personas, client_for: Callable[[User], Client], case_reads: None
) -> None:
    response = client_for(personas.auditor).get(
        reverse("audit:object-export"), {"object_type": "case", "object_id": "7"}
    )
    assert response.status_code == 200
    assert "OFFICIAL-SENSITIVE" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["OFFICIAL-SENSITIVE"]
    assert rows[1][0] == "Entry"
    assert {row[2] for row in rows[2:-1]} == {"ctnm.officer", "officer.notoncase"}
    assert rows[-1] == ["OFFICIAL-SENSITIVE"]


def test_an_auditors_own_views_and_exports_are_audited(
    personas: Personas, client_for: Callable[[User], Client], case_reads: None
) -> None:
    auditor = client_for(personas.auditor)
    query = {"object_type": "case", "object_id": "7"}
    auditor.get(reverse("audit:object-report"), query)
    b"".join(auditor.get(reverse("audit:object-export"), query).streaming_content)
    viewed = AuditEntry.objects.get(action="audit.report_viewed")
    exported = AuditEntry.objects.get(action="audit.report_exported")
    assert viewed.actor_username == exported.actor_username == "auditor"
    assert viewed.details == {"object_type": "case", "object_id": "7"}
    assert exported.recipient == "download:auditor"


def test_nobody_can_purge_the_log_through_the_admin(
    personas: Personas, client_for: Callable[[User], Client]
) -> None:
    from jointcase.admin import admin_site
    from jointcase.audit.models import AuditCheckpoint

    for model in (AuditEntry, AuditCheckpoint):
        model_admin = admin_site._registry.get(model)
        if model_admin is None:
            continue
        request = type("R", (), {"user": personas.system_admin})()
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    admin = client_for(personas.system_admin)
    response = admin.post(
        "/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": ["1"]}
    )
    assert response.status_code in {403, 404}
