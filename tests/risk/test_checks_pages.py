"""The required-check pages: the case's checks, completing one, moving its date, recording a
change of circumstance, "Checks due" and the compliance figures; refusals are 403 for those
who may see the case and 404 (as for a missing check) for those who may not."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.risk.models import ChangeOfCircumstance, CheckStatus, RequiredCheck
from tests.register_fixtures import CaseWorld
from tests.support.forms import date_input

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _da(world: CaseWorld) -> RequiredCheck:
    return RequiredCheck.objects.get(case=world.case, rule_code="DA_AT_ALLOCATION")


def _complete_url(world: CaseWorld, check: RequiredCheck) -> str:
    return reverse("risk:check-complete", args=[world.case.public_id, check.public_id])


def test_the_case_checks_page_shows_labels_deadlines_and_the_complete_link(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    response = client_for(checks_world.personas.nsd_practitioner).get(
        reverse("risk:case-checks", args=[checks_world.case.public_id])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Police domestic abuse call-out check" in page
    assert "POLICE_DA_CALLOUT" not in page  # display labels, never raw codes
    assert _complete_url(checks_world, _da(checks_world)) in page


def test_the_practitioner_completes_a_check_on_the_page(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    client = client_for(checks_world.personas.nsd_practitioner)
    url = _complete_url(checks_world, _da(checks_world))
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    response = client.post(
        url,
        {
            **date_input("requested_on", today),
            **date_input("received_on", today),
            "outcome": "NO_TRACE",
            "sent_to": "x",
        },
    )
    assert response.status_code == 302
    assert _da(checks_world).status == CheckStatus.COMPLETED


def test_completing_without_an_outcome_shows_the_error_summary(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    client = client_for(checks_world.personas.nsd_practitioner)
    today = timezone.localdate()
    response = client.post(
        _complete_url(checks_world, _da(checks_world)),
        {**date_input("requested_on", today), **date_input("received_on", today)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose the outcome of the check" in page
    assert _da(checks_world).status == CheckStatus.OPEN


def test_the_ctnm_officer_is_refused_the_practitioners_check(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    response = client_for(checks_world.personas.ctnm_officer).get(
        _complete_url(checks_world, _da(checks_world))
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["officer_not_on_case", "excluded_officer"])
def test_someone_off_the_case_gets_a_404(
    checks_world: CaseWorld, client_for: ClientFor, who: str
) -> None:
    client = client_for(getattr(checks_world.personas, who))
    for url in (
        reverse("risk:case-checks", args=[checks_world.case.public_id]),
        _complete_url(checks_world, _da(checks_world)),
    ):
        assert client.get(url).status_code == 404


def test_a_check_under_another_cases_url_is_a_404(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    other = RequiredCheck.objects.filter(case=checks_world.case).first()
    assert other is not None
    response = client_for(checks_world.personas.nsd_practitioner).get(
        reverse(
            "risk:check-complete",
            args=[checks_world.case.public_id, "00000000-0000-4000-8000-000000000000"],
        )
    )
    assert response.status_code == 404


def test_recording_a_change_of_circumstance_raises_checks(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    client = client_for(checks_world.personas.ctnm_officer)
    url = reverse("risk:change-record", args=[checks_world.case.public_id])
    refused = client.post(url, {"kind": "NEW_ADDRESS", **date_input("occurred_on", "1/1/2025")})
    assert refused.status_code == 400
    response = client.post(
        url,
        {
            "kind": "HOUSEHOLD_CHILDREN",
            **date_input("occurred_on", timezone.localdate()),
            "description": "Partner's two children now live at the address (synthetic)",
        },
    )
    assert response.status_code == 302
    change = ChangeOfCircumstance.objects.get()
    assert RequiredCheck.objects.filter(change=change).count() == 2


def test_checks_due_lists_mine_and_filters_by_type(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    client = client_for(checks_world.personas.nsd_practitioner)
    page = client.get(reverse("risk:checks-due")).content.decode()
    listed = "Children&#39;s social care safeguarding check</a>"  # a row, not the filter
    assert listed in page
    filtered = client.get(
        reverse("risk:checks-due"), {"check_type": "POLICE_DA_CALLOUT"}
    ).content.decode()
    assert listed not in filtered
    assert "Police domestic abuse call-out check</a>" in filtered
    assert client.get(reverse("risk:checks-due"), {"check_type": "NOPE"}).status_code == 400
    # The case filter takes a reference as typed; a bad or unknown one is named, never a 500.
    by_case = client.get(reverse("risk:checks-due"), {"case": "jc-900001", "sort": "-due"})
    assert by_case.status_code == 200
    assert listed in by_case.content.decode()
    assert 'aria-sort="descending"' in by_case.content.decode()
    for typed, message in (
        ("case 1", "Enter a case reference like JC-000001"),
        ("JC-999999", "There is no case JC-999999 among the cases you can see"),
    ):
        bad = client.get(reverse("risk:checks-due"), {"case": typed, "sort": "nonsense"})
        assert bad.status_code == 400
        assert message in bad.content.decode()
        assert listed not in bad.content.decode()


def test_the_compliance_page_is_for_seniors(checks_world: CaseWorld, client_for: ClientFor) -> None:
    url = reverse("risk:checks-compliance")
    assert client_for(checks_world.personas.nsd_practitioner).get(url).status_code == 403
    response = client_for(checks_world.personas.nsd_lead).get(url)
    assert response.status_code == 200
    bad = client_for(checks_world.personas.nsd_lead).get(
        url,
        {**date_input("start", "1/1/2026"), **date_input("end", "1/1/2025"), "group_by": "type"},
    )
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()


def test_the_risk_tab_partial_summarises_the_open_checks(checks_world: CaseWorld) -> None:
    from django.template.loader import render_to_string

    from jointcase.risk.views.checks import case_checks_summary

    summary = case_checks_summary(checks_world.personas.nsd_practitioner, checks_world.case)
    html = render_to_string("risk/_case_checks.html", {"case_checks": summary})
    assert "2 open checks" in html
    assert "Police domestic abuse call-out check: due" in html
    assert f"/cases/{checks_world.case.public_id}/checks/" in html
    outsider = case_checks_summary(checks_world.personas.officer_not_on_case, checks_world.case)
    assert outsider["rows"] == []  # the summary reads through the access filter


def _navigation(page: str) -> list[str]:
    """The case's sub navigation links, as "text" with " (current)" on the active one."""
    links = re.findall(r'class="moj-sub-navigation__link" ([^>]*)>([^<]+)</a>', page)
    return [text + (" (current)" if "aria-current" in attrs else "") for attrs, text in links]


