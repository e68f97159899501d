"""Forms of the meetings pages. They parse; the services validate the rules (owner on the
case, due date not past...) and their field-keyed errors are shown on the same form."""

from __future__ import annotations

from typing import Any

from django import forms

from jointcase.access.labels import Classification
from jointcase.access.meetings import OWNER_REFUSED
from jointcase.accounts.models import User
from jointcase.agencies.fields import ReleasableToField
from jointcase.agencies.models import Caveat
from jointcase.lib.forms import (
    GovukDateField,
    JointCaseForm,
    LabelledModelChoiceField,
    LabelledModelMultipleChoiceField,
)
from jointcase.meetings.models import (
    ActionPriority,
    ActionStatus,
    MeetingStatus,
    MeetingType,
    OtherAgencyAttendees,
    RiskPillar,
    WithheldDisplay,
)


def _user_label(obj: Any) -> str:
    return (
        f"{obj.get_full_name() or obj.username} ({obj.agency.name if obj.agency else 'no agency'})"
    )


def _case_reference(case: Any) -> str:
    return str(case.reference)


def _users(queryset: Any, *, label: str, invalid: str | None = None) -> forms.ModelChoiceField:
    """A person picker; ``invalid``: the message for a person not offered (the service's own
    refusal, so that no answer tells whether someone exists)."""
    field = LabelledModelChoiceField(
        queryset=queryset,
        required=False,
        empty_label="Select a person",
        label=label,
        label_of=_user_label,
    )
    if invalid is not None:
        field.error_messages["invalid_choice"] = invalid
    return field


class ActionForm(JointCaseForm):
    description = forms.CharField(
        label="What was agreed", max_length=4000, required=False, widget=forms.Textarea
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Owner")
    due_date = GovukDateField(what="the date the action is due", label="Due date", required=False)
    priority = forms.ChoiceField(choices=ActionPriority.choices, initial=ActionPriority.MEDIUM)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _users(owners, invalid=OWNER_REFUSED, label="Owner")


class MeetingActionForm(ActionForm):
    case = LabelledModelChoiceField(
        queryset=None, required=True, label="Case", empty_label=None, label_of=_case_reference
    )

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_choice_field("case").queryset = cases


class CompleteForm(JointCaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    evidence = forms.CharField(
        label="Evidence the action is complete",
        max_length=8000,
        required=False,
        widget=forms.Textarea,
    )
    evidence_item_id = forms.UUIDField(
        label="Linked material item (optional)",
        required=False,
        help_text="The reference of a material item on this case, as its page shows it",
        error_messages={
            "invalid": "Enter the reference of a material item on this case, as its page shows "
            "it (for example 3f2b8c1e-5d4a-4b7e-9c0d-2a1b3c4d5e6f)"
        },
    )


class ReassignForm(JointCaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="New owner")
    reason = forms.CharField(
        label="Why it is being reassigned", max_length=2000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _users(owners, invalid=OWNER_REFUSED, label="New owner")


class StatusForm(JointCaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=[
            (ActionStatus.OPEN, "Open"),
            (ActionStatus.IN_PROGRESS, "In progress"),
            (ActionStatus.CANCELLED, "Cancelled"),
        ]
    )
    reason = forms.CharField(
        label="Reason (needed to cancel)", max_length=2000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, may_cancel: bool = True, **kwargs: Any) -> None:
        """``may_cancel``: whether the user may cancel the action (``action_due_change_refusal``);
        the choice is offered only to who may make it."""
        super().__init__(*args, **kwargs)
        if not may_cancel:
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (ActionStatus.OPEN, "Open"),
                (ActionStatus.IN_PROGRESS, "In progress"),
            ]
            self.fields["reason"].label = "Reason (optional)"


class _MeetingDetailsForm(JointCaseForm):
    """What a new meeting and a meeting's edit page both ask: type, date and time, chair, the
    cases discussed and the agenda; the cases and people offered are the caller's to give."""

    type = forms.ChoiceField(choices=MeetingType.choices, label="Type of meeting")
    day = GovukDateField(what="the date of the meeting", label="Date")
    time = forms.TimeField(
        label="Start time", help_text="For example, 14:00", input_formats=["%H:%M", "%H.%M"]
    )
    chair = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Chair")
    cases = LabelledModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Cases discussed",
        widget=forms.CheckboxSelectMultiple,
        label_of=lambda c: f"{c.reference} {c.person.display_name}",
    )
    agenda = forms.CharField(max_length=8000, required=False, widget=forms.Textarea, label="Agenda")

    def __init__(self, *args: Any, cases: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_choice_field("cases").queryset = cases
        self.fields["chair"] = _users(people, label="Chair")


class MeetingForm(_MeetingDetailsForm):
    field_order = ("type", "day", "time", "chair", "cases", "invitees", "minutes_releasable_to")

    invitees = LabelledModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Invite",
        widget=forms.CheckboxSelectMultiple,
        label_of=lambda u: (
            f"{u.get_full_name() or u.username} ({u.agency.name if u.agency else ''})"
        ),
    )
    minutes_releasable_to = ReleasableToField(
        label="Minutes releasable to", help_text="Leave empty for every agency on the cases"
    )

    def __init__(self, *args: Any, cases: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, cases=cases, people=people, **kwargs)
        self.model_choice_field("invitees").queryset = people


class SectionForm(JointCaseForm):
    heading = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        max_length=50_000, required=False, widget=forms.Textarea, label="Minutes"
    )
    case = LabelledModelChoiceField(
        queryset=None,
        required=False,
        label="Case this section is about",
        empty_label=None,
        label_of=_case_reference,
    )
    classification = forms.ChoiceField(
        choices=Classification.choices, initial=Classification.OFFICIAL_SENSITIVE
    )
    caveats = LabelledModelMultipleChoiceField(
        queryset=Caveat.objects.filter(is_active=True).order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label_of=lambda c: c.code,
    )
    releasable_to = ReleasableToField(help_text="Leave empty for the meeting's default")
    withheld_display = forms.ChoiceField(
        choices=WithheldDisplay.choices,
        initial=WithheldDisplay.SHOW_PLACEHOLDER,
        label="Readers who may not see this section",
    )
    other_agency_attendees = forms.ChoiceField(
        choices=OtherAgencyAttendees.choices,
        initial=OtherAgencyAttendees.REFUSE,
        required=False,
        label="Attendees from agencies this section is not released to",
        help_text="Only for a section released to some agencies",
    )

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_choice_field("case").queryset = cases


