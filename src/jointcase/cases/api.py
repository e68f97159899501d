"""The cases API (``/api/v1/cases``), scoped exactly like the pages.

Lists read through ``cases.selectors.case_list_for`` (the access filter inside the query);
one case through ``case_get_for`` (decided and audited; 404 for missing and forbidden alike).
Writes (open and change a case, its team and its exclusions) call the services the case pages
call (``cases.services``): their rules, their audit, the stale-edit ``version``, and the
access decisions they ask themselves (``jointcase.access.cases``) before they write.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from jointcase.access.acting import permission_require
from jointcase.access.cases import case_team_manage_refusal
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Team
from jointcase.api_common import (
    REQUIRED_TEXT,
    ErrorOut,
    IsoDate,
    NotFoundOut,
    PageQuery,
    api_user,
    paginate,
    rules,
    token_auth,
    username,
    vocabulary,
)
from jointcase.cases import services
from jointcase.cases.models import (
    Case,
    CaseExclusion,
    CaseRole,
    CaseTeamMember,
    Cohort,
    Ideology,
    Phase,
    TimelineKind,
)
from jointcase.cases.selectors import (
    case_get_for,
    case_list_for,
    case_overview,
    case_timeline_for,
    timeline_shown,
)
from jointcase.people.selectors import person_get_for

PhaseName = Enum("PhaseName", {value: value for value in Phase.values}, type=str)  # type: ignore[misc]
CohortName = Enum("CohortName", {value: value for value in Cohort.values}, type=str)  # type: ignore[misc]
IdeologyName = Enum("IdeologyName", {value: value for value in Ideology.values}, type=str)  # type: ignore[misc]
CaseRoleName = Enum("CaseRoleName", {value: value for value in CaseRole.values}, type=str)  # type: ignore[misc]
TimelineKindName = Enum(  # type: ignore[misc]
    "TimelineKindName", {value: value for value in TimelineKind.values}, type=str
)


class PersonRef(Schema):
    id: uuid.UUID = Field(..., description="The person's opaque identifier")
    display_name: str
    date_of_birth: dt.date | None

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id


class CaseOut(Schema):
    id: uuid.UUID = Field(..., description="The case's opaque identifier")
    reference: str = Field(..., description="The human reference, for display (JC-000001)")
    person: PersonRef
    cohort: str
    ideology: str
    lead_agency: str
    phase: str
    opened_at: dt.date
    closed_at: dt.date | None
    version: int

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_lead_agency(obj: Any) -> str:
        return str(obj.lead_agency.code)


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseOut]


class MappaOut(Schema):
    category: str
    level: int
    review_date: dt.date
    valid_from: dt.date
    valid_to: dt.date | None


class KeyDateOut(Schema):
    code: str
    label: str
    day: dt.date
    days_remaining: int


class SentenceOut(Schema):
    type: str
    offence: str
    conviction_date: dt.date
    sentence_date: dt.date
    length_days: int
    extended_licence_days: int
    released_on: dt.date | None


class ConditionOut(Schema):
    code: str
    title: str
    parameters: dict[str, Any]
    review_frequency: str
    added_on: dt.date
    removed_on: dt.date | None

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj)


class LicenceOut(Schema):
    starts_on: dt.date
    expires_on: dt.date
    conditions: list[ConditionOut]

    @staticmethod
    def resolve_conditions(obj: Any) -> list[Any]:
        return list(obj.conditions.all())


class NotificationOut(Schema):
    applies: bool
    reason: str
    period_years: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    initial_due_on: dt.date | None
    next_annual_due_on: dt.date | None


class MemberOut(Schema):
    role: str
    name: str
    agency: str
    start: dt.date
    end: dt.date | None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.user) if obj.user_id else f"{obj.team.name} (team)"

    @staticmethod
    def resolve_agency(obj: Any) -> str:
        return str(obj.agency.code)


class CaseDetailOut(CaseOut):
    mappa: MappaOut | None
    sentence: SentenceOut | None
    key_dates: list[KeyDateOut]
    licence: LicenceOut | None
    notification: NotificationOut | None
    team: list[MemberOut]


class EventLabelOut(Schema):
    classification: str = Field(..., description="The classification of what the caller sees")
    caveats: list[str] = Field(..., description="Caveat codes of the label")


class TimelineEventOut(Schema):
    occurred_at: dt.datetime
    kind: str
    title: str = Field(
        ..., description="The event; for a material item, with its title at the caller's clearance"
    )
    description: str
    agency: str | None
    label: EventLabelOut = Field(..., description="The event's own label (what the caller sees)")

    @staticmethod
    def resolve_label(obj: Any) -> dict[str, Any]:
        return {"classification": obj.classification, "caveats": obj.caveats}

    @staticmethod
    def resolve_agency(obj: Any) -> str | None:
        return obj.agency.code if obj.agency_id else None


class TimelinePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TimelineEventOut]


class CaseFilter(PageQuery):
    phase: PhaseName | None = Field(None, description="Only cases in this phase")
    cohort: CohortName | None = Field(None, description="Only cases of this cohort")


class TimelineFilter(PageQuery):
    kind: TimelineKindName | None = Field(None, description="Only events of this type")
    agency: str | None = Field(None, max_length=40, description="Only events of this agency (code)")


router = Router(tags=["cases"], auth=token_auth(write_scope="write:register"))


@router.get("/cases", response=CasePage, summary="Cases the caller may see")
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> dict[str, Any]:
    cases = case_list_for(
        user=api_user(request),
        phase=filters.phase.value if filters.phase else None,
        cohort=filters.cohort.value if filters.cohort else None,
    )
    return paginate(cases.order_by("reference"), filters)


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case with its current facts")
def case_detail(request: HttpRequest, case_id: str) -> Any:
    case = case_get_for(user=api_user(request), case_id=case_id, request=request)
    facts = case_overview(case)
    for name in ("mappa", "sentence", "key_dates", "licence", "notification", "team"):
        setattr(case, name, getattr(facts, name))
    return case


@router.get("/cases/{case_id}/timeline", response=TimelinePage, summary="The case's timeline")
def case_timeline(
    request: HttpRequest, case_id: str, filters: Query[TimelineFilter]
) -> dict[str, Any]:
    case = case_get_for(user=api_user(request), case_id=case_id, request=request)
    agency = Agency.objects.filter(code=filters.agency).first() if filters.agency else None
    if filters.agency and agency is None:
        return paginate([], filters)
    events = case_timeline_for(
        user=api_user(request),
        case=case,
        agency=agency,
        kind=filters.kind.value if filters.kind else None,
    )
    page = paginate(events, filters)
    page["results"] = timeline_shown(api_user(request), case, page["results"])
    return page


# --- Writes ---------------------------------------------------------------------------------


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class CaseIn(_Strict):
    person: uuid.UUID = Field(..., description="The person's opaque identifier")
    actor_role: CaseRoleName = Field(
        ..., description="The caller's role on the case (they join its team in it)"
    )
    cohort: CohortName
    ideology: IdeologyName
    lead_agency: str = Field(
        ...,
        max_length=40,
        description="The lead agency's code (an active agency)",
        json_schema_extra=vocabulary("agencies"),
    )
    opened_at: IsoDate | None = Field(
        None,
        description="Default: today; never in the future",
        json_schema_extra=rules("today-or-earlier"),
    )


class CaseChangeIn(_Strict):
    version: int = Field(..., ge=1, description="The case's version as last read")
    # Each may be left out (unchanged), never null: a case always has them (the default is
    # never validated, so a null sent is refused by the schema while an absent field is None).
    cohort: CohortName = Field(None, description="Leave out to keep it")  # type: ignore[assignment]
    ideology: IdeologyName = Field(None, description="Leave out to keep it")  # type: ignore[assignment]
    lead_agency: str = Field(  # type: ignore[assignment]
        None,
        max_length=40,
        description="The lead agency's code (an active agency); leave out to keep it",
        json_schema_extra=vocabulary("agencies"),
    )


def _agency(code: str, field: str) -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise ValidationError({field: "Select the agency from the list (an agency code)"})
    return agency


def _case_fresh(case: Case) -> Case:
    return Case.objects.select_related("person", "lead_agency").get(pk=case.pk)


@router.post(
    "/cases",
    response={201: CaseOut, 400: ErrorOut, 404: NotFoundOut},
    summary="Open a case on a person (the caller joins its team in their role)",
    description=(
        "The case page's rules: 400 by field for an unknown cohort, ideology, role or agency "
        "or an opening date in the future; 404 for a person the caller may not see."
    ),
)
def case_new(request: HttpRequest, payload: CaseIn) -> Any:
    user = api_user(request)
    person = person_get_for(
        user=user, person_id=payload.person, request=request, action="case.open_api"
    )
    case = services.case_open(
        actor=user,
        person=person,
        cohort=payload.cohort.value,
        ideology=payload.ideology.value,
        lead_agency=_agency(payload.lead_agency, "lead_agency"),
        opened_at=payload.opened_at,
        actor_role=payload.actor_role.value,
        request=request,
    )
    return Status(201, _case_fresh(case))


@router.patch(
    "/cases/{case_id}",
    response={200: CaseOut, 400: ErrorOut, 404: NotFoundOut},
    summary="Change a case's key facts (cohort, ideology, lead agency)",
    description=(
        "Only the fields sent are changed, with the `version` last read: a stale version is a "
        "400 on `version` and nothing is saved. 404 for a case the caller may not see (whoever "
        "sees a case may change its key facts, as on the pages)."
    ),
)
def case_change(request: HttpRequest, case_id: str, payload: CaseChangeIn) -> Any:
    user = api_user(request)
    case = case_get_for(user=user, case_id=case_id, request=request, action="case.edit_api")
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    for name in ("cohort", "ideology"):
        if name in changes:
            if changes[name] is None:
                raise ValidationError({name: f"Choose the {name} from the list"})
            changes[name] = changes[name].value
    if "lead_agency" in changes:
        changes["lead_agency"] = _agency(changes["lead_agency"] or "", "lead_agency")
    updated = services.case_update(
        actor=user, case=case, expected_version=version, request=request, **changes
    )
    return _case_fresh(updated)


# --- Case team and exclusions --------------------------------------------------------------


class TeamMemberOut(Schema):
    id: int = Field(..., description="The membership's identifier (the member_id below)")
    role: str
    user: str | None = Field(..., description="The member's username (null for a whole team)")
    name: str
    team: int | None = Field(..., description="The team's id, for a whole team")
    agency: str
    start: dt.date
    end: dt.date | None

    @staticmethod
    def resolve_user(obj: Any) -> str | None:
        return obj.user.username if obj.user_id else None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.user) if obj.user_id else f"{obj.team.name} (team)"

    @staticmethod
    def resolve_team(obj: Any) -> int | None:
        return obj.team_id

    @staticmethod
    def resolve_agency(obj: Any) -> str:
        return str(obj.agency.code)


class TeamPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TeamMemberOut]


class TeamMemberIn(_Strict):
    """A person (``user``) or a whole team (``team``): exactly one (the document's ``oneOf``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "title": "A person",
                    "properties": {
                        "user": {"type": "string", **REQUIRED_TEXT},
                        "team": {"type": "null"},
                    },
                    "required": ["user"],
                },
                {
                    "title": "A whole team",
                    "properties": {
                        "user": {"anyOf": [{"type": "null"}, {"const": ""}]},
                        "team": {"type": "integer"},
                    },
                    "required": ["team"],
                },
            ]
        },
    )

    role: CaseRoleName
    user: str | None = Field(
        None,
        max_length=150,
        description="The username of the person joining",
        json_schema_extra=username(optional=True),
    )
    team: int | None = Field(
        None, ge=1, description="Or a whole team, by its id", json_schema_extra=rules("active-team")
    )
    start: IsoDate | None = Field(None, description="Default: today")