def test_the_risk_tab_shows_the_open_checks_and_links_to_them_all(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    response = client_for(checks_world.personas.nsd_practitioner).get(
        reverse("risk:case-risk", args=[checks_world.case.public_id])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 open checks." in page
    assert "Police domestic abuse call-out check: due" in page
    assert reverse("risk:case-checks", args=[checks_world.case.public_id]) in page


def test_the_checks_are_part_of_the_risk_tab_not_a_tab_of_their_own(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    client = client_for(checks_world.personas.nsd_practitioner)
    overview = client.get(reverse("cases:case", args=[checks_world.case.public_id]))
    tabs = _navigation(overview.content.decode())
    assert "Risk" in tabs
    assert not any(tab.startswith("Checks") for tab in tabs)
    checks = client.get(reverse("risk:case-checks", args=[checks_world.case.public_id]))
    assert "Risk (current)" in _navigation(checks.content.decode())


def test_the_case_checks_page_offers_moving_a_due_date_only_to_those_who_may(
    checks_world: CaseWorld, client_for: ClientFor
) -> None:
    url = reverse("risk:case-checks", args=[checks_world.case.public_id])
    move = reverse(
        "risk:check-due-move", args=[checks_world.case.public_id, _da(checks_world).public_id]
    )
    assert move in client_for(checks_world.personas.nsd_practitioner).get(url).content.decode()
    assert move not in client_for(checks_world.personas.pom).get(url).content.decode()
