"""The case forms: saved when right; 400 with the error summary and nothing written when
wrong; a stale save refused; history shows who changed what."""

from __future__ import annotations

import pytest

from jointcase.cases.models import (
    Case,
    CaseExclusion,
    LicenceCondition,
    MappaRegistration,
    Recall,
    Sentence,
)
from tests.registerui_support import reader
from tests.support.forms import date_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(case_world):
    return reader(case_world.personas.nsd_practitioner, case_world.case.pk)


def _problem(response, *messages):
    body = response.content.decode()
    assert response.status_code == 400, body[:2000]
    assert "There is a problem" in body
    assert "govuk-error-summary" in body
    for message in messages:
        assert message in body, message
    return body


def test_key_facts_are_edited_and_shown_in_the_history(case_world, lead):
    case = case_world.case
    response = lead.post(
        f"/cases/{case.public_id}/edit/",
        {
            "version": case.version,
            "cohort": "TACT_CONNECTED",
            "ideology": "MIXED_UNCLEAR",
            "lead_agency": case.lead_agency_id,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.cohort, case.ideology) == ("TACT_CONNECTED", "MIXED_UNCLEAR")
    history = lead.get(f"/cases/{case.public_id}/history/").content.decode()
    assert "Case: update" in history
    assert "nsd.practitioner" in history
    assert "Cohort: TACT (terrorism offence) → Terrorism-connected offence" in history
    assert "TACT_CONNECTED" not in history


def test_the_history_lists_changes_not_reads_or_denials(case_world, lead):
    case = case_world.case
    lead.get(f"/cases/{case.public_id}/")  # a read of the case: audited, but not a change
    lead.get(f"/cases/{case.public_id}/material/")  # a read of the case's material list
    lead.post(f"/cases/{case.public_id}/edit/", {"version": case.version, "cohort": "nonsense"})
    history = lead.get(f"/cases/{case.public_id}/history/").content.decode()
    assert "Case: read" not in history
    assert "Material: case list" not in history
    assert "Case: update" not in history  # the refused edit changed nothing


def test_a_stale_save_is_told_to_reload_and_overwrites_nothing(case_world, lead):
    case = case_world.case
    stale_version = case.version
    other = reader(case_world.personas.ctnm_officer, case.pk)
    first = other.post(
        f"/cases/{case.public_id}/edit/",
        {
            "version": stale_version,
            "cohort": "TERRORIST_RISK",
            "ideology": case.ideology,
            "lead_agency": case.lead_agency_id,
        },
    )
    assert first.status_code == 302
    second = lead.post(
        f"/cases/{case.public_id}/edit/",
        {
            "version": stale_version,
            "cohort": "CPPC",
            "ideology": case.ideology,
            "lead_agency": case.lead_agency_id,
        },
    )
    _problem(second, "This record was changed by someone else. Reload the page")
    case.refresh_from_db()
    assert case.cohort == "TERRORIST_RISK"


def test_the_edit_form_carries_the_version(case_world, lead):
    body = lead.get(f"/cases/{case_world.case.public_id}/edit/").content.decode()
    assert f'name="version" value="{case_world.case.version}"' in body


def test_an_unknown_enumeration_is_a_field_error(case_world, lead):
    case = case_world.case
    _problem(
        lead.post(
            f"/cases/{case.public_id}/edit/",
            {
                "version": case.version,
                "cohort": "NOPE",
                "ideology": "ISLAMIST",
                "lead_agency": case.lead_agency_id,
            },
        ),
        "Choose the cohort from the list",
    )
    assert Case.objects.get(pk=case.pk).cohort == "TACT"


def test_a_sentence_with_impossible_dates_is_refused_field_by_field(case_world, lead):
    before = Sentence.objects.count()
    body = _problem(
        lead.post(
            f"/cases/{case_world.case.public_id}/sentences/new/",
            {
                "type": "SDS",
                **date_input("conviction_date", "1/3/2020"),
                **date_input("sentence_date", "1/2/2020"),
                **date_input("crd", "31/02/2024"),
                **date_input("led", "1/1/2019"),
            },
        ),
        "Conditional release date (CRD) must be a real date",
    )
    assert Sentence.objects.count() == before
    body = _problem(
        lead.post(
            f"/cases/{case_world.case.public_id}/sentences/new/",
            {
                "type": "SDS",
                **date_input("conviction_date", "1/3/2020"),
                **date_input("sentence_date", "1/2/2020"),
            },
        ),
        "The sentence date must be on or after the conviction date",
    )
    assert 'href="#id_sentence_date-day"' in body
    assert Sentence.objects.count() == before


def test_a_sentence_is_recorded_with_its_key_dates(case_world, lead):
    response = lead.post(
        f"/cases/{case_world.case.public_id}/sentences/new/",
        {
            "type": "EDS",
            "offence": "Synthetic offence",
            **date_input("conviction_date", "1/3/2021"),
            **date_input("sentence_date", "2/4/2021"),
            "length_days": "1000",
            **date_input("crd", "1/1/2030"),
            **date_input("led", "1/1/2035"),
        },
    )
    assert response.status_code == 302
    page = lead.get(f"/cases/{case_world.case.public_id}/sentence/").content.decode()
    assert "Synthetic offence" in page
    assert "1 January 2030" in page


def test_a_licence_expiring_before_it_starts_is_refused(case_world, lead):
    _problem(
        lead.post(
            f"/cases/{case_world.case.public_id}/licences/new/",
            {**date_input("starts_on", "1/1/2026"), **date_input("expires_on", "1/1/2025")},
        ),
        "The licence expiry date must be after the release date",
    )


def test_a_licence_condition_is_chosen_from_the_catalogue_then_its_details_given(case_world, lead):
    from jointcase.cases.services import licence_add

    case = case_world.case
    licence = licence_add(
        actor=case_world.personas.nsd_practitioner,
        case=case,
        starts_on=case_world.sentence.sentence_date,
        expires_on=case_world.sentence.led,
    )
    url = f"/cases/{case.public_id}/licences/{licence.pk}/conditions/new/"
    choose = lead.get(url)
    assert choose.status_code == 200
    assert "Curfew" in choose.content.decode()
    assert lead.get(url, {"code": "NOT_A_CONDITION"}).status_code == 400
    details = lead.get(url, {"code": "CURFEW"})
    assert "From" in details.content.decode()
    _problem(
        lead.post(
            url,
            {
                "code": "CURFEW",
                "parameters.from_time": "25:00",
                "parameters.to_time": "07:00",
                "parameters.tagged": "yes",
            },
        ),
        "must be a time like 19:00",
    )
    assert not LicenceCondition.objects.exists()
    done = lead.post(
        url,
        {
            "code": "CURFEW",
            "parameters.from_time": "19:00",
            "parameters.to_time": "07:00",
            "parameters.tagged": "yes",
        },
    )
    assert done.status_code == 302
    condition = LicenceCondition.objects.get()
    assert condition.parameters == {"from_time": "19:00", "to_time": "07:00", "tagged": True}
    assert "Curfew" in lead.get(f"/cases/{case.public_id}/sentence/").content.decode()


def test_a_condition_cannot_be_added_to_another_cases_licence(case_world, lead):
    assert (
        lead.get(f"/cases/{case_world.case.public_id}/licences/999999/conditions/new/").status_code
        == 404
    )


def test_mappa_placement_recall_and_exit_forms_save_or_explain(case_world, lead):
    case = case_world.case
    assert (
        lead.post(
            f"/cases/{case.public_id}/mappa/new/",
            {
                "category": "M4",
                "level": "2",
                **date_input("review_date", "1/1/2030"),
                **date_input("valid_from", "1/1/2029"),
            },
        ).status_code
        == 302
    )
    assert MappaRegistration.objects.filter(case=case, level=2).exists()
    _problem(
        lead.post(
            f"/cases/{case.public_id}/mappa/new/",
            {
                "category": "M9",
                "level": "7",
                **date_input("review_date", "x/1/2030"),
                **date_input("valid_from", ""),
            },
        ),
        "Choose the mappa category from the list",
        "Review date must be a real date",
    )
    _problem(
        lead.post(
            f"/cases/{case.public_id}/placements/new/",
            {
                "establishment": case.lead_agency_id,
                "security_category": "A",
                **date_input("valid_from", "1/1/2029"),
            },
        )
    )
    _problem(
        lead.post(
            f"/cases/{case.public_id}/recalls/new/",
            {"type": "STANDARD", **date_input("recalled_on", "1/1/2025"), "reason": "Synthetic"},
        ),
        "Only someone released on licence can be recalled",
    )
    assert not Recall.objects.exists()
    _problem(
        lead.post(
            f"/cases/{case.public_id}/exits/new/",
            {
                "kind": "HANDOVER",
                **date_input("exited_on", "1/1/2025"),
                "to_agency": case.lead_agency_id,
                "onward_plan": "",
            },
        ),
        "Enter the onward plan",
    )


def test_the_lead_adds_a_member_and_an_exclusion(case_world, lead):
    case = case_world.case
    officer = case_world.personas.officer_not_on_case
    _problem(
        lead.post(
            f"/cases/{case.public_id}/team/new/",
            {"role": "CTNM_OFFICER", "username": "nobody.here"},
        ),
        "Enter the username of an active user",
    )
    _problem(
        lead.post(
            f"/cases/{case.public_id}/team/new/",
            {"role": "CTNM_OFFICER", "username": case_world.personas.excluded_officer.username},
        ),
        "This user is excluded from the case",
    )
    assert (
        lead.post(
            f"/cases/{case.public_id}/team/new/",
            {"role": "CTNM_OFFICER", "username": officer.username},
        ).status_code
        == 302
    )
    assert reader(officer, case.pk).get(f"/cases/{case.public_id}/").status_code == 200
    assert (
        lead.post(
            f"/cases/{case.public_id}/exclusions/new/",
            {"username": case_world.personas.pom.username, "reason": "Synthetic conflict"},
        ).status_code
        == 302
    )
    assert CaseExclusion.objects.filter(case=case, user=case_world.personas.pom).exists()
    assert (
        reader(case_world.personas.pom, case.pk).get(f"/cases/{case.public_id}/").status_code == 404
    )
    _problem(
        lead.post(
            f"/cases/{case.public_id}/exclusions/new/",
            {"username": case_world.personas.pom.username, "reason": "Again"},
        ),
        "already excluded",
    )
