"""Links to a meeting's and an action's pages (what notices carry, never content)."""

from __future__ import annotations

from django.urls import reverse

from jointcase.meetings.models import AgreedAction, Meeting


def action_link(action: AgreedAction) -> str:
    return reverse("meetings:action", args=[action.public_id])


def meeting_link(meeting: Meeting) -> str:
    return reverse("meetings:meeting", args=[meeting.public_id])