class InviteForm(JointCaseForm):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="A JointCase user"
    )
    external_name = forms.CharField(
        max_length=200, required=False, label="Or an external attendee: name"
    )
    external_role = forms.CharField(max_length=200, required=False, label="Role")
    external_agency = forms.CharField(max_length=200, required=False, label="Agency")

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"] = _users(people, label="A JointCase user")


class AttendanceForm(JointCaseForm):
    invitation = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"invalid": "Choose someone invited to this meeting"},
    )
    outcome = forms.ChoiceField(
        choices=[
            ("attended", "Attended"),
            ("apologies", "Sent apologies"),
            ("absent", "Did not attend"),
        ]
    )


class DecisionForm(JointCaseForm):
    case = LabelledModelChoiceField(
        queryset=None, required=True, label="Case", empty_label=None, label_of=_case_reference
    )
    text = forms.CharField(label="Decision", max_length=4000, required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model_choice_field("case").queryset = cases


class RiskEntryForm(JointCaseForm):
    pillar = forms.ChoiceField(choices=RiskPillar.choices, label="Pillar")
    text = forms.CharField(
        label="Plan entry", max_length=4000, required=False, widget=forms.Textarea
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Owner")

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _users(owners, invalid=OWNER_REFUSED, label="Owner (optional)")


class MeetingStatusForm(JointCaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=MeetingStatus.choices)


class DueDateForm(JointCaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    due_date = GovukDateField(what="the new due date", label="New due date", required=False)
    reason = forms.CharField(
        label="Why the due date is changing", max_length=2000, required=False, widget=forms.Textarea
    )


class MeetingEditForm(_MeetingDetailsForm):
    """The meeting's details and the cases discussed (invitees are changed on the meeting
    page: invite someone, or remove an invitee)."""

    field_order = ("version",)

    version = forms.IntegerField(widget=forms.HiddenInput)