class ExclusionOut(Schema):
    id: int = Field(..., description="The exclusion's identifier (the exclusion_id below)")
    user: str
    reason: str
    created_by: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_user(obj: Any) -> str:
        return str(obj.user.username)

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.username if obj.created_by_id else None


class ExclusionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ExclusionOut]


class ExclusionIn(_Strict):
    user: str = Field(
        ...,
        max_length=150,
        description="The username of the person to exclude",
        json_schema_extra=username(),
    )
    reason: str = Field(..., max_length=5000, json_schema_extra=REQUIRED_TEXT)


class ExclusionLiftIn(_Strict):
    reason: str = Field(..., max_length=5000, json_schema_extra=REQUIRED_TEXT)


def _managed_case(
    request: HttpRequest, case_id: str, action: str, *, read: str = "case.team_api"
) -> tuple[User, Case]:
    """The caller and the case whose team they manage: 404 for a case they may not see (its
    read audited as ``read``), 403 with a DENY entry (``action``) for one they see but may not
    manage."""
    user = api_user(request)
    case = case_get_for(user=user, case_id=case_id, request=request, action=read)
    permission_require(
        actor=user,
        refusal=case_team_manage_refusal(user, case),
        action=action,
        object_type="case",
        object_id=case.pk,
        request=request,
    )
    return user, case


