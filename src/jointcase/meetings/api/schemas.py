"""The meetings API's request and response schemas. Unknown fields are refused (no mass
assignment)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool
from pydantic.config import JsonDict

from jointcase.access.labels import Classification
from jointcase.accounts.models import User
from jointcase.api_common import (
    REQUIRED_TEXT,
    IsoDate,
    IsoDateTime,
    PageQuery,
    rules,
    shown_in,
    username,
)
from jointcase.material.api import CAVEATS, CLASSIFICATION, RELEASABLE_TO, LabelOut
from jointcase.meetings import selectors
from jointcase.meetings.models import (
    ActionPriority,
    ActionSource,
    Invitation,
    MeetingDecision,
    MeetingStatus,
    MeetingType,
    OtherAgencyAttendees,
    RiskPillar,
    WithheldDisplay,
)


def _meeting_public_id(obj: Any) -> uuid.UUID | None:
    """The opaque identifier of the meeting an action, decision or plan entry came from."""
    return obj.meeting.public_id if obj.meeting_id is not None else None


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


_REQUIRED_STRING: JsonDict = {"type": "string", **REQUIRED_TEXT}
_BLANK: JsonDict = {"type": "string", "pattern": "^\\s*$"}


class ActionOut(Schema):
    id: uuid.UUID = Field(..., description="The action's opaque identifier")
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    meeting: uuid.UUID | None = Field(None, description="The meeting's opaque identifier")
    source_kind: str
    source_id: str
    description: str
    owner: str
    owner_agency: str
    due_date: dt.date
    priority: str
    status: str
    overdue: bool
    completed_at: dt.datetime | None
    evidence: str
    version: int

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID | None:
        return _meeting_public_id(obj)

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.username)

    @staticmethod
    def resolve_owner_agency(obj: Any) -> str:
        return str(obj.owner_agency.code)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue)


class ActionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ActionOut]


class ActionIn(_Strict):
    description: str = Field(..., max_length=4000, json_schema_extra=REQUIRED_TEXT)
    owner: str = Field(
        ...,
        max_length=150,
        description="The owner's username: someone who may own actions on the case",
        json_schema_extra=username(),
    )
    due_date: IsoDate = Field(
        ..., description="Today or later", json_schema_extra=rules("today-or-later")
    )
    priority: str = Field(
        "MEDIUM", max_length=8, json_schema_extra={"enum": list(ActionPriority.values)}
    )
    meeting: uuid.UUID | None = Field(None, description="The meeting's opaque identifier")
    source_kind: str | None = Field(
        None,
        max_length=12,
        json_schema_extra={"enum": [*ActionSource.values, None]},
        description="MEETING, MATERIAL or ASSESSMENT (default: MEETING "
        "with a meeting, else ASSESSMENT)",
    )
    source_id: str = Field("", max_length=64, description="The source's id (material, assessment)")


class ActionCompleteIn(_Strict):
    evidence: str = Field(..., max_length=8000, json_schema_extra=REQUIRED_TEXT)
    evidence_item_id: uuid.UUID | None = Field(
        None,
        description="A material item on the action's case the caller can see",
        json_schema_extra=rules("visible-object"),
    )
    version: int | None = None


class ReassignIn(_Strict):
    owner: str = Field(
        ...,
        max_length=150,
        description="The new owner's username: someone else who may own actions on the case",
        json_schema_extra=username("not-the-current-owner"),
    )
    reason: str = Field(..., max_length=2000, json_schema_extra=REQUIRED_TEXT)
    version: int | None = None


class StatusIn(_Strict):
    """Open or in progress, or cancelled with the reason (the document's ``oneOf``); an action
    is completed with evidence (``/complete``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "title": "Open or in progress",
                    "properties": {"status": {"enum": ["OPEN", "IN_PROGRESS"]}},
                },
                {
                    "title": "Cancelled, with the reason",
                    "properties": {"status": {"const": "CANCELLED"}, "reason": _REQUIRED_STRING},
                    "required": ["reason"],
                },
            ]
        },
    )

    status: str = Field(
        ..., max_length=12, json_schema_extra={"enum": ["OPEN", "IN_PROGRESS", "CANCELLED"]}
    )
    reason: str = Field("", max_length=2000)
    version: int | None = None


