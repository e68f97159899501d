"""The auditor searches the log by case reference, person, user and period, reads the results
in plain English a page at a time, and is told clearly what is wrong with a search."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry, Outcome
from jointcase.audit.services import audit_record
from tests.register_fixtures import CaseWorld
from tests.support.forms import date_input


def _summary(page: str) -> dict[str, str]:
    start = page.index("govuk-error-summary__list")
    summary = page[start : page.index("</ul>", start)]
    return {
        message: href for href, message in re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)
    }


def test_an_auditor_finds_a_cases_entries_by_reference_person_and_user_a_page_at_a_time(
    case_world: CaseWorld, client_for: Callable[[User], Client], settings
) -> None:
    people = case_world.personas
    case = case_world.case
    audit_record(
        action="case.viewed",
        actor=people.officer_not_on_case,
        outcome=Outcome.DENY,
        object_type="case",
        object_id=case.pk,
        reason="not on the case team",
    )
    audit_record(
        action="case.read",
        actor=people.ctnm_officer,
        outcome=Outcome.ALLOW,
        object_type="case",
        object_id=case.pk,
        reason="case_team",
    )
    audit_record(action="case.viewed", actor=people.pom, object_type="case", object_id=case.pk + 1)
    auditor = client_for(people.auditor)
    url = reverse("audit:search")

    by_case = auditor.get(url, {"case_reference": "jc-900001"})
    page = by_case.content.decode()
    assert by_case.status_code == 200
    assert "officer.notoncase" in page
    assert "Denied" in page
    assert f"Case {case.reference}" in page  # the record by its reference, never its key
    assert "CT Policing North West" in page  # the agency by its name, never its code
    assert "On the case team" in page  # a policy's reason in words
    assert "case.viewed" not in page  # actions in words
    assert AuditEntry.objects.filter(action="audit.report_viewed").latest("seq").details == {
        "case": "JC-900001"
    }
    # The person by an identifier: their own record and their case.
    by_person = auditor.get(url, {"person": "x123456", "username": "officer.notoncase"})
    assert "not on the case team" in by_person.content.decode()
    # Every filter given must match: the POM never read this case.
    assert (
        "No entries match"
        in auditor.get(
            url, {"case_reference": "JC-900001", "username": "pom.bpss"}
        ).content.decode()
    )

    # Results come a page at a time, with a link to the next; a bad page number is page 1.
    settings.AUDIT_REPORT_PAGE_ROWS = 2
    today = timezone.localdate()
    first = auditor.get(url, {"case_reference": "JC-900001", **date_input("date_from", today)})
    text = first.content.decode()
    assert "Entries 1 to 2, newest first" in text
    assert "page=2" in text
    second = auditor.get(url, {"case_reference": "JC-900001", "page": "2"}).content.decode()
    assert "Entries 3 to" in second
    assert (
        "Entries 1 to 2"
        in auditor.get(url, {"case_reference": "JC-900001", "page": "x"}).content.decode()
    )


def test_a_bad_search_is_named_in_the_error_summary_never_a_server_error(
    case_world: CaseWorld, client_for: Callable[[User], Client]
) -> None:
    auditor = client_for(case_world.personas.auditor)
    url = reverse("audit:search")
    empty = auditor.get(url, {"case_reference": " "})
    assert empty.status_code == 400
    assert _summary(empty.content.decode()) == {
        "Enter a case reference, a person&#39;s identifier, a username or a period": "#id_case_reference"
    }
    bad = auditor.get(
        url,
        {
            "case_reference": "JC-999999",
            "person": "nobody-here",
            **date_input("date_from", "2/1/2026"),
            **date_input("date_to", "1/1/2026"),
        },
    )
    assert bad.status_code == 400
    assert _summary(bad.content.decode()) == {
        "There is no case with the reference JC-999999": "#id_case_reference",
        "There is no person with the identifier nobody-here": "#id_person",
        "The end date must be the same as or after the start date": "#id_date_to-day",
    }
    malformed = auditor.get(url, {"case_reference": "case 7", **date_input("date_to", "31/2/2026")})
    assert malformed.status_code == 400
    assert _summary(malformed.content.decode()) == {
        "Enter a case reference like JC-000001": "#id_case_reference",
        "To must be a real date": "#id_date_to-day",
    }
    # "Who accessed a record" offers the kinds of record in words, and refuses any other.
    form = auditor.get(reverse("audit:object-report")).content.decode()
    assert '<option value="material">Material</option>' in form
    odd = auditor.get(reverse("audit:object-report"), {"object_type": "nope", "object_id": "7"})
    assert odd.status_code == 400
    assert "Choose the kind of record from the list" in odd.content.decode()
    # The export of a bad search goes back to the search page.
    assert auditor.get(reverse("audit:search-export"), {"case_reference": "x"}).status_code == 302
