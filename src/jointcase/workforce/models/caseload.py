"""Capacity and allocation (docs/workforce.md).

- ``CapacityRecord``: a person's contracted hours (as a fraction of full time) and the
  reduction for their other duties, from a date; the latest record in force counts, the file's
  defaults apply when there is none. Capacity = role cap x hours x (1 - reduction).
- ``Allocation``: a case given to a person in its lead case role by a manager, with the load and
  capacity seen at the time and, when it took them above capacity, the override's reason.
- ``HandoverAction``: the new lead's checklist when a case changes hands (a reallocation).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CapacityRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capacity_records"
    )
    #: Contracted hours as a fraction of full time (0.6: three days a week).
    hours_fraction = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("1.00"))
    #: The share of capacity taken by other duties (training, a lead role...), 0 to 0.95.
    other_duties_reduction = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("0.00")
    )
    other_duties = models.CharField(max_length=200, blank=True)
    effective_from = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "-effective_from", "-pk"]
        indexes = [
            models.Index(fields=["user", "-effective_from"], name="capacity_user_from"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_fraction__gt=0, hours_fraction__lte=1),
                name="capacity_hours_fraction_range",
            ),
            models.CheckConstraint(
                condition=Q(other_duties_reduction__gte=0, other_duties_reduction__lte="0.95"),
                name="capacity_reduction_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.hours_fraction} from {self.effective_from}"


class Allocation(models.Model):
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="allocations")
    case_role = models.CharField(max_length=30)
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations_received"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations_made"
    )
    previous_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case_weight = models.DecimalField(max_digits=7, decimal_places=2)
    load_before = models.DecimalField(max_digits=8, decimal_places=2)
    capacity = models.DecimalField(max_digits=8, decimal_places=2)
    weights_version = models.PositiveIntegerField()
    override_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "-created_at"], name="allocation_case_created")]

    def __str__(self) -> str:
        return f"{self.case} to {self.allocated_to}"

    @property
    def load_after(self) -> Decimal:
        return self.load_before + self.case_weight

    @property
    def over_capacity(self) -> bool:
        return self.load_after > self.capacity


class HandoverStep(models.TextChoices):
    MEET_THE_PERSON = "MEET_THE_PERSON", "Meet the person"
    REVIEW_ASSESSMENT = "REVIEW_ASSESSMENT", "Review the risk assessment"
    REVIEW_LICENCE_CONDITIONS = "REVIEW_LICENCE_CONDITIONS", "Review the licence conditions"
    UPDATE_PARTNERS = "UPDATE_PARTNERS", "Tell partner agencies who the new lead is"


class HandoverAction(models.Model):
    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="handover_actions"
    )
    step = models.CharField(max_length=30, choices=HandoverStep.choices)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["allocation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "step"], name="handover_step_once"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True) | Q(done_at__isnull=False),
                name="handover_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.get_step_display()
