"""Writes for meetings, minutes and agreed actions: keyword-only, atomic, validated (a
``ValidationError`` keyed by field, nothing stored), audited in the same transaction; every
change to an action also appends an ``ActionEvent``.

Notices go through ``jointcase.notifications.services.notify``: a generic sentence and a link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from jointcase.access.labels import CLASSIFICATION_RANK, Classification
from jointcase.access.material import (
    LabelFields,
    above_system_high,
    label_decision,
    system_high,
)
from jointcase.access.meetings import meeting_decision, participant_decision
from jointcase.access.policy import case_decision, case_filter
from jointcase.accounts.models import Role, User
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case
from jointcase.lib.edits import ConcurrentEdit
from jointcase.material.crypto import label_from, seal
from jointcase.meetings.models import (
    OPEN_STATUSES,
    ActionEvent,
    ActionEventKind,
    ActionPriority,
    ActionSource,
    ActionStatus,
    AgreedAction,
    Invitation,
    Meeting,
    MeetingDecision,
    MeetingEvent,
    MeetingEventKind,
    MeetingStatus,
    MeetingType,
    MinutesSection,
    OtherAgencyAttendees,
    RiskPillar,
    RiskPlanEntry,
    WithheldDisplay,
)
from jointcase.notifications.services import notify

#: Why someone may not own an action or a plan entry, whatever the reason (not on the case,
#: excluded, inactive, no agency, or no such username): one message, so that it never tells
#: a case member whether a username exists or that someone is excluded.
OWNER_REFUSED = "This person cannot own actions on this case"
#: Why someone may not be invited to or chair a meeting (excluded from one of its cases): the
#: message never says why.
INVITE_REFUSED = "This person cannot be invited to meetings about this case"


def _check_case(actor: User, case: Case) -> None:
    """The actor must see the case (views 404 before this; the service never trusts them)."""
    if not case_decision(actor, case).allowed:
        raise PermissionDenied("case not visible")


def _check_meeting(actor: User, meeting: Meeting) -> None:
    if not meeting_decision(actor, meeting).allowed:
        raise PermissionDenied("meeting not visible")


def _may_take_part(user: User, case_ids: Iterable[int]) -> bool:
    """``user`` may be invited to, chair or own an action of a meeting about ``case_ids``."""
    return participant_decision(user, list(case_ids)).allowed


def _owner_refusal(owner: User, case: Case, meeting: Meeting | None) -> str | None:
    """``OWNER_REFUSED`` unless ``owner`` may own an action on ``case`` (agreed at
    ``meeting``): an active user of an agency who may see the case and is excluded from none
    of the meeting's cases."""
    if (
        not owner.is_active
        or owner.agency_id is None
        or not case_decision(owner, case).allowed
        or (
            meeting is not None
            and not _may_take_part(owner, meeting.cases.values_list("pk", flat=True))
        )
    ):
        return OWNER_REFUSED
    return None


def _choice(value: str, choices: Any, field: str, message: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: message})


def action_link(action: AgreedAction) -> str:
    return reverse("meetings:action", args=[action.public_id])


def meeting_link(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.public_id])


# --- Meetings ---------------------------------------------------------------------------------


def _meeting_event(
    meeting: Meeting,
    kind: str,
    *,
    actor: User | None,
    field: str = "",
    from_value: str = "",
    to_value: str = "",
    case: Case | None = None,
) -> MeetingEvent:
    return MeetingEvent.objects.create(
        meeting=meeting,
        actor=actor,
        kind=kind,
        field=field,
        from_value=from_value[:200],
        to_value=to_value[:200],
        case=case,
    )


def _person(user: User) -> str:
    return str(user.get_full_name() or user.username)


def _when(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%-d %B %Y %H:%M}"


def _agency_names(agencies: Iterable[Any]) -> str:
    return ", ".join(sorted(str(a.name) for a in agencies))


def external_agency_match(name: str) -> Agency | None:
    """The JointCase agency an external attendee's agency names (by name or code), if any."""
    name = name.strip()
    if not name:
        return None
    return Agency.objects.filter(Q(name__iexact=name) | Q(code__iexact=name)).first()


def minutes_release_refusal(meeting: Meeting, *, agency: Agency | None, named: str) -> str | None:
    """Why the minutes of ``meeting`` may not go to an attendee of ``agency`` (``named`` is how
    the refusal names it), or None. Issue #6 "Bad input": an attendee from an agency the
    minutes are not releasable to is refused, nothing stored. What counts: the meeting's
    releasability (the default of its sections), and each section released to some agencies
    only, unless its originator chose to admit other agencies' attendees and withhold that
    section from them (the label rule then withholds it). An empty set means every agency on
    the meeting's cases (the label rule decides per reader). An external attendee's agency
    that is not a JointCase agency is outside every explicit set."""
    restricted: list[list[Agency]] = []
    default = list(meeting.minutes_releasable_to.all())
    if default:
        restricted.append(default)
    by_section: dict[int, list[Agency]] = {}
    for row in (
        MinutesSection.releasable_to.through.objects.filter(
            minutessection__meeting=meeting,
            minutessection__other_agency_attendees=OtherAgencyAttendees.REFUSE,
        )
        .select_related("agency")
        .order_by("minutessection_id", "agency_id")
    ):
        by_section.setdefault(row.minutessection_id, []).append(row.agency)
    restricted.extend(by_section[pk] for pk in sorted(by_section))
    for agencies in restricted:
        if agency is None or agency.pk not in {a.pk for a in agencies}:
            return f"{named} may not receive minutes released only to {_agency_names(agencies)}"
    return None


