"""Forms of the person pages. They parse and check shape only; the people services validate
the rules (formats, uniqueness, date order) and their field errors are put back on these forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jointcase.agencies.models import Agency
from jointcase.lib.forms import GovukDateField, JointCaseForm
from jointcase.people.models import AddressKind, ContactKind, DocumentKind, Gender, IdentifierType


def record_date(label: str, *, required: bool = False) -> GovukDateField:
    """A date on a person's or a case's record (the GOV.UK date input), optional unless said:
    a year outside 1900-2200 is a typing slip, refused on the field."""
    return GovukDateField(
        label=label, required=required, years=(1900, 2200), help_text="For example, 27 3 2007"
    )


def choice(
    label: str, choices: Any, *, required: bool = True, blank: str = ""
) -> forms.ChoiceField:
    options = list(choices)
    if blank or not required:
        options = [("", blank or "Not known"), *options]
    return forms.ChoiceField(
        label=label,
        choices=options,
        required=required,
        error_messages={
            "required": f"Choose the {label.lower()}",
            "invalid_choice": f"Choose the {label.lower()} from the list",
        },
    )


def text(
    label: str, *, max_length: int = 150, required: bool = True, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


class VersionedForm(JointCaseForm):
    """Carries the version of the record the form was filled from (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=True)


class PersonForm(JointCaseForm):
    given_names = text("Given names", required=False)
    family_name = text("Family name")
    date_of_birth = record_date("Date of birth")
    gender = choice("Gender", Gender.choices, required=False)
    nationality = text("Nationality", max_length=80, required=False)

    def clean_date_of_birth(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("date_of_birth")
        if value is not None and value > dt.date.today():
            raise ValidationError("Date of birth must be in the past")
        return value


class PersonDetailsForm(VersionedForm):
    date_of_birth = record_date("Date of birth")
    gender = choice("Gender", Gender.choices, required=False)
    nationality = text("Nationality", max_length=80, required=False)


class NameForm(JointCaseForm):
    given_names = text("Given names", required=False)
    family_name = text("Family name")
    valid_from = record_date("Used from")
    valid_to = record_date("Used until")


class IdentifierForm(JointCaseForm):
    type = choice("Identifier type", IdentifierType.choices, blank="Choose a type")
    value = text(
        "Identifier", max_length=40, help_text="For example X123456, A1234BC or 2019/0123456X"
    )
    agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Agency (for an agency reference)",
        queryset=None,
        required=False,
        error_messages={"invalid_choice": "Select the agency from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(is_active=True).order_by("name")
        field.empty_label = "Not an agency reference"


class AddressForm(JointCaseForm):
    kind = choice("Kind of address", AddressKind.choices, blank="Choose a kind")
    line1 = text("Address line 1", max_length=200)
    line2 = text("Address line 2", max_length=200, required=False)
    town = text("Town or city", max_length=100)
    postcode = text("Postcode", max_length=10)
    valid_from = record_date("Lived there from")
    valid_to = record_date("Lived there until")


class ContactForm(JointCaseForm):
    kind = choice("Kind of contact", ContactKind.choices, blank="Choose a kind")
    value = text("Number or address", max_length=200)
    valid_from = record_date("Used from")
    valid_to = record_date("Used until")


class VehicleForm(JointCaseForm):
    registration = text("Registration", max_length=10)
    make = text("Make", max_length=60, required=False)
    model = text("Model", max_length=60, required=False)
    colour = text("Colour", max_length=40, required=False)
    valid_from = record_date("Used from")
    valid_to = record_date("Used until")


class DocumentForm(JointCaseForm):
    kind = choice("Kind of document", DocumentKind.choices, blank="Choose a kind")
    number = text("Document number", max_length=40)
    issuing_country = text("Issuing country", max_length=80)
    expires_on = record_date("Expiry date")


class SearchForm(JointCaseForm):
    q = forms.CharField(
        label="Name, alias, date of birth or identifier",
        max_length=200,
        required=False,
        help_text="For example Bill Smyth, 3/7/1984, X123456 or A1234BC",
    )