def _row_of(rows: Any, raw_id: str) -> Any:
    """A row of the case by its id; 404 for a malformed or missing one."""
    row = rows.filter(pk=int(raw_id)).first() if raw_id.isdigit() else None
    if row is None:
        raise Http404("Not found")
    return row


def _member_fresh(member: CaseTeamMember) -> CaseTeamMember:
    return CaseTeamMember.objects.select_related("user", "team", "agency").get(pk=member.pk)


@router.get(
    "/cases/{case_id}/team",
    response={200: TeamPage, 404: NotFoundOut},
    summary="The case team, past and present",
)
def team_list(request: HttpRequest, case_id: str, query: Query[PageQuery]) -> dict[str, Any]:
    case = case_get_for(user=api_user(request), case_id=case_id, request=request)
    members = case.team_members.select_related("user", "team", "agency").order_by("start", "pk")
    return paginate(members, query)


@router.post(
    "/cases/{case_id}/team",
    response={201: TeamMemberOut, 400: ErrorOut, 403: ErrorOut, 404: NotFoundOut},
    summary="Add a user or a whole team to the case team (who may manage the team only)",
)
def team_add(request: HttpRequest, case_id: str, payload: TeamMemberIn) -> Any:
    user, case = _managed_case(request, case_id, "case.team_member_add")
    if payload.user and payload.team:
        raise ValidationError({"user": "Add either a person or a whole team, not both"})
    member_user = team = None
    if payload.user:
        member_user = (
            User.objects.filter(username=payload.user.strip(), is_active=True)
            .select_related("agency")
            .first()
        )
        if member_user is None:
            raise ValidationError({"user": "Enter the username of an active user"})
    elif payload.team:
        team = Team.objects.select_related("agency").filter(pk=payload.team).first()
        if team is None:
            raise ValidationError({"team": "Select the team from the list"})
    else:
        raise ValidationError({"user": "Enter the username of the person joining, or a team"})
    member = services.team_member_add(
        actor=user,
        case=case,
        role=payload.role.value,
        user=member_user,
        team=team,
        agency=member_user.agency if member_user else team.agency if team else None,
        start=payload.start,
        request=request,
    )
    return Status(201, _member_fresh(member))