def _invitee_outside(meeting: Meeting, agencies: list[Agency]) -> str | None:
    """The first invitee (by name and agency) of an agency outside ``agencies``, if any."""
    allowed = {a.pk for a in agencies}
    for invitation in meeting.invitations.select_related("user", "user__agency").order_by("pk"):
        if invitation.user is not None:
            agency_id = invitation.user.agency_id
        else:
            match = external_agency_match(invitation.external_agency)
            agency_id = match.pk if match is not None else None
        if agency_id not in allowed:
            return f"{invitation.display_name} ({invitation.agency_name})"
    return None


def _user_release_refusal(meeting: Meeting, user: User) -> str | None:
    agency = user.agency if user.agency_id else None
    named = str(agency.name) if agency is not None else f"{_person(user)} (no agency)"
    return minutes_release_refusal(meeting, agency=agency, named=named)


def _external_release_refusal(meeting: Meeting, external_agency: str) -> str | None:
    return minutes_release_refusal(
        meeting, agency=external_agency_match(external_agency), named=external_agency.strip()
    )


def meeting_edit_refusal(actor: User, meeting: Meeting) -> str | None:
    """Who may change a meeting (its details, cases and invitees, record attendance): its
    chair, whoever recorded it, or someone who may see one of its cases. An invitee from
    outside the case teams may read the meeting but not change it (None: may change it)."""
    if meeting.chair_id == actor.pk or (
        meeting.created_by_id is not None and meeting.created_by_id == actor.pk
    ):
        return None
    if Case.objects.filter(case_filter(actor), pk__in=meeting.cases.values("pk")).exists():
        return None
    return (
        "Only the chair, whoever recorded the meeting or the team of one of its cases can change it"
    )


def _check_meeting_editor(actor: User, meeting: Meeting) -> None:
    _check_meeting(actor, meeting)
    if meeting_edit_refusal(actor, meeting) is not None:
        raise PermissionDenied("meeting not editable")


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    type: str,
    starts_at: dt.datetime | None,
    chair: User | None,
    cases: Iterable[Case],
    agenda: str = "",
    minutes_releasable_to: Iterable[Agency] = (),
    invitees: Iterable[User] = (),
    request: HttpRequest | None = None,
) -> Meeting:
    cases = list(cases)
    releasable = list(minutes_releasable_to)
    errors: dict[str, str] = {}
    if type not in MeetingType.values:
        errors["type"] = "Select the type of meeting"
    if starts_at is None:
        errors["starts_at"] = "Enter the date and time of the meeting"
    if chair is None:
        errors["chair"] = "Select the chair"
    elif not chair.is_active:
        errors["chair"] = "Select an active user as the chair"
    if not cases:
        errors["cases"] = "Select at least one case to discuss"
    if errors:
        raise ValidationError(errors)
    assert chair is not None
    assert starts_at is not None
    for case in cases:
        _check_case(actor, case)
    people: list[User] = []
    for user in [chair, actor, *invitees]:
        if user.pk not in {p.pk for p in people}:
            people.append(user)
    case_ids = [c.pk for c in cases]
    for user in people:
        if not _may_take_part(user, case_ids):
            raise ValidationError({"chair" if user.pk == chair.pk else "invitees": INVITE_REFUSED})
    meeting = Meeting.objects.create(
        type=type, starts_at=starts_at, chair=chair, agenda=agenda.strip(), created_by=actor
    )
    meeting.cases.set(cases)
    meeting.minutes_releasable_to.set(releasable)
    for user in people:
        refusal = _user_release_refusal(meeting, user)
        if refusal is not None:
            raise ValidationError({"chair" if user.pk == chair.pk else "invitees": refusal})
    Invitation.objects.bulk_create(Invitation(meeting=meeting, user=user) for user in people)
    _meeting_event(meeting, MeetingEventKind.CREATED, actor=actor, to_value=_when(starts_at))
    audit_record(
        action="meeting.create",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={
            "type": type,
            "cases": [c.pk for c in cases],
            "invitees": sorted(p.pk for p in people),
        },
        request=request,
    )
    for case in cases:
        from jointcase.cases.models import TimelineKind
        from jointcase.cases.services import timeline_add

        timeline_add(
            case=case,
            kind=TimelineKind.NOTE,
            title=f"{meeting.get_type_display()} planned",
            actor=actor,
            occurred_at=starts_at,
            agency=actor.agency,
        )
    notify(
        recipients=[p for p in people if p.pk != actor.pk],
        text="You have been invited to a meeting",
        link=meeting_link(meeting),
    )
    return meeting


