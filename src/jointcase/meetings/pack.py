"""The PDF meeting pack: the meeting, the subject and reference of each case the requester may
see, a distribution and handling statement, its attendees, its minutes at the requester's
clearance and need-to-know (withheld sections as placeholders or left out, as their originators
chose) and the agreed actions the requester may see (an open one past its due date marked
overdue); the protective marking (the highest shown) at the top and bottom of every page, and
"Page X of Y" at the foot. Built with fpdf2 (pure Python, core fonts only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from fpdf import FPDF

from jointcase.access.labels import Classification, classification_max


def _latin(text: str) -> str:
    """Core PDF fonts are Latin-1: anything else becomes "?" (never an error)."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


class _Pack(FPDF):
    def __init__(self, marking: str) -> None:
        super().__init__(format="A4")
        self.marking = marking
        self.set_auto_page_break(auto=True, margin=22)
        self.set_title(_latin(f"{marking} - meeting pack"))

    def _marking_line(self) -> None:
        self.set_font("Helvetica", "B", 11)
        self.cell(0, 8, _latin(self.marking), align="C", new_x="LMARGIN", new_y="NEXT")

    def header(self) -> None:
        self.set_y(8)
        self._marking_line()
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-16)
        self._marking_line()
        self.set_font("Helvetica", "", 8)
        # fpdf2 replaces the alias with the page count when the document is closed.
        self.cell(0, 4, f"Page {self.page_no()} of {self.str_alias_nb_pages}", align="C")


def _action_line(action: Any, today: dt.date) -> str:
    owner = action.owner.get_full_name() or action.owner.username
    status = action.get_status_display().lower()
    if action.is_overdue_on(today):
        days = (today - action.due_date).days
        status = f"OVERDUE by {days} day{'s' if days != 1 else ''} ({status})"
    return (
        f"{action.case.reference}: {action.description} - {owner} ({action.owner_agency.name}), "
        f"due {action.due_date:%d %B %Y}, {status}"
    )


def _case_line(case: Any) -> str:
    """A case by its reference and its subject's name."""
    person = getattr(case, "person", None)
    name = getattr(person, "display_name", "") if person is not None else ""
    return f"{case.reference} ({name})" if name else str(case.reference)


def handling_statement(marking: str, agencies: Sequence[str], prepared_for: str) -> list[str]:
    """The pack's distribution and handling statement (paragraphs)."""
    who = ", ".join(agencies) if agencies else "the meeting's invitees"
    lines = [
        f"Distribution: the invitees of this meeting ({who}) only. This copy was prepared for "
        f"{prepared_for or 'the requester'} at their clearance; sections they may not read are "
        "withheld or left out.",
        f"Handling: {marking}. Do not copy, forward or disclose this pack, or any part of it, "
        "beyond the distribution above without the originating agency's consent. Store, "
        f"transmit and destroy it as your agency's rules for {marking} require.",
    ]
    return lines


def pack_pdf(
    *,
    meeting: Any,
    cases: list[Any],
    invitations: list[Any],
    minutes: Any,
    actions: list[Any],
    review: Sequence[Any] = (),
    prepared_for: str = "",
    today: dt.date | None = None,
) -> tuple[bytes, str]:
    """The pack's bytes and its marking. ``minutes`` from ``selectors.minutes_for``;
    ``review``: the open actions carried from earlier meetings (``actions_for_review``);
    ``cases``: the meeting's cases the requester may see (with their person);
    ``prepared_for``: the requester's name, for the distribution statement."""
    today = today or timezone.localdate()
    marking = classification_max(Classification.OFFICIAL_SENSITIVE, minutes.marking)
    pdf = _Pack(marking)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int = 14) -> None:
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 8, _latin(text), new_x="LMARGIN", new_y="NEXT")

    def para(text: str, style: str = "") -> None:
        pdf.set_font("Helvetica", style, 10)
        pdf.multi_cell(width, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    heading(f"{meeting.get_type_display()}, {meeting.starts_at:%d %B %Y %H:%M}", 16)
    para(f"Chair: {meeting.chair.get_full_name() or meeting.chair.username}")
    para("Cases: " + ("; ".join(_case_line(c) for c in cases) or "none you can open"))
    heading("Distribution and handling", 12)
    agencies = sorted({i.agency_name for i in invitations if getattr(i, "agency_name", "")})
    for line in handling_statement(marking, agencies, prepared_for):
        para(line)
    heading("Agenda")
    para(meeting.agenda or "No agenda recorded.")
    heading("Open actions for review")
    for action in review:
        para(_action_line(action, today))
    if not review:
        para("None.")
    heading("Attendees")
    for invitation in invitations:
        state = (
            "attended"
            if invitation.attended
            else "apologies"
            if invitation.apologies
            else "invited"
        )
        para(f"{invitation.display_name} ({invitation.agency_name}): {state}")
    heading("Minutes")
    # numbered in the order shown, so a section left out leaves no gap in the numbering
    for number, section in enumerate(minutes.sections, start=1):
        if section.withheld:
            para(f"[{section.withheld_text}]", "I")
            continue
        label = " ".join([section.classification, *section.caveats])
        heading(f"{number}. {section.heading}  [{label}]", 11)
        para(section.body or "")
        para(f"Originator: {section.originator}", "I")
    heading("Agreed actions")
    for action in actions:
        para(_action_line(action, today))
    if not actions:
        para("None.")
    return bytes(pdf.output()), marking
