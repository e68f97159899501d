"""Minutes: labelled sections, each sealed under its own label."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from jointcase.access.labels import CLASSIFICATION_RANK, Classification
from jointcase.access.material import LabelFields, above_system_high, system_high
from jointcase.access.meetings import (
    agency_names,
    invitee_outside,
    meeting_cases_visible,
    minutes_write_refusal,
)
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Caveat
from jointcase.audit.services import audit_record
from jointcase.cases.models import Case, TimelineKind
from jointcase.cases.services import timeline_add
from jointcase.material.crypto import label_from, seal
from jointcase.meetings.models import Meeting, MinutesSection, OtherAgencyAttendees, WithheldDisplay
from jointcase.meetings.services._common import checked
from jointcase.meetings.services.checks import minutes_writer_require


def section_object_id(section: MinutesSection) -> str:
    return f"minutes-{section.pk}"


def section_label(section: MinutesSection) -> Any:
    return label_from(
        classification=section.classification,
        originator=section.originator.code,
        caveats=[c.code for c in section.caveats.all()],
        releasable_to=[a.code for a in section.releasable_to.all()],
    )


def _field_errors(
    actor: User,
    *,
    heading: str,
    body: str,
    classification: str,
    withheld_display: str,
    other_agency_attendees: str,
) -> dict[str, str]:
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
    return errors


def _section_case(
    actor: User, meeting: Meeting, case: Case | None, errors: dict[str, str]
) -> Case | None:
    """The case the section is about: the first the writer sees when none is given."""
    meeting_cases = list(meeting_cases_visible(actor, meeting).order_by("reference"))
    if case is None:
        if not meeting_cases:
            errors["case"] = "You can write minutes only about a case of this meeting you can see"
            return None
        return meeting_cases[0]
    if case.pk not in {c.pk for c in meeting_cases}:
        errors["case"] = "Select one of the cases discussed at this meeting"
    return case


def _check_release(meeting: Meeting, releasable: list[Agency], other_agency_attendees: str) -> None:
    if releasable and other_agency_attendees == OtherAgencyAttendees.REFUSE:
        outside = invitee_outside(meeting, releasable)
        if outside is not None:
            raise ValidationError(
                {
                    "releasable_to": f"{outside} is invited and may not receive a section "
                    f"released only to {agency_names(releasable)}: release it to their agency "
                    "too, or choose to withhold it from attendees of other agencies"
                }
            )


def _seal_body(section: MinutesSection, body: str) -> None:
    sealed = seal(
        plaintext=body.encode("utf-8"),
        object_id=section_object_id(section),
        label=section_label(section),
    )
    sealed.data_key.save()
    section.data_key = sealed.data_key
    section.body_ciphertext = bytes(sealed.ciphertext)
    section.save(update_fields=["data_key", "body_ciphertext"])


@checked(minutes_writer_require)
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
    to read what they write (``access.meetings.minutes_write_refusal``, the reach clauses of
    the label rule, as for material); the body is sealed under the label."""
    errors = _field_errors(
        actor,
        heading=heading,
        body=body,
        classification=classification,
        withheld_display=withheld_display,
        other_agency_attendees=other_agency_attendees,
    )
    case = _section_case(actor, meeting, case, errors)
    if errors:
        raise ValidationError(errors)
    assert case is not None
    caveats = list(caveats)
    releasable = (
        list(releasable_to)
        if releasable_to is not None
        else list(meeting.minutes_releasable_to.all())
    )
    _check_release(meeting, releasable, other_agency_attendees)
    label = LabelFields(
        classification=classification,
        caveat_ids=frozenset(c.pk for c in caveats),
        releasable_ids=frozenset(a.pk for a in releasable),
        originator_id=actor.agency_id,
    )
    refusal = minutes_write_refusal(actor, label)
    if refusal is not None:
        raise ValidationError({"classification": refusal.message})
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
    _seal_body(section, body)

    timeline_add(
        case=case,
        kind=TimelineKind.MINUTES,
        title=f"{section.heading} ({meeting.get_type_display()})",
        actor=actor,
        label=section,
    )
    audit_record(
        action="meeting.minutes.add",
        actor=actor,
        object_type="minutes_section",
        object_id=section.pk,
        details={"meeting": meeting.pk, "case": case.pk, "classification": classification},
        request=request,
    )
    return section
