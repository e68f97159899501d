"""Forms of the person pages. They parse and check shape only; the people services validate
the rules (formats, uniqueness, date order) and their field errors are put back on these forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jointcase.lib.forms import JointCaseForm
from jointcase.people.models import AddressKind, ContactKind, DocumentKind, Gender, IdentifierType
from jointcase.people.search import parse_date


class UKDateField(forms.Field):
    """A date typed as 27/3/2007, 27-03-2007, 2007-03-27 or 27 March 2007."""

    widget = forms.TextInput

    def __init__(self, *, label: str, required: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "For example, 27/3/2007")
        super().__init__(label=label, required=required, **kwargs)
        self.error_messages["required"] = f"Enter the {label.lower()}"

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        parsed = parse_date(text[:40])
        if parsed is None:
            raise ValidationError(
                f"{self.label} must be a real date, like 27/3/2007", code="invalid"
            )
        if not dt.date(1900, 1, 1) <= parsed <= dt.date(2200, 12, 31):
            raise ValidationError(f"{self.label} must be between 1900 and 2200", code="invalid")
        return parsed

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return f"{value.day}/{value.month}/{value.year}"
        return value


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
    date_of_birth = UKDateField(label="Date of birth")
    gender = choice("Gender", Gender.choices, required=False)
    nationality = text("Nationality", max_length=80, required=False)

    def clean_date_of_birth(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("date_of_birth")
        if value is not None and value > dt.date.today():
            raise ValidationError("Date of birth must be in the past")
        return value


class PersonDetailsForm(VersionedForm):
    date_of_birth = UKDateField(label="Date of birth")
    gender = choice("Gender", Gender.choices, required=False)
    nationality = text("Nationality", max_length=80, required=False)


class NameForm(JointCaseForm):
    given_names = text("Given names", required=False)
    family_name = text("Family name")
    valid_from = UKDateField(label="Used from")
    valid_to = UKDateField(label="Used until")


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
        from jointcase.agencies.models import Agency

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
    valid_from = UKDateField(label="Lived there from")
    valid_to = UKDateField(label="Lived there until")


class ContactForm(JointCaseForm):
    kind = choice("Kind of contact", ContactKind.choices, blank="Choose a kind")
    value = text("Number or address", max_length=200)
    valid_from = UKDateField(label="Used from")
    valid_to = UKDateField(label="Used until")


class VehicleForm(JointCaseForm):
    registration = text("Registration", max_length=10)
    make = text("Make", max_length=60, required=False)
    model = text("Model", max_length=60, required=False)
    colour = text("Colour", max_length=40, required=False)
    valid_from = UKDateField(label="Used from")
    valid_to = UKDateField(label="Used until")


class DocumentForm(JointCaseForm):
    kind = choice("Kind of document", DocumentKind.choices, blank="Choose a kind")
    number = text("Document number", max_length=40)
    issuing_country = text("Issuing country", max_length=80)
    expires_on = UKDateField(label="Expiry date")


class SearchForm(JointCaseForm):
    q = forms.CharField(
        label="Name, alias, date of birth or identifier",
        max_length=200,
        required=False,
        help_text="For example Bill Smyth, 3/7/1984, X123456 or A1234BC",
    )