class DueIn(_Strict):
    due_date: IsoDate = Field(
        ..., description="Today or later", json_schema_extra=rules("today-or-later")
    )
    reason: str = Field(..., max_length=2000, json_schema_extra=REQUIRED_TEXT)
    version: int | None = None


class InvitationIn(_Strict):
    """A user (``user``), or an external attendee (``external_name`` and ``external_agency``,
    no ``user``): exactly one of the two, as the document's ``oneOf`` says."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "title": "A user",
                    "required": ["user"],
                    "properties": {"user": _REQUIRED_STRING, "external_name": _BLANK},
                },
                {
                    "title": "An external attendee",
                    "required": ["external_name", "external_agency"],
                    "properties": {
                        "user": {"type": "null"},
                        "external_name": _REQUIRED_STRING,
                        "external_agency": _REQUIRED_STRING,
                    },
                },
            ]
        },
    )

    user: str | None = Field(
        None, max_length=150, description="A user's username", json_schema_extra=username()
    )
    external_name: str = Field("", max_length=200)
    external_role: str = Field("", max_length=200)
    external_agency: str = Field(
        "",
        max_length=200,
        description="The external attendee's agency: one the minutes may be released to",
        json_schema_extra=rules("releasable-to-invitees"),
    )


class MeetingIn(_Strict):
    type: str = Field(..., max_length=24, json_schema_extra={"enum": list(MeetingType.values)})
    starts_at: IsoDateTime
    chair: str = Field(
        ..., max_length=150, description="The chair's username", json_schema_extra=username()
    )
    cases: list[uuid.UUID] = Field(
        ..., min_length=1, max_length=50, description="The cases' opaque identifiers"
    )
    agenda: str = Field("", max_length=8000)
    minutes_releasable_to: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Agency codes (empty: every agency)",
        json_schema_extra=RELEASABLE_TO,
    )
    invitees: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Usernames",
        json_schema_extra={"items": {"type": "string", **username()}},
    )


class MeetingChangeIn(_Strict):
    version: int
    type: str | None = Field(
        None, max_length=24, json_schema_extra={"enum": [*MeetingType.values, None]}
    )
    starts_at: IsoDateTime | None = None
    chair: str | None = Field(
        None, max_length=150, description="The chair's username", json_schema_extra=username()
    )
    agenda: str | None = Field(None, max_length=8000)
    status: str | None = Field(
        None, max_length=10, json_schema_extra={"enum": [*MeetingStatus.values, None]}
    )
    cases: list[uuid.UUID] | None = Field(
        None,
        min_length=1,
        max_length=50,
        description="The new set among the cases the caller may see (opaque identifiers)",
    )


class AttendeeOut(Schema):
    id: uuid.UUID = Field(..., description="The invitation's opaque identifier")
    name: str
    agency: str
    invited: bool
    attended: bool
    apologies: bool

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)

    @staticmethod
    def resolve_agency(obj: Any) -> str:
        return str(obj.agency_name)


class SectionOut(Schema):
    order: int
    heading: str
    classification: str
    caveats: list[str]
    originator: str
    body: str | None
    withheld: str | None


class MeetingOut(Schema):
    id: uuid.UUID = Field(..., description="The meeting's opaque identifier")
    type: str
    starts_at: dt.datetime
    status: str
    chair: str
    agenda: str
    cases: list[uuid.UUID] = Field(..., description="The cases' opaque identifiers")
    version: int

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_chair(obj: Any) -> str:
        return str(obj.chair.username)

    @staticmethod
    def resolve_cases(obj: Any, context: Any) -> list[uuid.UUID]:
        """Only the cases the caller may see (a meeting's other cases are never revealed)."""
        user = getattr((context or {}).get("request"), "user", None)
        if not isinstance(user, User):
            return []
        return list(selectors.meeting_cases_for(user, obj).values_list("public_id", flat=True))


class DecisionIn(_Strict):
    case: uuid.UUID = Field(..., description="One of the meeting's cases (its opaque identifier)")
    text: str = Field("", max_length=4000)


class DecisionOut(Schema):
    id: int
    meeting: uuid.UUID | None = Field(None, description="The meeting's opaque identifier")
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    text: str
    recorded_by: str | None
    decided_on: dt.date

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID | None:
        return _meeting_public_id(obj)

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return obj.recorded_by.username if obj.recorded_by_id else None


@dataclass(frozen=True)
class MeetingShown:
    """What ``meeting_read`` answers with a meeting: its attendees, its minutes at the
    caller's clearance with their marking, and only the decisions on cases the caller may see."""

    attendees: list[Invitation]
    minutes: list[SectionOut]
    marking: str
    decisions: list[MeetingDecision]


class MeetingDetailOut(MeetingOut):
    # Answered through ``api_common.shown_as`` with a ``MeetingShown``.
    attendees: list[AttendeeOut]
    minutes: list[SectionOut]
    marking: str
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_attendees(obj: Any, context: Any) -> list[Invitation]:
        return shown_in(context, MeetingShown).attendees

    @staticmethod
    def resolve_minutes(obj: Any, context: Any) -> list[SectionOut]:
        return shown_in(context, MeetingShown).minutes

    @staticmethod
    def resolve_marking(obj: Any, context: Any) -> str:
        return shown_in(context, MeetingShown).marking

    @staticmethod
    def resolve_decisions(obj: Any, context: Any) -> list[MeetingDecision]:
        return shown_in(context, MeetingShown).decisions


class SectionIn(_Strict):
    """A minutes section and its label. There is no ``originator`` field: the originator is
    always the caller's agency (an ``originator`` in the body is refused, like any unknown
    field)."""

    heading: str = Field(..., max_length=200, json_schema_extra=REQUIRED_TEXT)
    body: str = Field(..., max_length=50_000, json_schema_extra=REQUIRED_TEXT)
    case: uuid.UUID | None = Field(
        None,
        description="The case it is about, by its opaque identifier "
        "(default: the first of the meeting's cases)",
    )
    classification: str = Field(
        Classification.OFFICIAL_SENSITIVE, max_length=20, json_schema_extra=CLASSIFICATION
    )
    caveats: list[str] = Field(
        default_factory=list, max_length=20, description="Caveat codes", json_schema_extra=CAVEATS
    )
    releasable_to: list[str] = Field(
        default_factory=list,
        max_length=50,
        json_schema_extra={**RELEASABLE_TO, **rules("releasable-to-invitees")},
        description="Agency codes (empty: the meeting's own releasability)",
    )
    withheld_display: str = Field(
        WithheldDisplay.SHOW_PLACEHOLDER,
        max_length=20,
        json_schema_extra={"enum": list(WithheldDisplay.values)},
        description="For readers who may not see it: SHOW_PLACEHOLDER or OMIT",
    )
    other_agency_attendees: str = Field(
        OtherAgencyAttendees.REFUSE,
        max_length=10,
        json_schema_extra={"enum": list(OtherAgencyAttendees.values)},
        description="For a section released to some agencies, attendees of other agencies: "
        "REFUSE them, or WITHHOLD the section from them",
    )


class SectionAddedOut(LabelOut):
    id: int
    meeting: uuid.UUID = Field(..., description="The meeting's opaque identifier")
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    order: int
    heading: str
    withheld_display: str
    other_agency_attendees: str

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID:
        return obj.meeting.public_id

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id


class PlanEntryIn(_Strict):
    pillar: str = Field(
        ...,
        max_length=30,
        description="The pillar of the plan",
        json_schema_extra={"enum": list(RiskPillar.values)},
    )
    text: str = Field(..., max_length=4000, json_schema_extra=REQUIRED_TEXT)
    owner: str | None = Field(
        None,
        max_length=150,
        description="The owner's username (optional): someone who may own actions on the case",
        json_schema_extra=username(optional=True),
    )


class PlanEntryOut(Schema):
    id: int
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    pillar: str
    text: str
    owner: str | None
    entry_date: dt.date
    meeting: uuid.UUID | None = Field(None, description="The meeting's opaque identifier")

    @staticmethod
    def resolve_case(obj: Any) -> uuid.UUID:
        return obj.case.public_id

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.username if obj.owner_id else None

    @staticmethod
    def resolve_meeting(obj: Any) -> uuid.UUID | None:
        return _meeting_public_id(obj)


class PlanPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PlanEntryOut]


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MeetingOut]


class AttendanceIn(_Strict):
    attended: StrictBool
    apologies: StrictBool = False


class ActionQuery(PageQuery):
    status: str | None = Field(None, max_length=12)
    due: str | None = Field(None, max_length=10)
    case: uuid.UUID | None = Field(
        None, description="Only actions on this case (its opaque identifier)"
    )