def _display(name: str, value: Any) -> str:
    if name == "starts_at":
        return _when(value)
    if name == "chair":
        return _person(value)
    if name == "type":
        return str(MeetingType(value).label)
    if name == "status":
        return str(MeetingStatus(value).label)
    return ""  # the agenda: its change is recorded, its text is on the page


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Meeting:
    """Change a meeting's details (type, date and time, chair, agenda, status). A new chair is
    invited if they were not, and must be able to receive the minutes."""
    _check_meeting_editor(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.version != expected_version:
        raise ConcurrentEdit("Someone else changed this meeting. Reload the page and try again.")
    allowed = {"type", "starts_at", "agenda", "status", "chair"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: "This cannot be changed here" for name in unknown})
    if "status" in changes:
        _choice(changes["status"], MeetingStatus, "status", "Select a status")
    if "type" in changes:
        _choice(changes["type"], MeetingType, "type", "Select the type of meeting")
    if "starts_at" in changes and changes["starts_at"] is None:
        raise ValidationError({"starts_at": "Enter the date and time of the meeting"})
    if "agenda" in changes:
        changes["agenda"] = str(changes["agenda"] or "").strip()
    chair = changes.get("chair", meeting.chair)
    if chair is None:
        raise ValidationError({"chair": "Select the chair"})
    if "chair" in changes and chair.pk != meeting.chair_id:
        if not chair.is_active:
            raise ValidationError({"chair": "Select an active user as the chair"})
        if not _may_take_part(chair, meeting.cases.values_list("pk", flat=True)):
            raise ValidationError({"chair": INVITE_REFUSED})
        refusal = _user_release_refusal(meeting, chair)
        if refusal is not None:
            raise ValidationError({"chair": refusal})
    diff: dict[str, list[str]] = {}
    for name, value in changes.items():
        old = getattr(meeting, name)
        if old != value:
            diff[name] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
            _meeting_event(
                meeting,
                MeetingEventKind.CHANGED,
                actor=actor,
                field=name,
                from_value=_display(name, old),
                to_value=_display(name, value),
            )
            setattr(meeting, name, value)
    if not diff:
        return meeting
    meeting.version += 1
    meeting.save()
    if "chair" in diff and not meeting.invitations.filter(user=chair).exists():
        Invitation.objects.create(meeting=meeting, user=chair)
        _meeting_event(meeting, MeetingEventKind.INVITED, actor=actor, to_value=_person(chair))
        if chair.pk != actor.pk:
            notify(
                recipients=[chair],
                text="You have been invited to a meeting",
                link=meeting_link(meeting),
            )
    audit_record(
        action="meeting.update",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"changes": diff},
        request=request,
    )
    return meeting


def _records_on_case(meeting: Meeting, case: Case) -> bool:
    return (
        meeting.sections.filter(case=case).exists()
        or meeting.decisions.filter(case=case).exists()
        or meeting.actions.filter(case=case).exists()
        or meeting.risk_entries.filter(case=case).exists()
    )


