"""The PDF meeting pack: the meeting, its attendees, its minutes at the requester's clearance
and need-to-know (withheld sections as placeholders or left out, as their originators chose)
and the agreed actions the requester may see; the protective marking (the highest shown) at
the top and bottom of every page. Built with fpdf2 (pure Python, core fonts only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
        self.cell(0, 4, f"Page {self.page_no()}", align="C")


def _action_line(action: Any) -> str:
    owner = action.owner.get_full_name() or action.owner.username
    return (
        f"{action.case.reference}: {action.description} - {owner} ({action.owner_agency.name}), "
        f"due {action.due_date:%d %B %Y}, {action.get_status_display().lower()}"
    )


def pack_pdf(
    *,
    meeting: Any,
    cases: list[Any],
    invitations: list[Any],
    minutes: Any,
    actions: list[Any],
    review: Sequence[Any] = (),
) -> tuple[bytes, str]:
    """The pack's bytes and its marking. ``minutes`` from ``selectors.minutes_for``;
    ``review``: the open actions carried from earlier meetings (``actions_for_review``)."""
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
    para("Cases: " + (", ".join(c.reference for c in cases) or "none you can open"))
    heading("Agenda")
    para(meeting.agenda or "No agenda recorded.")
    heading("Open actions for review")
    for action in review:
        para(_action_line(action))
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
        para(_action_line(action))
    if not actions:
        para("None.")
    return bytes(pdf.output()), marking
