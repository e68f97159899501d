"""Stored caseload figures (``jointcase.workforce.figures`` keeps them; docs/workforce.md).

``CaseloadFigure``: one person's load and capacity as the live computation
(``workforce.caseload.loads_of``) gave them on ``as_of``, with the inputs the pages show (the
caseload role, the capacity record in force) and the weights file version they were weighed
with. The pages read these rows instead of weighing every held case on every request.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone


class CaseloadFigure(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="caseload_figure",
    )
    #: The agency role the person holds a caseload in ("": none).
    caseload_role = models.CharField(max_length=40, blank=True)
    load = models.DecimalField(max_digits=8, decimal_places=1, default=Decimal(0))
    #: Case-team rows counted: held in a lead case role, and co-worked (at the fraction).
    lead_cases = models.PositiveIntegerField(default=0)
    co_worked_cases = models.PositiveIntegerField(default=0)
    capacity = models.DecimalField(max_digits=8, decimal_places=1, default=Decimal(0))
    #: The capacity record in force (or the file's defaults: ``capacity_from`` empty).
    hours_fraction = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal(1))
    other_duties_reduction = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal(0))
    other_duties = models.CharField(max_length=200, blank=True)
    capacity_from = models.DateField(null=True, blank=True)
    #: The day the figure holds for, when it was computed, and with which weights file
    #: (0: a placeholder written to take the row's lock, never shown).
    as_of = models.DateField(default=timezone.localdate)
    computed_at = models.DateTimeField(default=timezone.now)
    weights_version = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["as_of"], name="caseload_figure_as_of")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.load} of {self.capacity} on {self.as_of}"

    @property
    def cases(self) -> int:
        return self.lead_cases + self.co_worked_cases
