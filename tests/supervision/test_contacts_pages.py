"""The contacts pages: the case's Contacts tab (its standard in words, the shortfall banner,
planned contacts and the history), planning and recording contacts, a contact's notes at the
reader's clearance, and "Contacts due" for a practitioner and their manager. Bad input is
answered with the GOV.UK error summary and nothing is stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.cases.models import TimelineEvent, TimelineKind
from jointcase.supervision.models import Contact, ContactKind, ContactOutcome
from jointcase.supervision.services.contacts import NotesLabel, contact_plan, contact_record
from tests.register_fixtures import CaseWorld
from tests.supervision.conftest import SECRET_NOTE
from tests.support.forms import date_input

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _url(name: str, world: CaseWorld, *args: object) -> str:
    return reverse(f"supervision:{name}", args=[world.case.public_id, *args])


def _secret_contact(world: CaseWorld) -> Contact:
    return contact_record(
        actor=world.personas.nsd_practitioner,
        case=world.case,
        kind=ContactKind.HOME_VISIT,
        occurred_at=timezone.now() - dt.timedelta(days=2),
        outcome=ContactOutcome.ATTENDED,
        notes=SECRET_NOTE,
        label=NotesLabel(classification="SECRET"),
    )


def test_the_contacts_tab_shows_the_standard_in_words_and_the_shortfall_banner(
    contacts_world: CaseWorld, client_for: ClientFor
) -> None:
    page = client_for(contacts_world.personas.nsd_practitioner).get(
        _url("case-contacts", contacts_world)
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Monthly contact with the prison offender manager or probation in custody" in text
    assert "Below the contact standard" in text  # opened 400 days ago, no contact since
    assert "CUSTODY_MONTHLY" not in text
    assert _url("contact-plan", contacts_world) in text
    # The case tabs link here.
    overview = client_for(contacts_world.personas.nsd_practitioner).get(
        reverse("cases:case", args=[contacts_world.case.public_id])
    )
    assert _url("case-contacts", contacts_world) in overview.content.decode()


def test_the_practitioner_plans_then_records_an_appointment_on_the_pages(
    contacts_world: CaseWorld, client_for: ClientFor
) -> None:
    client = client_for(contacts_world.personas.nsd_practitioner)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        _url("contact-plan", contacts_world),
        {
            "kind": "OFFICE",
            **date_input("planned_on", tomorrow),
            "planned_time": "14:30",
            "classification": "OFFICIAL-SENSITIVE",
            "notes": "Bring the licence conditions (synthetic).",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert timezone.localtime(contact.planned_for).strftime("%H:%M") == "14:30"
    listing = client.get(_url("case-contacts", contacts_world)).content.decode()
    assert "Office appointment" in listing
    due = client.get(reverse("supervision:contacts-due")).content.decode()
    assert contacts_world.case.reference in due
    assert "Office appointment" in due

    # Recording it before it happens as attended is refused; nothing changes.
    outcome_url = _url("contact-outcome", contacts_world, contact.public_id)
    early = client.post(
        outcome_url,
        {
            "version": contact.version,
            **date_input("occurred_on", tomorrow),
            "occurred_time": "14:30",
            "outcome": "ATTENDED",
            "enforcement": "NONE",
            "classification": "OFFICIAL-SENSITIVE",
        },
    )
    assert early.status_code == 400
    assert "govuk-error-summary" in early.content.decode()
    assert "cannot be recorded before it happens" in early.content.decode()
    contact.refresh_from_db()
    assert (contact.outcome, contact.version) == ("", 1)

    done = client.post(
        outcome_url,
        {
            "version": contact.version,
            **date_input("occurred_on", timezone.localdate()),
            "occurred_time": "00:01",
            "outcome": "FAILED_TO_ATTEND",
            "enforcement": "WARNING",
            "enforcement_reason": "No explanation given (synthetic)",
            "classification": "OFFICIAL-SENSITIVE",
            "notes": "Phoned twice, no answer.",
        },
    )
    assert done.status_code == 302
    contact.refresh_from_db()
    assert (contact.outcome, contact.enforcement, contact.version) == (
        "FAILED_TO_ATTEND",
        "WARNING",
        2,
    )
    detail = client.get(_url("contact", contacts_world, contact.public_id)).content.decode()
    assert "Bring the licence conditions" in detail
    assert "Phoned twice" in detail
    assert "Failed to attend" in detail
    assert "Warning" in detail
    # A stale form (version 1) is refused and changes nothing.
    stale = client.post(
        outcome_url,
        {
            "version": 1,
            **date_input("occurred_on", timezone.localdate()),
            "occurred_time": "00:01",
            "outcome": "ATTENDED",
            "enforcement": "NONE",
            "classification": "OFFICIAL-SENSITIVE",
        },
    )
    assert stale.status_code == 400
    assert "changed by someone else" in stale.content.decode()
    contact.refresh_from_db()
    assert contact.outcome == "FAILED_TO_ATTEND"


def test_a_future_contact_recorded_as_attended_is_refused_and_nothing_is_stored(
    contacts_world: CaseWorld, client_for: ClientFor
) -> None:
    client = client_for(contacts_world.personas.nsd_practitioner)
    before = (
        TimelineEvent.objects.count(),
        AuditEntry.objects.filter(action="contact.record").count(),
    )
    response = client.post(
        _url("contact-record", contacts_world),
        {
            "kind": "HOME_VISIT",
            **date_input("occurred_on", timezone.localdate() + dt.timedelta(days=3)),
            "outcome": "ATTENDED",
            "enforcement": "NONE",
            "classification": "OFFICIAL-SENSITIVE",
            "notes": "Should never be stored",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert 'href="#id_occurred_on' in page
    assert not Contact.objects.exists()
    after = (
        TimelineEvent.objects.count(),
        AuditEntry.objects.filter(action="contact.record").count(),
    )
    assert after == before


def test_an_enforcement_without_a_reason_is_refused_and_nothing_is_stored(
    contacts_world: CaseWorld, client_for: ClientFor
) -> None:
    client = client_for(contacts_world.personas.nsd_practitioner)
    response = client.post(
        _url("contact-record", contacts_world),
        {
            "kind": "OFFICE",
            **date_input("occurred_on", timezone.localdate() - dt.timedelta(days=1)),
            "outcome": "FAILED_TO_ATTEND",
            "enforcement": "BREACH",
            "enforcement_reason": "   ",
            "classification": "OFFICIAL-SENSITIVE",
        },
    )
    assert response.status_code == 400
    assert "Enter the reason for the enforcement action" in response.content.decode()
    assert not Contact.objects.exists()


def test_notes_are_withheld_from_a_reader_below_their_label(
    contacts_world: CaseWorld, client_for: ClientFor
) -> None:
    contact = _secret_contact(contacts_world)
    detail = _url("contact", contacts_world, contact.public_id)
    cleared = client_for(contacts_world.personas.nsd_practitioner).get(detail).content.decode()
    assert SECRET_NOTE in cleared
    pom = contacts_world.personas.pom  # BPSS: on the case, below SECRET
    response = client_for(pom).get(detail)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Home visit" in page
    assert "Attended" in page
    assert "Notes withheld" in page
    assert SECRET_NOTE not in page
    listing = client_for(pom).get(_url("case-contacts", contacts_world)).content.decode()
    assert SECRET_NOTE not in listing
    assert "Home visit" in listing
    entry = AuditEntry.objects.filter(action="contact.notes.read", actor_id=pom.pk).first()
    assert entry is not None
    assert entry.details["withheld"] == [contact.pk]
    # Nor may the POM record against (and so overwrite) notes they cannot read.
    planned = contact_plan(
        actor=contacts_world.personas.nsd_practitioner,
        case=contacts_world.case,
        kind=ContactKind.VIDEO,
        planned_for=timezone.now() + dt.timedelta(days=1),
        notes=SECRET_NOTE,
        label=NotesLabel(classification="SECRET"),
    )
    refused = client_for(pom).get(_url("contact-outcome", contacts_world, planned.public_id))
    assert refused.status_code == 403


def test_the_timeline_shows_the_contact_but_never_its_notes(contacts_world: CaseWorld) -> None:
    _secret_contact(contacts_world)
    event = TimelineEvent.objects.get(case=contacts_world.case, kind=TimelineKind.CONTACT)
    assert event.title == "Home visit: attended"
    assert SECRET_NOTE not in f"{event.title} {event.description}"


def test_a_manager_sees_the_contacts_due_of_the_people_they_manage(
    contacts_world: CaseWorld, client_for: ClientFor
) -> None:
    contact_plan(
        actor=contacts_world.personas.nsd_practitioner,
        case=contacts_world.case,
        kind=ContactKind.POLYGRAPH,
        planned_for=timezone.now() + dt.timedelta(days=2),
    )
    manager = client_for(contacts_world.personas.nsd_lead)
    mine = manager.get(reverse("supervision:contacts-due")).content.decode()
    assert "Polygraph session" not in mine
    team = manager.get(reverse("supervision:contacts-due") + "?scope=team")
    assert team.status_code == 200
    page = team.content.decode()
    assert "Polygraph session" in page
    assert contacts_world.case.reference in page  # below standard, led by their report
    assert "POLYGRAPH" not in page
    # Someone who manages nobody on the case sees none of it.
    other = client_for(contacts_world.personas.officer_not_on_case)
    assert (
        contacts_world.case.reference
        not in other.get(reverse("supervision:contacts-due") + "?scope=team").content.decode()
    )


def test_a_manager_chooses_one_person_at_a_time_and_never_someone_they_do_not_manage(
    contacts_world: CaseWorld, client_for: ClientFor
) -> None:
    practitioner = contacts_world.personas.nsd_practitioner
    manager = client_for(contacts_world.personas.nsd_lead)
    base = reverse("supervision:contacts-due") + "?scope=team"
    chosen = manager.get(f"{base}&person={practitioner.pk}")
    assert chosen.status_code == 200
    page = chosen.content.decode()
    assert contacts_world.case.reference in page
    assert f'<option value="{practitioner.pk}" selected>' in page
    # Themselves, a stranger and nonsense are all "not found", alike.
    for person in (contacts_world.personas.nsd_lead.pk, 10**9, "x"):
        assert manager.get(f"{base}&person={person}").status_code == 404
    # Someone who manages nobody cannot reach a practitioner's list by naming them.
    other = client_for(contacts_world.personas.officer_not_on_case)
    assert other.get(f"{base}&person={practitioner.pk}").status_code == 404