@transaction.atomic
def meeting_cases_set(
    *,
    actor: User,
    meeting: Meeting,
    cases: Iterable[Case],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Meeting:
    """Change the cases discussed. ``cases`` is the new set among the cases ``actor`` may see;
    cases of the meeting they may not see are kept (never revealed, never removed by them).
    A case with minutes, decisions, actions or plan entries recorded at this meeting cannot be
    removed. Access follows at once: whoever saw the meeting only through a removed case no
    longer does on their next request."""
    _check_meeting_editor(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.version != expected_version:
        raise ConcurrentEdit("Someone else changed this meeting. Reload the page and try again.")
    wanted = {c.pk: c for c in cases}
    current = {c.pk: c for c in meeting.cases.all()}
    visible = set(
        Case.objects.filter(case_filter(actor), pk__in=[*wanted, *current]).values_list(
            "pk", flat=True
        )
    )
    if set(wanted) - visible:
        raise PermissionDenied("case not visible")
    added = [wanted[pk] for pk in sorted(set(wanted) - set(current))]
    removed = [current[pk] for pk in sorted((set(current) & visible) - set(wanted))]
    kept_hidden = set(current) - visible
    if not wanted and not kept_hidden:
        raise ValidationError({"cases": "Select at least one case to discuss"})
    invited = [i for i in meeting.invitations.select_related("user") if i.user is not None]
    for case in added:
        for invitation in invited:
            assert invitation.user is not None
            if not _may_take_part(invitation.user, [case.pk]):
                raise ValidationError(
                    {
                        "cases": f"{invitation.display_name} cannot be invited to meetings "
                        f"about {case.reference}: remove them from the meeting first"
                    }
                )
    for case in removed:
        if _records_on_case(meeting, case):
            raise ValidationError(
                {
                    "cases": f"Minutes, decisions, actions or plan entries about {case.reference} "
                    "were recorded at this meeting, so it cannot be removed"
                }
            )
    if not added and not removed:
        return meeting
    meeting.cases.remove(*removed)
    meeting.cases.add(*added)
    for case in added:
        _meeting_event(
            meeting, MeetingEventKind.CASE_ADDED, actor=actor, to_value=case.reference, case=case
        )
    for case in removed:
        _meeting_event(
            meeting,
            MeetingEventKind.CASE_REMOVED,
            actor=actor,
            from_value=case.reference,
            case=case,
        )
    meeting.version += 1
    meeting.save(update_fields=["version"])
    audit_record(
        action="meeting.cases",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"added": [c.pk for c in added], "removed": [c.pk for c in removed]},
        request=request,
    )
    return meeting


@transaction.atomic
def meeting_edit(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    cases: Iterable[Case],
    request: HttpRequest | None = None,
    **changes: Any,
) -> Meeting:
    """The edit page in one step: the details (``meeting_update``) and the cases discussed
    (``meeting_cases_set``); either refusal leaves everything as it was."""
    meeting = meeting_update(
        actor=actor, meeting=meeting, expected_version=expected_version, request=request, **changes
    )
    return meeting_cases_set(
        actor=actor,
        meeting=meeting,
        cases=cases,
        expected_version=meeting.version,
        request=request,
    )


@transaction.atomic
def invitation_add(
    *,
    actor: User,
    meeting: Meeting,
    user: User | None = None,
    external_name: str = "",
    external_role: str = "",
    external_agency: str = "",
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite a user, or an external attendee by name, role and agency. Anyone from an agency
    the minutes may not be released to is refused (``minutes_release_refusal``)."""
    _check_meeting_editor(actor, meeting)
    external_name = external_name.strip()
    if (user is None) == (not external_name):
        raise ValidationError(
            {"user": "Select a user, or enter an external attendee's name (not both)"}
        )
    if user is not None:
        if not user.is_active:
            raise ValidationError({"user": "Select an active user"})
        if not _may_take_part(user, meeting.cases.values_list("pk", flat=True)):
            raise ValidationError({"user": INVITE_REFUSED})
        refusal = _user_release_refusal(meeting, user)
        if refusal is not None:
            raise ValidationError({"user": refusal})
        if meeting.invitations.filter(user=user).exists():
            raise ValidationError({"user": "This person is already invited"})
    else:
        if not external_agency.strip():
            raise ValidationError({"external_agency": "Enter the external attendee's agency"})
        refusal = _external_release_refusal(meeting, external_agency)
        if refusal is not None:
            raise ValidationError({"external_agency": refusal})
    invitation = Invitation.objects.create(
        meeting=meeting,
        user=user,
        external_name=external_name,
        external_role=external_role.strip(),
        external_agency=external_agency.strip(),
    )
    _meeting_event(
        meeting,
        MeetingEventKind.INVITED,
        actor=actor,
        to_value=f"{invitation.display_name} ({invitation.agency_name})",
    )
    audit_record(
        action="meeting.invite",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={"invitation": invitation.pk, "user": user.pk if user else None},
        request=request,
    )
    if user is not None and user.pk != actor.pk:
        notify(
            recipients=[user], text="You have been invited to a meeting", link=meeting_link(meeting)
        )
    return invitation


@transaction.atomic
def invitation_remove(
    *, actor: User, invitation: Invitation, request: HttpRequest | None = None
) -> Meeting:
    """Remove an invitee (a user or an external attendee), attendance and all. A removed user
    loses the meeting and its minutes on their next request unless a case gives them access."""
    meeting = invitation.meeting
    _check_meeting_editor(actor, meeting)
    if invitation.user_id is not None and invitation.user_id == meeting.chair_id:
        raise ValidationError({"invitation": "The chair cannot be removed: choose another chair"})
    who = f"{invitation.display_name} ({invitation.agency_name})"
    removed = {
        "invitation": invitation.pk,
        "user": invitation.user_id,
        "attended": invitation.attended,
    }
    invitation.delete()
    _meeting_event(meeting, MeetingEventKind.UNINVITED, actor=actor, from_value=who)
    audit_record(
        action="meeting.uninvite",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details=removed,
        request=request,
    )
    return meeting


_OUTCOME = {(True, False): "Attended", (False, True): "Apologies", (False, False): "Invited"}


@transaction.atomic
def attendance_record(
    *,
    actor: User,
    invitation: Invitation,
    attended: bool,
    apologies: bool = False,
    request: HttpRequest | None = None,
) -> Invitation:
    meeting = invitation.meeting
    _check_meeting_editor(actor, meeting)
    if attended and apologies:
        raise ValidationError({"apologies": "Someone who attended did not send apologies"})
    if attended:
        refusal = (
            _user_release_refusal(meeting, invitation.user)
            if invitation.user is not None
            else _external_release_refusal(meeting, invitation.external_agency)
        )
        if refusal is not None:
            raise ValidationError({"attended": refusal})
    before = (invitation.attended, invitation.apologies)
    invitation.attended, invitation.apologies = attended, apologies
    invitation.save(update_fields=["attended", "apologies"])
    if before != (attended, apologies):
        _meeting_event(
            meeting,
            MeetingEventKind.ATTENDANCE,
            actor=actor,
            field=invitation.display_name,
            from_value=_OUTCOME[before],
            to_value=_OUTCOME[(attended, apologies)],
        )
    audit_record(
        action="meeting.attendance",
        actor=actor,
        object_type="meeting",
        object_id=meeting.pk,
        details={
            "invitation": invitation.pk,
            "changes": {"attended/apologies": [list(before), [attended, apologies]]},
        },
        request=request,
    )
    return invitation


@transaction.atomic
def minutes_section_add(
    *,
    actor: User,
    meeting: Meeting,
    heading: str,
    body: str,
    classification: str = Classification.OFFICIAL_SENSITIVE,
    case: Case | None = None,
    caveats: Iterable[Caveat] = (),
    releasable_to: Iterable[Agency] | None = None,
    withheld_display: str = WithheldDisplay.SHOW_PLACEHOLDER,
    other_agency_attendees: str = OtherAgencyAttendees.REFUSE,
    request: HttpRequest | None = None,
) -> MinutesSection:
    """Add a labelled section. The originator is the author's agency; the author must be able
    to read what they write (clearance, caveats); the body is sealed under the label."""
    _check_meeting(actor, meeting)
    errors: dict[str, str] = {}
    if not heading.strip():
        errors["heading"] = "Enter a heading"
    if not body.strip():
        errors["body"] = "Enter the minutes of this section"
    if classification not in CLASSIFICATION_RANK:
        errors["classification"] = "Select a classification"
    elif above_system_high(classification):
        errors["classification"] = (
            f"This system holds nothing above {system_high()}: record a reference to the "
            "material held elsewhere instead"
        )
    if withheld_display not in WithheldDisplay.values:
        errors["withheld_display"] = "Choose what readers who may not see it are shown"
    if other_agency_attendees not in OtherAgencyAttendees.values:
        errors["other_agency_attendees"] = "Choose what happens to attendees of other agencies"
    if actor.agency_id is None:
        errors["heading"] = "Only a member of an agency can write minutes"
    meeting_cases = list(
        Case.objects.filter(case_filter(actor), pk__in=meeting.cases.values("pk")).order_by(
            "reference"
        )
    )
    if case is None:
        case = meeting_cases[0] if meeting_cases else None
        if case is None:
            errors["case"] = "You can write minutes only about a case of this meeting you can see"
    elif case.pk not in {c.pk for c in meeting_cases}:
        errors["case"] = "Select one of the cases discussed at this meeting"
    if errors:
        raise ValidationError(errors)
    assert case is not None
    caveats = list(caveats)
    releasable = (
        list(releasable_to)
        if releasable_to is not None
        else list(meeting.minutes_releasable_to.all())
    )
    if releasable and other_agency_attendees == OtherAgencyAttendees.REFUSE:
        outside = _invitee_outside(meeting, releasable)
        if outside is not None:
            raise ValidationError(
                {
                    "releasable_to": f"{outside} is invited and may not receive a section "
                    f"released only to {_agency_names(releasable)}: release it to their agency "
                    "too, or choose to withhold it from attendees of other agencies"
                }
            )
    label = LabelFields(
        classification=classification,
        caveat_ids=frozenset(c.pk for c in caveats),
        releasable_ids=frozenset(a.pk for a in releasable),
        originator_id=actor.agency_id,
    )
    from jointcase.access.meetings import LABEL_REASONS

    own = label_decision(actor, label, case)
    if not own.allowed and own.reason in LABEL_REASONS:
        raise ValidationError(
            {"classification": "You cannot write a section with a label you could not read"}
        )
    order = (meeting.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    section = MinutesSection.objects.create(
        meeting=meeting,
        case=case,
        order=order,
        heading=heading.strip(),
        classification=classification,
        originator_id=int(actor.agency_id or 0),
        withheld_display=withheld_display,
        other_agency_attendees=other_agency_attendees,
        author=actor,
    )
    section.caveats.set(caveats)
    section.releasable_to.set(releasable)
    sealed = seal(
        plaintext=body.encode("utf-8"),
        object_id=section_object_id(section),
        label=section_label(section),
    )
    sealed.data_key.save()
    section.data_key = sealed.data_key
    section.body_ciphertext = bytes(sealed.ciphertext)
    section.save(update_fields=["data_key", "body_ciphertext"])
    audit_record(
        action="meeting.minutes.add",
        actor=actor,
        object_type="minutes_section",
        object_id=section.pk,
        details={"meeting": meeting.pk, "case": case.pk, "classification": classification},
        request=request,
    )
    return section


def section_object_id(section: MinutesSection) -> str:
    return f"minutes-{section.pk}"


def section_label(section: MinutesSection) -> Any:
    return label_from(
        classification=section.classification,
        originator=section.originator.code,
        caveats=[c.code for c in section.caveats.all()],
        releasable_to=[a.code for a in section.releasable_to.all()],
    )


@transaction.atomic
def decision_record(
    *, actor: User, meeting: Meeting, case: Case, text: str, request: HttpRequest | None = None
) -> MeetingDecision:
    _check_meeting(actor, meeting)
    _check_case(actor, case)
    if not text.strip():
        raise ValidationError({"text": "Enter the decision"})
    if not meeting.cases.filter(pk=case.pk).exists():
        raise ValidationError({"case": "Select one of the cases discussed at this meeting"})
    decision = MeetingDecision.objects.create(
        meeting=meeting, case=case, text=text.strip(), recorded_by=actor
    )
    audit_record(
        action="meeting.decision",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        details={"meeting": meeting.pk, "decision": decision.pk},
        request=request,
    )
    return decision


@transaction.atomic
def risk_entry_add(
    *,
    actor: User,
    case: Case,
    pillar: str,
    text: str,
    owner: User | None = None,
    entry_date: dt.date | None = None,
    meeting: Meeting | None = None,
    request: HttpRequest | None = None,
    unknown_owner: bool = False,
) -> RiskPlanEntry:
    """``unknown_owner``: the caller named an owner who is not an active user (an API
    username); refused with the same message as anyone else who may not own it."""
    _check_case(actor, case)
    errors = {}
    if pillar not in RiskPillar.values:
        errors["pillar"] = "Select a pillar of the risk management plan"
    if not text.strip():
        errors["text"] = "Enter the plan entry"
    if unknown_owner or owner is not None:
        refusal = (
            OWNER_REFUSED
            if owner is None or unknown_owner
            else _owner_refusal(owner, case, meeting)
        )
        if refusal is not None:
            errors["owner"] = refusal
    if errors:
        raise ValidationError(errors)
    entry = RiskPlanEntry.objects.create(
        case=case,
        meeting=meeting,
        pillar=pillar,
        text=text.strip(),
        owner=owner,
        entry_date=entry_date or timezone.localdate(),
    )
    audit_record(
        action="case.risk_plan.add",
        actor=actor,
        object_type="case",
        object_id=case.pk,
        details={"entry": entry.pk, "pillar": pillar},
        request=request,
    )
    return entry


# --- Agreed actions ---------------------------------------------------------------------------


def _event(
    action: AgreedAction,
    kind: str,
    *,
    actor: User | None,
    from_value: str = "",
    to_value: str = "",
    reason: str = "",
) -> ActionEvent:
    return ActionEvent.objects.create(
        action=action,
        actor=actor,
        kind=kind,
        from_value=from_value[:200],
        to_value=to_value[:200],
        reason=reason,
    )


def _audit_action(
    name: str, actor: User | None, action: AgreedAction, request: HttpRequest | None, **details: Any
) -> None:
    audit_record(
        action=f"action.{name}",
        actor=actor,
        object_type="action",
        object_id=action.pk,
        details={"case": action.case_id, **details},
        request=request,
    )


def _locked(action: AgreedAction, expected_version: int | None) -> AgreedAction:
    current = AgreedAction.objects.select_for_update().get(pk=action.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEdit("Someone else changed this action. Reload the page and try again.")
    return current


@transaction.atomic
def action_create(
    *,
    actor: User,
    case: Case,
    description: str,
    owner: User | None,
    due_date: dt.date | None,
    priority: str = ActionPriority.MEDIUM,
    meeting: Meeting | None = None,
    source_kind: str | None = None,
    source_id: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
    unknown_owner: bool = False,
) -> AgreedAction:
    """``unknown_owner``: the caller named an owner who is not an active user (an API
    username); refused with ``OWNER_REFUSED`` like anyone who may not own it, so the answer
    never tells whether a username exists."""
    _check_case(actor, case)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter what was agreed"
    if unknown_owner:
        errors["owner"] = OWNER_REFUSED
    elif owner is None:
        errors["owner"] = "Select who owns the action"
    else:
        refusal = _owner_refusal(owner, case, meeting)
        if refusal is not None:
            errors["owner"] = refusal
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    elif due_date < today:
        errors["due_date"] = "The due date must be today or in the future"
    if priority not in ActionPriority.values:
        errors["priority"] = "Select a priority"
    kind = source_kind or (ActionSource.MEETING if meeting is not None else "")
    if kind not in ActionSource.values:
        errors["source_kind"] = "Select where the action came from"
    if meeting is not None and not meeting.cases.filter(pk=case.pk).exists():
        errors["meeting"] = "That meeting did not discuss this case"
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    assert due_date is not None
    action = AgreedAction.objects.create(
        case=case,
        meeting=meeting,
        source_kind=kind,
        source_id=source_id or (str(meeting.public_id) if meeting is not None else ""),
        description=description.strip(),
        owner=owner,
        owner_agency_id=int(owner.agency_id or 0),
        due_date=due_date,
        priority=priority,
        created_by=actor,
    )
    _event(action, ActionEventKind.CREATED, actor=actor, to_value=owner.username)
    _audit_action("create", actor, action, request, owner=owner.pk, due=due_date.isoformat())
    if owner.pk != actor.pk:
        notify(
            recipients=[owner],
            text="An agreed action has been assigned to you",
            link=action_link(action),
        )
    return action


@transaction.atomic
def action_update_status(
    *,
    actor: User,
    action: AgreedAction,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    """Open, in progress or cancelled. Cancelling closes the action (and ends its reminders and
    escalation), so it needs the authority of ``action_due_change_refusal``; anyone on the
    case may mark it open or in progress."""
    _check_case(actor, action.case)
    if status == ActionStatus.CANCELLED and action_due_change_refusal(actor, action) is not None:
        raise PermissionDenied("action not cancellable by this user")
    action = _locked(action, expected_version)
    if status not in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.CANCELLED):
        raise ValidationError(
            {"status": "Select open, in progress or cancelled (complete an action with evidence)"}
        )
    if not action.is_open:
        raise ValidationError({"status": "This action is closed"})
    if status == ActionStatus.CANCELLED and not reason.strip():
        raise ValidationError({"reason": "Enter why the action is cancelled"})
    old = action.status
    action.status = status
    action.version += 1
    action.save(update_fields=["status", "version"])
    _event(
        action, ActionEventKind.STATUS, actor=actor, from_value=old, to_value=status, reason=reason
    )
    _audit_action("status", actor, action, request, changes={"status": [old, status]})
    return action


@transaction.atomic
def action_complete(
    *,
    actor: User,
    action: AgreedAction,
    evidence: str,
    evidence_item_id: Any = None,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    """Close the action with evidence: only who may move its due date or reassign it
    (``action_due_change_refusal``: the owner, their manager, the case's lead or seniors)."""
    _check_case(actor, action.case)
    if action_due_change_refusal(actor, action) is not None:
        raise PermissionDenied("action not completable by this user")
    action = _locked(action, expected_version)
    if not action.is_open:
        raise ValidationError({"evidence": "This action is already closed"})
    if not evidence.strip():
        raise ValidationError({"evidence": "Enter the evidence that the action is complete"})
    if evidence_item_id:
        from jointcase.access.material import material_decision
        from jointcase.material.models import MaterialItem

        item = MaterialItem.objects.filter(pk=evidence_item_id, case_id=action.case_id).first()
        if item is None or not material_decision(actor, item).allowed:
            raise ValidationError(
                {"evidence_item_id": "Select a material item on this case that you can see"}
            )
    old = action.status
    action.status = ActionStatus.DONE
    action.evidence = evidence.strip()
    action.evidence_item_id = evidence_item_id or None
    action.completed_at = timezone.now()
    action.version += 1
    action.save()
    _event(
        action, ActionEventKind.COMPLETED, actor=actor, from_value=old, to_value=ActionStatus.DONE
    )
    _audit_action("complete", actor, action, request, evidence_item=str(evidence_item_id or ""))
    return action


@transaction.atomic
def action_reassign(
    *,
    actor: User,
    action: AgreedAction,
    owner: User | None,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
    unknown_owner: bool = False,
) -> AgreedAction:
    """Give the action to someone else: only who may move its due date may do this
    (``action_due_change_refusal``), or anyone on the case could take the action, move the
    date as its owner and hand it back. ``unknown_owner``: as for ``action_create``."""
    _check_case(actor, action.case)
    if action_due_change_refusal(actor, action) is not None:
        raise PermissionDenied("action not reassignable by this user")
    action = _locked(action, expected_version)
    errors = {}
    if not action.is_open:
        errors["owner"] = "This action is closed"
    elif unknown_owner:
        errors["owner"] = OWNER_REFUSED
    elif owner is None:
        errors["owner"] = "Select the new owner"
    elif owner.pk == action.owner_id:
        errors["owner"] = "Select someone other than the current owner"
    else:
        refusal = _owner_refusal(owner, action.case, action.meeting)
        if refusal is not None:
            errors["owner"] = refusal
    if not reason.strip():
        errors["reason"] = "Enter why the action is being reassigned"
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    old = action.owner
    action.owner = owner
    action.owner_agency_id = int(owner.agency_id or 0)
    action.version += 1
    action.save(update_fields=["owner", "owner_agency", "version"])
    _event(
        action,
        ActionEventKind.REASSIGNED,
        actor=actor,
        from_value=old.username,
        to_value=owner.username,
        reason=reason.strip(),
    )
    _audit_action(
        "reassign",
        actor,
        action,
        request,
        changes={"owner": [old.pk, owner.pk]},
        reason=reason.strip(),
    )
    notify(
        recipients=[owner],
        text="An agreed action has been reassigned to you",
        link=action_link(action),
    )
    return action


@transaction.atomic
def action_change_due(
    *,
    actor: User,
    action: AgreedAction,
    due_date: dt.date | None,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> AgreedAction:
    _check_case(actor, action.case)
    if action_due_change_refusal(actor, action) is not None:
        raise PermissionDenied("due date not changeable by this user")
    action = _locked(action, expected_version)
    errors = {}
    if not action.is_open:
        errors["due_date"] = "This action is closed"
    elif due_date is None:
        errors["due_date"] = "Enter the new due date"
    elif due_date < timezone.localdate():
        errors["due_date"] = "The new due date must be today or in the future"
    if not reason.strip():
        errors["reason"] = "Enter why the due date is changing"
    if errors:
        raise ValidationError(errors)
    assert due_date is not None
    old = action.due_date
    action.due_date = due_date
    action.version += 1
    action.save(update_fields=["due_date", "version"])
    _event(
        action,
        ActionEventKind.DUE_CHANGED,
        actor=actor,
        from_value=old.isoformat(),
        to_value=due_date.isoformat(),
        reason=reason.strip(),
    )
    _audit_action(
        "due",
        actor,
        action,
        request,
        changes={"due_date": [old.isoformat(), due_date.isoformat()]},
        reason=reason.strip(),
    )
    if action.owner_id != actor.pk:
        notify(
            recipients=[action.owner],
            text="The due date of an agreed action you own has changed",
            link=action_link(action),
        )
    return action


def action_due_change_refusal(actor: User, action: AgreedAction) -> str | None:
    """Who may move an action's due date, reassign, complete or cancel it (None: ``actor``
    may): its owner, the owner's line manager, a senior of the owner's agency (NSD senior
    operational lead, CT supervisor), or the case's lead practitioner, senior operational lead
    or CT supervisor. Anyone else on the case may see the action but not push its deadline
    (and so its escalation) back, close it, nor take it over to do so as its owner: one rule
    for every write that steers the action."""
    if actor.pk == action.owner_id:
        return None
    owner = action.owner
    if owner.line_manager_id is not None and owner.line_manager_id == actor.pk:
        return None
    if actor.agency_id == action.owner_agency_id and actor.has_role(
        Role.NSD_SENIOR_LEAD, Role.CT_SUPERVISOR
    ):
        return None
    from jointcase.access.policy import current_q
    from jointcase.cases.models import CaseRole, CaseTeamMember

    if CaseTeamMember.objects.filter(
        current_q(timezone.localdate()),
        case_id=action.case_id,
        user=actor,
        role__in=[
            CaseRole.LEAD_NSD_PRACTITIONER,
            CaseRole.SENIOR_OPERATIONAL_LEAD,
            CaseRole.CT_SUPERVISOR,
        ],
    ).exists():
        return None
    return (
        "Only the owner, their manager or the case's lead practitioner, senior operational "
        "lead or CT supervisor can change the due date, reassign, complete or cancel this action"
    )


__all__ = [
    "INVITE_REFUSED",
    "OPEN_STATUSES",
    "OWNER_REFUSED",
    "action_change_due",
    "action_complete",
    "action_complete_require",
    "action_create",
    "action_due_change_refusal",
    "action_due_change_require",
    "action_reassign",
    "action_reassign_require",
    "action_status_require",
    "action_update_status",
    "attendance_record",
    "decision_record",
    "invitation_add",
    "invitation_remove",
    "meeting_cases_set",
    "meeting_create",
    "meeting_edit",
    "meeting_edit_refusal",
    "meeting_editor_require",
    "meeting_update",
    "minutes_release_refusal",
    "minutes_section_add",
    "risk_entry_add",
]


def _refuse(
    *,
    actor: User,
    action: str,
    object_type: str,
    object_id: int,
    reason: str,
    message: str,
    request: HttpRequest | None,
) -> None:
    """Record the DENY (the actor can see the object, but may not do this) and raise."""
    from jointcase.audit.models import Outcome

    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            outcome=Outcome.DENY,
            object_type=object_type,
            object_id=object_id,
            reason=reason,
            request=request,
        )
    raise PermissionDenied(message)


def meeting_editor_require(
    *, actor: User, meeting: Meeting, request: HttpRequest | None = None
) -> None:
    """For pages and API operations that change a meeting: 403 (the actor can see the
    meeting) with a DENY audit entry unless ``meeting_edit_refusal`` allows it."""
    refusal = meeting_edit_refusal(actor, meeting)
    if refusal is not None:
        _refuse(
            actor=actor,
            action="meeting.change",
            object_type="meeting",
            object_id=meeting.pk,
            reason="not_editor",
            message=refusal,
            request=request,
        )


def action_due_change_require(
    *, actor: User, action: AgreedAction, request: HttpRequest | None = None
) -> None:
    """403 with a DENY audit entry unless ``action_due_change_refusal`` allows it."""
    _action_authority_require(
        actor=actor, action=action, audit_action="action.due", request=request
    )


def action_reassign_require(
    *, actor: User, action: AgreedAction, request: HttpRequest | None = None
) -> None:
    """403 with a DENY audit entry unless ``action_due_change_refusal`` allows it (the same
    rule as moving the due date)."""
    _action_authority_require(
        actor=actor, action=action, audit_action="action.reassign", request=request
    )


def action_complete_require(
    *, actor: User, action: AgreedAction, request: HttpRequest | None = None
) -> None:
    """403 with a DENY audit entry unless ``action_due_change_refusal`` allows it (completing
    closes the action: the same rule as moving its due date)."""
    _action_authority_require(
        actor=actor, action=action, audit_action="action.complete", request=request
    )


def action_status_require(
    *, actor: User, action: AgreedAction, status: str, request: HttpRequest | None = None
) -> None:
    """Cancelling: 403 with a DENY audit entry unless ``action_due_change_refusal`` allows it.
    Any other status is for anyone who may see the action (the service validates it)."""
    if status == ActionStatus.CANCELLED:
        _action_authority_require(
            actor=actor, action=action, audit_action="action.status", request=request
        )


def _action_authority_require(
    *, actor: User, action: AgreedAction, audit_action: str, request: HttpRequest | None
) -> None:
    refusal = action_due_change_refusal(actor, action)
    if refusal is not None:
        _refuse(
            actor=actor,
            action=audit_action,
            object_type="action",
            object_id=action.pk,
            reason="not_owner_or_manager",
            message=refusal,
            request=request,
        )


# --- A case exclusion reaches the meetings about the case --------------------------------------


@transaction.atomic
def invitations_withdraw_for_exclusion(
    *, actor: User, case: Case, user: User, request: HttpRequest | None = None
) -> int:
    """Withdraw ``user``'s invitations to the planned meetings about ``case``, when they are
    excluded from it (``cases.services.exclusion_add`` calls this in its own transaction).

    An exclusion beats every other relationship (DESIGN.md "Need-to-know"): access already
    ends with it; this takes their name off the attendee lists and packs of the meetings still
    to come and ends their notifications of them. Each withdrawal is a meeting event on the
    case (shown only to readers of the case) and an audit entry. Meetings already held or
    cancelled keep their record of who was invited and who attended. They are not told. A
    planned meeting they chair keeps them as its chair (recorded in the entry) until an editor
    chooses another; they can no longer open it, and the edit form refuses them as chair.
    Returns how many invitations were withdrawn.
    """
    from jointcase.access.cases import case_team_manage_decision

    if not case_team_manage_decision(actor, case).allowed:
        raise PermissionDenied("may not manage this case's team")
    invitations = list(
        Invitation.objects.select_for_update(of=("self",))
        .filter(user=user, meeting__cases=case, meeting__status=MeetingStatus.PLANNED)
        .select_related("meeting", "user")
        .order_by("pk")
    )
    for invitation in invitations:
        meeting = invitation.meeting
        who = f"{invitation.display_name} ({invitation.agency_name})"
        withdrawn = {
            "invitation": invitation.pk,
            "user": invitation.user_id,
            "case": case.pk,
            "because": "case_exclusion",
            "chair": meeting.chair_id == invitation.user_id,
        }
        invitation.delete()
        _meeting_event(meeting, MeetingEventKind.UNINVITED, actor=actor, from_value=who, case=case)
        audit_record(
            action="meeting.uninvite_excluded",
            actor=actor,
            object_type="meeting",
            object_id=meeting.pk,
            details=withdrawn,
            request=request,
        )
    return len(invitations)
