"""Person pages: record a person, their details, and every detail form.

Thin: parse with a form, call a selector or a service, render. A person the user may not see
answers 404 exactly like a missing one (``people.selectors.person_get_for``). Every form page
re-renders with status 400 and the GOV.UK error summary when anything is wrong, and the
services write nothing then.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jointcase.access.labels import Classification
from jointcase.access.policy import cases_visible_to
from jointcase.accounts.models import User
from jointcase.audit.purpose import purpose_ask_cases
from jointcase.cases.forms import CaseOpenForm
from jointcase.cases.models import Case
from jointcase.cases.services import case_open as open_case
from jointcase.exchange.services.known import KnownRateLimited, Question, person_matches
from jointcase.home.marking import marking_for_request
from jointcase.lib.forms import form_page
from jointcase.people import forms as person_forms
from jointcase.people import services
from jointcase.people.selectors import person_get_for, person_history_for
from jointcase.people.services import person_create, person_update

FORM_TEMPLATE = "people/form.html"


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def handle_form(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    success_url: str | Callable[[Any], str],
    success_message: str,
    context: dict[str, Any],
    template: str = FORM_TEMPLATE,
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """``lib.forms.form_page`` with the register's form template by default."""
    return form_page(
        request,
        form,
        save,
        template=template,
        context=context,
        success_url=success_url,
        success_message=success_message,
        aliases=aliases,
    )


def _purpose_before_person(request: HttpRequest, person_id: uuid.UUID) -> None:
    """A person page shows what the person's cases hold about them (names, addresses,
    identifiers, the cases themselves), so it asks the purpose of consultation of each of their
    cases the user may see before the first read (``jointcase.audit.purpose``, the gate every
    case page uses). Cases the user may not see are skipped by the gate: nothing is revealed.
    A person with no case the user may see is read without the question."""
    case_ids = Case.objects.filter(person__public_id=person_id).values_list("pk", flat=True)
    purpose_ask_cases(request, list(case_ids))


def _person_for(request: HttpRequest, person_id: uuid.UUID) -> Any:
    _purpose_before_person(request, person_id)
    person = person_get_for(user=acting_user(request), person_id=person_id, request=request)
    marking_for_request(request).note(Classification.OFFICIAL_SENSITIVE)
    return person


def _person_url(person: Any) -> str:
    return reverse("people:person", args=[person.public_id])


#: The session key of the "create a new person anyway" confirmation: a one-time token and the
#: digest of the details it confirms, so one confirmation creates one person.
CONFIRM_NEW = "person_new_confirm"


def _question_of(data: dict[str, Any]) -> Question:
    born = data.get("date_of_birth")
    return Question(
        record={
            "given_names": data.get("given_names") or "",
            "surname": data.get("family_name") or "",
            "date_of_birth": born.isoformat() if born else "",
        }
    )


def _confirmed_new(request: HttpRequest, data: dict[str, Any]) -> bool:
    """The user saw the likely matches of exactly these details and chose to create anyway
    (the token is spent: a second submission is matched again, and finds the new person)."""
    token = request.POST.get("confirm_new") or ""
    held = request.session.get(CONFIRM_NEW) or {}
    if not token or not secrets.compare_digest(str(held.get("token", "")), token):
        return False
    del request.session[CONFIRM_NEW]
    return bool(held.get("digest") == _question_of(data).digest)


def _matches_page(request: HttpRequest, form: forms.Form) -> HttpResponse | None:
    """Before a new person is saved: the likely persons already on the register the user may
    see, and the documented "Known to you?" answer about the others (docs/exchange.md
    "Real-time matching"); None when nothing likely matches."""
    question = _question_of(form.cleaned_data)
    try:
        found = person_matches(actor=acting_user(request), question=question, request=request)
    except KnownRateLimited as limited:
        form.add_error(
            None,
            "You have checked the register too many times for now: "
            f"try again in {limited.wait_words}",
        )
        return None
    if not found.any:
        return None
    token = secrets.token_urlsafe(24)
    request.session[CONFIRM_NEW] = {"token": token, "digest": question.digest}
    return render(
        request,
        "people/person_matches.html",
        {
            "title": "This person may already be on the register",
            "form": form,
            "found": found,
            "token": token,
            "cancel": reverse("home:home"),
        },
    )


