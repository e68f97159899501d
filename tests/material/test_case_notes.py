"""A case note has a short form of its own (title, text, a label with sensible defaults),
reached from the case page. The note is material like any other: labelled, its originator the
writer's agency, its text sealed under its own data key."""

from __future__ import annotations

import html

import pytest

from jointcase.audit.models import AuditEntry
from jointcase.material.models import MaterialItem
from jointcase.material.selectors import material_open

pytestmark = pytest.mark.usefixtures("keyring")

NOTE = "Home visit: the subject was calm and engaged (synthetic)."


def _url(world) -> str:
    return f"/cases/{world.case.public_id}/notes/new/"


def test_the_case_page_links_to_the_note_form(material_world, client_for):
    practitioner = client_for(material_world.personas.nsd_practitioner)
    page = practitioner.get(f"/cases/{material_world.case.public_id}/")
    assert page.status_code == 200
    assert _url(material_world) in page.content.decode()
    form = practitioner.get(_url(material_world))
    text = html.unescape(form.content.decode())
    assert form.status_code == 200
    assert "Add a case note" in text
    # The default marking is chosen already: OFFICIAL-SENSITIVE.
    assert 'value="OFFICIAL-SENSITIVE" checked' in text


def test_a_note_is_stored_encrypted_and_labelled_with_the_defaults(material_world, client_for):
    personas = material_world.personas
    practitioner = client_for(personas.nsd_practitioner)
    response = practitioner.post(
        _url(material_world),
        {"title": "Home visit", "body": NOTE, "classification": "OFFICIAL-SENSITIVE"},
    )
    assert response.status_code == 302
    note = MaterialItem.objects.select_related("data_key", "originator").get()
    assert response["Location"] == f"/material/{note.pk}/"
    assert (note.kind, note.classification, note.originator.code) == (
        "NOTE",
        "OFFICIAL-SENSITIVE",
        "nsd-north",
    )
    assert note.author_id == personas.nsd_practitioner.pk
    assert not note.caveats.exists()
    assert not note.releasable_to.exists()
    assert not note.orcon
    assert note.retain_until is not None  # the standard retention period
    assert note.data_key_id is not None
    assert NOTE.encode() not in bytes(note.body_ciphertext)
    assert material_open(user=personas.nsd_practitioner, item=note).text == NOTE
    assert AuditEntry.objects.filter(object_id=str(note.pk), outcome="SUCCESS").exists()
    # Everyone on the case team whose vetting reaches the marking reads it: the BPSS POM too.
    assert client_for(personas.pom).get(f"/material/{note.pk}/").status_code == 200


def test_a_note_can_be_limited_to_agencies_and_marked_higher(material_world, client_for):
    personas = material_world.personas
    response = client_for(personas.nsd_practitioner).post(
        _url(material_world),
        {
            "title": "Restricted note",
            "body": NOTE,
            "classification": "SECRET",
            "caveats": ["UK EYES ONLY"],
            "releasable_to": ["nsd-north"],
        },
    )
    assert response.status_code == 302
    note = MaterialItem.objects.get()
    assert note.classification == "SECRET"
    assert note.caveat_codes() == ["UK EYES ONLY"]
    assert [a.code for a in note.releasable_to.all()] == ["nsd-north"]
    assert client_for(personas.pom).get(f"/material/{note.pk}/").status_code == 404


def test_bad_input_shows_an_error_summary_and_stores_nothing(material_world, client_for):
    practitioner = client_for(material_world.personas.nsd_practitioner)
    empty = practitioner.post(_url(material_world), {"classification": "OFFICIAL-SENSITIVE"})
    text = html.unescape(empty.content.decode())
    assert empty.status_code == 400
    assert "There is a problem" in text
    assert "Enter a title for the note" in text
    assert "Enter the note" in text
    # A marking above the writer's own reach is refused by the service, on the form.
    pom = client_for(material_world.personas.pom)
    above = pom.post(_url(material_world), {"title": "t", "body": NOTE, "classification": "SECRET"})
    assert above.status_code == 400
    assert "You cannot record material above your own clearance" in above.content.decode()
    assert not MaterialItem.objects.exists()


def test_someone_who_may_not_write_on_the_case_cannot_add_a_note(material_world, client_for):
    outsider = client_for(material_world.personas.officer_not_on_case)
    assert outsider.get(_url(material_world)).status_code == 404
    assert outsider.post(_url(material_world), {"title": "t", "body": "b"}).status_code == 404
    assert not MaterialItem.objects.exists()


def test_releasable_to_offers_agencies_by_kind_and_a_whole_kind_expands(material_world, client_for):
    from jointcase.agencies.models import Agency

    practitioner = client_for(material_world.personas.nsd_practitioner)
    form = html.unescape(practitioner.get(_url(material_world)).content.decode())
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Police</legend>' in form
    )
    assert "All police agencies (2)" in form
    assert "All prisons" not in form  # a kind of one agency offers just that agency
    response = practitioner.post(
        _url(material_world),
        {
            "title": "For the police",
            "body": NOTE,
            "classification": "OFFICIAL-SENSITIVE",
            "releasable_to": ["kind:POLICE", "nsd-north"],
        },
    )
    assert response.status_code == 302
    police = set(
        Agency.objects.filter(kind="POLICE", is_active=True).values_list("code", flat=True)
    )
    assert len(police) == 2
    note = MaterialItem.objects.get()
    assert {a.code for a in note.releasable_to.all()} == police | {"nsd-north"}
    # A kind or agency that is not on offer is a clear field error, nothing stored.
    bad = practitioner.post(
        _url(material_world),
        {
            "title": "t",
            "body": NOTE,
            "classification": "OFFICIAL-SENSITIVE",
            "releasable_to": ["kind:MARTIANS"],
        },
    )
    assert bad.status_code == 400
    assert "Choose agencies from the list" in bad.content.decode()
    assert MaterialItem.objects.count() == 1
