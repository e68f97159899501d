"""Free text refuses control characters and bidirectional overrides with a field error and
writes nothing, on pages (every form's base, jointcase.lib.forms.JointCaseForm) and in the API
(jointcase.lib.api_input); newline and tab are kept."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django import forms
from django.test import Client
from django.utils import timezone

from jointcase.accounts.tokens import api_token_create
from jointcase.lib.forms import JointCaseForm
from jointcase.lib.text import has_forbidden_characters
from jointcase.meetings.models import AgreedAction
from jointcase.people.models import Person
from tests.support.forms import date_input

RLO = "\u202e"
REFUSED = [RLO, "\u202a", "\u2066", "\u2069", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"]


@pytest.mark.parametrize("character", REFUSED)
def test_each_control_or_direction_character_is_refused(character):
    assert has_forbidden_characters(f"gpj{character}exe")


def test_newline_carriage_return_tab_and_ordinary_unicode_are_kept():
    assert not has_forbidden_characters("Zoë O'Connell\r\n\tمرحبا — 日本 😀")


class _NoteForm(JointCaseForm):
    title = forms.CharField(label="Title")
    note = forms.CharField(label="Note", widget=forms.Textarea, strip=False)
    count = forms.IntegerField(label="Count", required=False)


def test_a_form_refuses_a_direction_override_with_a_field_error():
    form = _NoteForm({"title": f"Report{RLO}fdp.exe", "note": "ok"})
    assert not form.is_valid()
    assert form.errors["title"] == [
        "Title must not contain control characters or text-direction overrides"
    ]
    assert "note" not in form.errors


def test_a_form_keeps_newlines_and_tabs():
    form = _NoteForm({"title": "Visit", "note": "line one\r\n\tline two"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == "line one\r\n\tline two"


def test_a_form_refuses_a_number_beyond_the_database():
    form = _NoteForm({"title": "Visit", "note": "x", "count": "9" * 25})
    assert not form.is_valid()
    assert "count" in form.errors


@pytest.mark.django_db
def test_the_person_page_refuses_a_direction_override_and_records_nobody(personas, client_for):
    client = client_for(personas.nsd_practitioner)
    response = client.post(
        "/people/new/",
        {
            "given_names": "Ann",
            "family_name": f"Holl{RLO}oway",
            **date_input("date_of_birth", "3/7/1984"),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Family name must not contain control characters" in body
    assert not Person.objects.exists()


def _api(user) -> Client:
    _token, plaintext = api_token_create(actor=None, user=user, name="tests", days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _action(description: str, **extra: object) -> str:
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    return json.dumps(
        {"description": description, "due_date": due, "owner": "ctnm.officer", **extra}
    )


@pytest.mark.django_db
def test_the_api_refuses_a_direction_override_with_a_field_error_and_writes_nothing(case_world):
    client = _api(case_world.personas.nsd_practitioner)
    url = f"/api/v1/cases/{case_world.case.public_id}/actions"
    response = client.post(url, _action(f"Visit{RLO}"), content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {
            "field": "payload.description",
            "message": "Description must not contain control characters or "
            "text-direction overrides",
        }
    ]
    response = client.post(
        url, _action("Visit", source_id="item\x1b[2J"), content_type="application/json"
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["payload.source_id"]
    assert not AgreedAction.objects.exists()


@pytest.mark.django_db
def test_the_api_keeps_newlines_and_tabs(case_world):
    client = _api(case_world.personas.nsd_practitioner)
    url = f"/api/v1/cases/{case_world.case.public_id}/actions"
    response = client.post(
        url, _action("Visit the address\n\tand check"), content_type="application/json"
    )
    assert response.status_code in (200, 201), response.content
    assert AgreedAction.objects.get().description == "Visit the address\n\tand check"


@pytest.mark.django_db
def test_a_query_parameter_is_refused_by_its_own_name(case_world):
    client = _api(case_world.personas.nsd_practitioner)
    response = client.get("/api/v1/persons", {"q": f"Holl{RLO}oway"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["q"]