@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    form = person_forms.PersonForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and not _confirmed_new(request, form.cleaned_data)
    ):
        shown = _matches_page(request, form)
        if shown is not None:
            return shown

    def save(data: dict[str, Any]) -> Any:
        return person_create(
            actor=acting_user(request),
            given_names=data["given_names"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            gender=data["gender"],
            nationality=data["nationality"],
            request=request,
        )

    return handle_form(
        request,
        form,
        save,
        success_url=_person_url,
        success_message="Person recorded",
        context={
            "title": "Record a person",
            "submit": "Record person",
            "cancel": reverse("home:home"),
        },
    )


@require_http_methods(["GET"])
def person_detail(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = _person_for(request, person_id)
    cases = cases_visible_to(acting_user(request)).filter(person=person).order_by("-opened_at")
    return render(
        request,
        "people/person.html",
        {
            "title": person.display_name or "Person",
            "person": person,
            "cases": list(cases),
            "names": list(person.names.all()),
            "identifiers": list(person.identifiers.select_related("agency")),
            "addresses": list(person.addresses.all()),
            "contacts": list(person.contacts.all()),
            "vehicles": list(person.vehicles.all()),
            "documents": list(person.documents.all()),
        },
    )


@require_http_methods(["GET"])
def person_history(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = _person_for(request, person_id)
    entries = list(person_history_for(person=person)[:500])
    return render(
        request,
        "people/history.html",
        {
            "title": f"History of {person.display_name}",
            "person": person,
            "entries": entries,
            "back": _person_url(person),
        },
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = _person_for(request, person_id)
    initial = {
        "version": person.version,
        "date_of_birth": person.date_of_birth,
        "gender": person.gender,
        "nationality": person.nationality,
    }
    form = person_forms.PersonDetailsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )

    def save(data: dict[str, Any]) -> Any:
        return person_update(
            actor=acting_user(request),
            person=person,
            expected_version=data["version"],
            request=request,
            date_of_birth=data["date_of_birth"],
            gender=data["gender"],
            nationality=data["nationality"],
        )

    return handle_form(
        request,
        form,
        save,
        success_url=_person_url(person),
        success_message="Details saved",
        context={
            "title": "Edit personal details",
            "caption": person.display_name,
            "submit": "Save",
            "cancel": _person_url(person),
        },
    )


def _detail_form(
    form_class: type[forms.Form],
    service: Callable[..., Any],
    title: str,
    done: str,
    **fixed: Any,
) -> Callable[[HttpRequest, uuid.UUID], HttpResponse]:
    """A view adding one detail (alias, identifier, address...) to a person via a service."""

    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
        person = _person_for(request, person_id)
        form = form_class(request.POST if request.method == "POST" else None)

        def save(data: dict[str, Any]) -> Any:
            values = {key: value for key, value in data.items() if value is not None}
            return service(
                actor=acting_user(request), person=person, request=request, **fixed, **values
            )

        return handle_form(
            request,
            form,
            save,
            success_url=_person_url(person),
            success_message=done,
            context={
                "title": title,
                "caption": person.display_name,
                "submit": "Save",
                "cancel": _person_url(person),
            },
        )

    view.__name__ = f"{service.__name__}_view"
    return view


name_add = _detail_form(
    person_forms.NameForm, services.name_add, "Add a name or alias", "Alias added", kind="ALIAS"
)
identifier_add = _detail_form(
    person_forms.IdentifierForm, services.identifier_add, "Add an identifier", "Identifier added"
)
address_add = _detail_form(
    person_forms.AddressForm, services.address_add, "Add an address", "Address added"
)
contact_add = _detail_form(
    person_forms.ContactForm, services.contact_add, "Add contact details", "Contact details added"
)
vehicle_add = _detail_form(
    person_forms.VehicleForm, services.vehicle_add, "Add a vehicle", "Vehicle added"
)
document_add = _detail_form(
    person_forms.DocumentForm,
    services.document_add,
    "Add an identity document",
    "Identity document added",
)


@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = _person_for(request, person_id)
    form = CaseOpenForm(request.POST if request.method == "POST" else None)

    def save(data: dict[str, Any]) -> Any:
        values = {key: value for key, value in data.items() if value is not None}
        return open_case(actor=acting_user(request), person=person, request=request, **values)

    return handle_form(
        request,
        form,
        save,
        success_url=lambda case: reverse("cases:case", args=[case.public_id]),
        success_message="Case opened",
        context={
            "title": "Open a case",
            "caption": person.display_name,
            "submit": "Open case",
            "cancel": _person_url(person),
        },
    )
