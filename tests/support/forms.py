"""POST data for the forms' one GOV.UK date input (``jointcase.lib.forms.GovukDateField``)."""

from __future__ import annotations

import datetime as dt


def date_input(name: str, typed: str | dt.date) -> dict[str, str]:
    """What a person posts in the three boxes of date input ``name``: a date, or what they
    type as "day/month/year" (an impossible "31/2/2024" or a stray "x/1/2030" included; ""
    leaves all three boxes empty)."""
    if isinstance(typed, dt.date):
        parts = [str(typed.day), str(typed.month), str(typed.year)]
    else:
        parts = [*(typed.split("/") if typed else []), "", "", ""][:3]
    return {
        f"{name}-{part}": value for part, value in zip(("day", "month", "year"), parts, strict=True)
    }
