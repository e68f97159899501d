"""Forms of the case pages: shape only. The cases services validate the rules (date order,
enumerations, catalogue parameters) and their field errors are put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Team
from jointcase.cases.conditions import ConditionSpec
from jointcase.cases.models import (
    KEY_DATES,
    CaseRole,
    Cohort,
    ExitKind,
    Ideology,
    MappaCategory,
    MappaLevel,
    RecallType,
    SecurityCategory,
    SentenceType,
)
from jointcase.lib.forms import JointCaseForm
from jointcase.people.forms import VersionedForm, choice, record_date, text


def _agencies(label: str, **filters: Any) -> forms.ModelChoiceField:

    return forms.ModelChoiceField(
        label=label,
        queryset=Agency.objects.filter(is_active=True, **filters).order_by("name"),
        empty_label="Choose an agency",
        error_messages={
            "required": "Select the agency",
            "invalid_choice": "Select the agency from the list",
        },
    )


def _days(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100 * 366,
        required=False,
        error_messages={
            "invalid": f"{label} must be a whole number of days",
            "min_value": f"{label} cannot be negative",
            "max_value": f"{label} is too long",
        },
    )


class CaseOpenForm(JointCaseForm):
    actor_role = choice("Your role on the case", CaseRole.choices, blank="Choose your role")
    cohort = choice("Cohort", Cohort.choices, blank="Choose a cohort")
    ideology = choice("Ideology category", Ideology.choices, blank="Choose a category")
    lead_agency = _agencies("Lead agency")
    opened_at = record_date("Date opened")


class KeyFactsForm(VersionedForm):
    cohort = choice("Cohort", Cohort.choices)
    ideology = choice("Ideology category", Ideology.choices)
    lead_agency = _agencies("Lead agency")


class MappaForm(JointCaseForm):
    category = choice("MAPPA category", MappaCategory.choices, blank="Choose a category")
    level = choice(
        "MAPPA level", [(str(v), label) for v, label in MappaLevel.choices], blank="Choose a level"
    )
    review_date = record_date("Review date", required=True)
    valid_from = record_date("Registered from", required=True)


class PlacementForm(JointCaseForm):
    establishment = _agencies("Establishment", kind="PRISON")
    in_separation_centre = forms.BooleanField(label="Held in a separation centre", required=False)
    security_category = choice(
        "Security category", SecurityCategory.choices, blank="Choose a category"
    )
    valid_from = record_date("Placed from", required=True)


class SentenceForm(JointCaseForm):
    type = choice("Sentence type", SentenceType.choices, blank="Choose a type")
    offence = text("Offence", max_length=300, required=False)
    conviction_date = record_date("Conviction date", required=True)
    sentence_date = record_date("Sentence date", required=True)
    length_days = _days("Custodial term in days")
    extended_licence_days = _days("Extended licence in days")
    remand_days = _days("Days on remand")
    crd = record_date("Conditional release date (CRD)")
    ard = record_date("Automatic release date (ARD)")
    ped = record_date("Parole eligibility date (PED)")
    hdced = record_date("Home detention curfew eligibility date (HDCED)")
    prrd = record_date("Post-recall release date (PRRD)")
    led = record_date("Licence expiry date (LED)")
    sed = record_date("Sentence expiry date (SED)")
    tused = record_date("Top-up supervision expiry date (TUSED)")
    released_on = record_date("Date released")

    KEY_DATE_FIELDS = tuple(name for name, _label in KEY_DATES)


class LicenceForm(JointCaseForm):
    starts_on = record_date("Licence starts", required=True)
    expires_on = record_date("Licence expires", required=True)


class ConditionChoiceForm(JointCaseForm):
    code = forms.ChoiceField(
        label="Licence condition",
        error_messages={
            "required": "Select a licence condition",
            "invalid_choice": "Select a licence condition from the list",
        },
    )

    def __init__(self, *args: Any, catalogue: dict[str, ConditionSpec], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a condition")] + [
            (code, spec.title) for code, spec in sorted(catalogue.items(), key=lambda i: i[1].title)
        ]


class ConditionParametersForm(JointCaseForm):
    """The parameters of one catalogue condition, built from its specification."""

    code = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, spec: ConditionSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["code"].initial = spec.code
        for parameter in spec.parameters:
            field: forms.Field
            name = f"parameters.{parameter.name}"
            if parameter.type == "choice":
                field = choice(
                    parameter.label,
                    list(zip(parameter.choices, parameter.choice_labels, strict=True)),
                    required=parameter.required,
                    blank="Choose one",
                )
            elif parameter.type == "date":
                field = record_date(parameter.label, required=parameter.required)
            elif parameter.type == "boolean":
                field = choice(
                    parameter.label,
                    [("yes", "Yes"), ("no", "No")],
                    required=parameter.required,
                    blank="Choose one",
                )
            else:
                hint = "For example 19:00" if parameter.type == "time" else None
                field = text(
                    parameter.label,
                    max_length=500,
                    required=parameter.required,
                    help_text=hint or "",
                )
            self.fields[name] = field

    def parameters(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for parameter in self.spec.parameters:
            value = self.cleaned_data.get(f"parameters.{parameter.name}")
            if value in (None, ""):
                continue
            values[parameter.name] = value.isoformat() if hasattr(value, "isoformat") else value
        return values


class RecallForm(JointCaseForm):
    type = choice("Type of recall", RecallType.choices)
    recalled_on = record_date("Date recalled", required=True)
    returned_to_custody_on = record_date("Date returned to custody")
    reason = forms.CharField(
        label="Reason for recall",
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason for recall"},
    )


class ExitForm(JointCaseForm):
    kind = choice("Exit or handover", ExitKind.choices)
    exited_on = record_date("Date of exit or handover", required=True)
    to_agency = _agencies("Agency taking over")
    onward_plan = forms.CharField(
        label="Onward plan",
        max_length=10000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the onward plan"},
    )


class TeamMemberForm(JointCaseForm):
    role = choice("Role on the case", CaseRole.choices, blank="Choose a role")
    username = text(
        "Username of the person joining",
        max_length=150,
        required=False,
        help_text="Leave blank to add a whole team instead",
    )
    team: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Or a whole team",
        queryset=None,
        required=False,
        empty_label="Not a whole team",
        error_messages={"invalid_choice": "Select the team from the list"},
    )
    start = record_date("Start date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Team.objects.select_related("agency").order_by("agency__name", "name")

    def clean(self) -> dict[str, Any]:

        data = super().clean() or {}
        username = (data.get("username") or "").strip()
        team = data.get("team")
        if username and team:
            raise ValidationError("Add either a person or a whole team, not both")
        if not username and not team and not self.errors:
            self.add_error("username", "Enter the username of the person joining, or choose a team")
        if username:
            user = (
                User.objects.filter(username=username, is_active=True)
                .select_related("agency")
                .first()
            )
            if user is None:
                self.add_error("username", "Enter the username of an active user")
            data["user"] = user
        return data


class TeamMemberEndForm(JointCaseForm):
    """A confirmation: removal takes effect at once (the member's next request is refused)."""


class ExclusionForm(JointCaseForm):
    username = text("Username of the person to exclude", max_length=150)
    reason = forms.CharField(
        label="Reason",
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason for the exclusion"},
    )

    def clean_username(self) -> Any:

        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError("Enter the username of a JointCase user")
        return user


class TimelineFilterForm(JointCaseForm):
    agency = forms.IntegerField(required=False, min_value=1)
    kind = forms.CharField(required=False, max_length=20)
