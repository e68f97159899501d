"""Telling staff before their required counter-terrorism training lapses.

A completion lapses on its ``expires_on`` (the establishment's compliance changes that very day,
with no job: ``workforce.models.training``). So that nobody lapses unawares, the nightly run
tells the member of staff, and their line manager, once per completion, when it is within
``JOINTCASE_TRAINING_EXPIRY_NOTICE_DAYS`` of lapsing:

- only for a course the person must still hold (their roles at their establishment, in the
  course catalogue in force), and only for their latest completion of it: a refresher already
  recorded means there is nothing to tell;
- on England and Wales working days only (a window that opens on a weekend or bank holiday is
  told on the next working day);
- once: ``expiry_notified_on`` is set by a conditional update, so a second run, or two at once,
  tell nobody again;
- notices carry a fixed sentence and a link only (``notifications.services``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.lib.working_days import is_working_day
from jointcase.notifications.services import notify
from jointcase.workforce.courses import courses_current
from jointcase.workforce.models import TrainingCompletion

STAFF_TEXT = "Training you must hold expires soon"
MANAGER_TEXT = "Training held by someone you manage expires soon"


def expiry_window_end(today: dt.date) -> dt.date:
    """The last lapse day told about on ``today`` (a lapse on this day or before it)."""
    return today + dt.timedelta(days=settings.JOINTCASE_TRAINING_EXPIRY_NOTICE_DAYS)


def _due_completions(today: dt.date) -> list[TrainingCompletion]:
    """Each person's latest completion of each course, lapsing after today and within the
    window, not yet told about."""
    window = (
        TrainingCompletion.objects.filter(
            expires_on__gt=today,
            expires_on__lte=expiry_window_end(today),
            expiry_notified_on__isnull=True,
            completed_on__lte=today,
        )
        .select_related("staff", "staff__agency", "staff__line_manager")
        .order_by("pk")
    )
    candidates = list(window)
    if not candidates:
        return []
    latest = {
        (row["staff_id"], row["course_code"]): row["last"]
        for row in TrainingCompletion.objects.filter(
            staff_id__in={c.staff_id for c in candidates},
            course_code__in={c.course_code for c in candidates},
        )
        .values("staff_id", "course_code")
        .annotate(last=Max("expires_on"))
    }
    return [c for c in candidates if latest[(c.staff_id, c.course_code)] == c.expires_on]


def _still_required(completion: TrainingCompletion) -> bool:
    staff: User = completion.staff
    if not staff.is_active or staff.agency is None:
        return False
    required = courses_current().required_for(
        set(staff.role_codes), separation_centre=staff.agency.holds_separation_centre
    )
    return completion.course_code in required


def training_expiry_notices(*, today: dt.date | None = None) -> dict[str, int]:
    """The nightly run: tell each person (and their line manager) of required training about to
    lapse. Returns the counts: ``due`` completions in the window, ``told`` people told."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return {"due": 0, "told": 0}
    due = [c for c in _due_completions(today) if _still_required(c)]
    by_staff: dict[int, list[TrainingCompletion]] = defaultdict(list)
    for completion in due:
        by_staff[completion.staff_id].append(completion)
    told = 0
    mine = reverse("workforce:training-mine")
    overview = reverse("workforce:training-overview")
    for completions in by_staff.values():
        with transaction.atomic():
            claimed = TrainingCompletion.objects.filter(
                pk__in=[c.pk for c in completions], expiry_notified_on__isnull=True
            ).update(expiry_notified_on=today)
            if not claimed:
                continue  # another run told them first
            staff = completions[0].staff
            notices = notify(recipients=[staff], text=STAFF_TEXT, link=mine)
            if staff.line_manager is not None and staff.line_manager.pk != staff.pk:
                notices += notify(recipients=[staff.line_manager], text=MANAGER_TEXT, link=overview)
            audit_record(
                action="training.expiry_notice",
                object_type="user",
                object_id=staff.pk,
                details={
                    "courses": sorted(c.course_code for c in completions),
                    "expires_on": min(c.expires_on for c in completions).isoformat(),
                    "recipients": [n.recipient_id for n in notices],
                },
                actor_username="system",
            )
            told += 1
    return {"due": len(due), "told": told}
