"""Prison counter-terrorism training: completions of the courses of ``workforce/data/courses.yaml``
and the staff confidence survey (docs/prison-training.md).

A completion is current on a day ``d`` when ``completed_on <= d < expires_on``: ``expires_on``
is the first day it no longer counts (``completed_on`` plus the course's validity in months),
so training lapses, and an establishment's compliance changes, on that very day, with no
nightly job. Who may see and record these is decided in ``jointcase.access.training``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

CONFIDENCE_MIN, CONFIDENCE_MAX = 1, 5


class TrainingCompletion(models.Model):
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    #: The member of staff who completed the course (a prison user; see courses.yaml).
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_completions"
    )
    #: A course code of the catalogue in force when recorded.
    course_code = models.CharField(max_length=60)
    completed_on = models.DateField()
    #: The first day the completion no longer counts (derived from the course's validity).
    expires_on = models.DateField()
    courses_version = models.PositiveIntegerField()
    evidence_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    #: The working day the member of staff (and their manager) was told it lapses soon.
    expiry_notified_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        indexes = [
            models.Index(
                fields=["staff", "course_code", "expires_on"], name="training_staff_course"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("completed_on")), name="training_expires_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_code} {self.completed_on}"

    def is_current(self, day: dt.date) -> bool:
        """Does the completion count on ``day`` (``expires_on`` is the first day it does not)?"""
        return self.completed_on <= day < self.expires_on


class ConfidenceResponse(models.Model):
    """One answer to the staff confidence survey: how confident the member of staff is to
    recognise, and to challenge, extremist behaviour (1 not at all to 5 very)."""

    establishment = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="confidence_responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_on = models.DateField()
    recognise = models.PositiveSmallIntegerField()
    challenge = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-answered_on", "-pk"]
        indexes = [
            models.Index(fields=["establishment", "answered_on"], name="confidence_place_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recognise__gte=CONFIDENCE_MIN, recognise__lte=CONFIDENCE_MAX)
                & Q(challenge__gte=CONFIDENCE_MIN, challenge__lte=CONFIDENCE_MAX),
                name="confidence_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answered_on}: {self.recognise}/{self.challenge}"
