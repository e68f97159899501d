"""Forms of the material pages. Labels are chosen from controlled lists; the originator is
never a field (it is the author's agency)."""

from __future__ import annotations

from typing import Any

from django import forms

from jointcase.access.labels import Classification
from jointcase.agencies.fields import ReleasableToField
from jointcase.agencies.models import Agency, Caveat
from jointcase.lib.forms import GovukDateField, JointCaseForm
from jointcase.material.models import BreakGlassOutcome, ItemKind
from jointcase.material.services.retention import retention_clean

CLASSIFICATIONS = [(value, label) for value, label in Classification.choices]


def _caveat_choices() -> list[tuple[str, str]]:
    return [
        (c.code, f"{c.code} ({c.name})" if c.name != c.code else c.code)
        for c in Caveat.objects.filter(is_active=True).order_by("code")
    ]


def _agency_choices() -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in Agency.objects.filter(is_active=True).order_by("name")]


class _RetentionDateClean:
    """The retention date checked with the form's other fields, by the service's own rule."""

    cleaned_data: dict[str, Any]

    def clean_retain_until(self) -> Any:

        value = self.cleaned_data.get("retain_until")
        if value is None:
            return value
        problems: dict[str, list[str]] = {}
        retention_clean(value, problems)
        if problems:
            raise forms.ValidationError(problems["retain_until"])
        return value


class _LabelForm(JointCaseForm):
    classification = forms.ChoiceField(
        label="Classification",
        choices=CLASSIFICATIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a classification"},
    )
    caveats = forms.MultipleChoiceField(
        label="Caveats", required=False, widget=forms.CheckboxSelectMultiple
    )
    releasable_to = ReleasableToField(
        help_text="Leave empty to release to every agency on the case"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        caveats = self.fields["caveats"]
        assert isinstance(caveats, forms.MultipleChoiceField)
        caveats.choices = _caveat_choices()


class MaterialAddForm(_RetentionDateClean, _LabelForm):
    field_order = [
        "kind",
        "title",
        "classification",
        "caveats",
        "releasable_to",
        "orcon",
        "handling_instructions",
        "review_date",
        "retain_until",
        "body",
        "held_by",
        "file",
    ]
    kind = forms.ChoiceField(
        label="What are you adding?",
        choices=ItemKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of material"},
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    orcon = forms.BooleanField(label="Originator controlled (ORCON)", required=False)
    handling_instructions = forms.CharField(
        label="Handling instructions", required=False, max_length=2000, widget=forms.Textarea
    )
    review_date = GovukDateField(
        label="Review date",
        required=False,
        help_text="For example, 31 3 2027",
    )
    retain_until = GovukDateField(
        what="the date to keep it until",
        label="Keep until (optional)",
        required=False,
        help_text="For example, 31 3 2033. Leave blank to keep it for the standard period. "
        "After this date its content is destroyed.",
    )
    body = forms.CharField(
        label="Content", required=False, max_length=200_000, widget=forms.Textarea
    )
    held_by = forms.CharField(
        label="Held by (references only)",
        required=False,
        max_length=200,
        help_text="Where the material is held, for a reference to material held elsewhere",
    )
    file = forms.FileField(label="Upload a file", required=False)


class LabelChangeForm(_LabelForm):
    orcon = forms.BooleanField(label="Originator controlled (ORCON)", required=False)
    reason = forms.CharField(
        label="Why is the label changing?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter why the label is changing"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TearlineForm(_LabelForm):
    field_order = [
        "title",
        "classification",
        "caveats",
        "releasable_to",
        "body",
        "file",
        "hide_fuller_version",
    ]
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    body = forms.CharField(
        label="Sanitised content",
        max_length=200_000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the sanitised content"},
    )
    file = forms.FileField(label="Upload a sanitised file (optional)", required=False)
    hide_fuller_version = forms.BooleanField(
        label="Do not tell readers that a fuller version exists", required=False
    )


class DecisionForm(JointCaseForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select approve or refuse"},
    )
    reason = forms.CharField(label="Reason", required=False, max_length=2000, widget=forms.Textarea)


class TearlineDecisionForm(DecisionForm):
    decision = forms.ChoiceField(
        label="Do you approve this tearline?",
        choices=[("approve", "Approve it"), ("refuse", "Refuse it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve the tearline"},
    )
    reason = forms.CharField(
        label="Reason (needed if you refuse it)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )


class RefuseForm(JointCaseForm):
    """Refusing a request for a tearline (writing the tearline is how it is granted)."""

    reason = forms.CharField(
        label="Why are you refusing it?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter why you are refusing the request"},
    )


class NoteForm(_LabelForm):
    """A case note: a title, the text and a label with sensible defaults (OFFICIAL-SENSITIVE,
    no caveats, released to every agency on the case)."""

    field_order = ["title", "body", "classification", "caveats", "releasable_to"]
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title for the note"}
    )
    body = forms.CharField(
        label="Note",
        max_length=200_000,
        widget=forms.Textarea,
        error_messages={"required": "Enter the note"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "classification", Classification.OFFICIAL_SENSITIVE
        )
        super().__init__(*args, **kwargs)
        self.fields["classification"].help_text = (
            "Most case notes are OFFICIAL-SENSITIVE. Choose a higher marking only if the note "
            "holds material that needs it"
        )


class ShareRequestForm(JointCaseForm):
    reason = forms.CharField(
        label="Why do you need it?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter why you need it"},
    )


class OnwardShareForm(JointCaseForm):
    to_agency = forms.ChoiceField(
        label="Share with", error_messages={"required": "Select an agency"}
    )
    reason = forms.CharField(
        label="Why should it be shared?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter why it should be shared"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select an agency"), *_agency_choices()]


class BreakGlassForm(JointCaseForm):
    reason = forms.CharField(
        label="Why do you need emergency access?",
        max_length=2000,
        widget=forms.Textarea,
        min_length=10,
        error_messages={
            "required": "Enter why you need emergency access",
            "min_length": "Enter why you need emergency access (at least 10 characters)",
        },
    )


class BreakGlassStartForm(BreakGlassForm):
    """Break-glass for a case found by its reference."""

    case_reference = forms.CharField(
        label="Case reference",
        help_text="The reference of the case, as a colleague gave it to you",
        max_length=20,
        error_messages={"required": "Enter the case reference"},
    )

    field_order = ["case_reference", "reason"]


class BreakGlassReviewForm(JointCaseForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=BreakGlassOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    notes = forms.CharField(
        label="Review notes",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter your review notes"},
    )


class DestroyForm(JointCaseForm):
    reason = forms.CharField(
        label="Why is this item destroyed?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter why the item is destroyed"},
    )


class GrantRevokeForm(JointCaseForm):
    reason = forms.CharField(
        label="Why is this access revoked?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter why the access is revoked"},
    )


class RetentionForm(_RetentionDateClean, JointCaseForm):
    retain_until = GovukDateField(
        what="the date to keep the item until",
        label="Keep until",
        help_text="For example, 31 3 2033. After this date its content is destroyed.",
    )
    reason = forms.CharField(
        label="Why is the retention date changing?",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": "Enter why the retention date is changing"},
    )


class MaterialFilterForm(JointCaseForm):
    """Narrowing a case's material tab (GET): words of the title, the kind, the marking."""

    title = forms.CharField(label="Title contains", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any kind"), *ItemKind.choices],
        error_messages={"invalid_choice": "Select a kind from the list"},
    )
    classification = forms.ChoiceField(
        label="Classification",
        required=False,
        choices=[("", "Any classification"), *Classification.choices],
        error_messages={"invalid_choice": "Select a classification from the list"},
    )