@router.delete(
    "/cases/{case_id}/team/{member_id}",
    response={204: None, 403: ErrorOut, 404: NotFoundOut},
    summary="Take a member off the case team, at once (who may manage the team only)",
)
def team_end(request: HttpRequest, case_id: str, member_id: str) -> Any:
    user, case = _managed_case(request, case_id, "case.team_member_remove")
    member = _row_of(case.team_members.select_related("user", "team", "case"), member_id)
    services.team_member_remove(actor=user, member=member, request=request)
    return Status(204, None)


@router.get(
    "/cases/{case_id}/exclusions",
    response={200: ExclusionPage, 403: ErrorOut, 404: NotFoundOut},
    summary="Who is excluded from the case (who may manage the team only)",
)
def exclusion_list(request: HttpRequest, case_id: str, query: Query[PageQuery]) -> Any:
    _user, case = _managed_case(request, case_id, "case.exclusion_list", read="case.read")
    rows = case.exclusions.select_related("user", "created_by").order_by("created_at", "pk")
    return paginate(rows, query)


@router.post(
    "/cases/{case_id}/exclusions",
    response={201: ExclusionOut, 400: ErrorOut, 403: ErrorOut, 404: NotFoundOut},
    summary="Exclude a user from the case (who may manage the team only)",
)
def exclusion_new(request: HttpRequest, case_id: str, payload: ExclusionIn) -> Any:
    user, case = _managed_case(request, case_id, "case.exclusion_add")
    excluded = User.objects.filter(username=payload.user.strip()).first()
    if excluded is None:
        raise ValidationError({"user": "Enter the username of a JointCase user"})
    exclusion = services.exclusion_add(
        actor=user, case=case, user=excluded, reason=payload.reason, request=request
    )
    return Status(
        201, CaseExclusion.objects.select_related("user", "created_by").get(pk=exclusion.pk)
    )


@router.post(
    "/cases/{case_id}/exclusions/{exclusion_id}/lift",
    response={204: None, 400: ErrorOut, 403: ErrorOut, 404: NotFoundOut},
    summary="Lift an exclusion, with a reason (who may manage the team only)",
)
def exclusion_lift(
    request: HttpRequest, case_id: str, exclusion_id: str, payload: ExclusionLiftIn
) -> Any:
    user, case = _managed_case(request, case_id, "case.exclusion_remove")
    exclusion = _row_of(case.exclusions.select_related("user", "case"), exclusion_id)
    services.exclusion_remove(
        actor=user, exclusion=exclusion, reason=payload.reason, request=request
    )
    return Status(204, None)
