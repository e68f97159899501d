"""Required checks (docs/domain.md "Risk"): what the rules file asks for on each case, and what
the practitioner records when the check is made.

A ``RequiredCheck`` is created by a rule of ``risk/data/rules/required_checks.yaml`` when one
of its triggers fires on a case; the check type and the rule are codes from that file (new
types need no code), so they are plain strings validated by ``jointcase.risk.check_rules``.
``occurrence`` names the one event that fired the rule (a team membership, a phase change, a
recorded change of circumstance, a release date, a period), and the unique constraint on
(case, rule, occurrence) is what makes every trigger fire exactly once per event, however many
times the event is seen (the nightly run, a retried request, a concurrent worker).

Models hold fields and constraints only; rules live in ``risk.services`` and
``jointcase.access.checks``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case as Choose
from django.db.models import F, Q, Value, When
from django.utils import timezone


class MonthOf(models.Func):
    """The month of a date as the integer ``YYYYMM`` (202603 for any day of March 2026).

    Written for each database so it may define a stored generated column: PostgreSQL wants an
    immutable expression (``EXTRACT`` on a ``date`` is one; a cast to text is not, it follows
    ``DateStyle``), SQLite stores dates as ISO text and has no ``EXTRACT`` (Django's own
    ``ExtractMonth`` there is a Python function, unusable in a column definition)."""

    arity = 1
    output_field = models.IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=(
                "((EXTRACT(YEAR FROM %(expressions)s) * 100"
                " + EXTRACT(MONTH FROM %(expressions)s))::integer)"
            ),
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=(
                # No ", " inside: Django's SQLite introspection splits a table's columns on it.
                "(CAST(substr(%(expressions)s,1,4) AS integer) * 100"
                " + CAST(substr(%(expressions)s,6,2) AS integer))"
            ),
            **extra,
        )


class TriggerKind(models.TextChoices):
    ALLOCATION = "ALLOCATION", "Allocation"
    PHASE_ENTERED = "PHASE_ENTERED", "Entering a phase"
    BEFORE_RELEASE = "BEFORE_RELEASE", "Before release"
    CHANGE_OF_CIRCUMSTANCE = "CHANGE_OF_CIRCUMSTANCE", "Change of circumstance"
    PERIODIC = "PERIODIC", "Periodic review"


class ChangeKind(models.TextChoices):
    NEW_ADDRESS = "NEW_ADDRESS", "New address"
    NEW_RELATIONSHIP = "NEW_RELATIONSHIP", "New relationship"
    HOUSEHOLD_CHILDREN = "HOUSEHOLD_CHILDREN", "New household member with children"
    INCIDENT_OR_ARREST = "INCIDENT_OR_ARREST", "New incident or arrest"


#: The changes recorded with the "Record a change of circumstance" form (addresses are
#: recorded in the register, which reports them itself).
RECORDABLE_CHANGES = (
    ChangeKind.NEW_RELATIONSHIP,
    ChangeKind.HOUSEHOLD_CHILDREN,
    ChangeKind.INCIDENT_OR_ARREST,
)


class CheckStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    COMPLETED = "COMPLETED", "Completed"


class CheckOutcome(models.TextChoices):
    DISCLOSED = "DISCLOSED", "Information disclosed"
    NO_TRACE = "NO_TRACE", "No trace"
    REFUSED = "REFUSED", "Request refused"


class ChangeOfCircumstance(models.Model):
    """A change in the person's life that calls for fresh checks, recorded on a case.

    The description is case content at the case's baseline (OFFICIAL-SENSITIVE): whoever may
    see the case reads it; anything more sensitive belongs in a material item."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="changes_of_circumstance"
    )
    kind = models.CharField(max_length=24, choices=ChangeKind.choices)
    occurred_on = models.DateField()
    description = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%d %B %Y}"


class RequiredCheck(models.Model):
    """One check a rule requires on one case, and its record once made."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="checks")
    check_type = models.CharField(max_length=60)
    rule_code = models.CharField(max_length=60)
    rules_version = models.PositiveIntegerField()
    trigger = models.CharField(max_length=24, choices=TriggerKind.choices)
    occurrence = models.CharField(max_length=120)
    #: The recorded change that fired it (when a change of circumstance did).
    change = models.ForeignKey(
        ChangeOfCircumstance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responsible_role = models.CharField(max_length=30)
    #: The case's phase, the responsible team and the case's region when the check arose
    #: (the compliance figures are grouped by them; a case moving on does not rewrite history).
    phase = models.CharField(max_length=20)
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triggered_on = models.DateField()
    due_on = models.DateField()
    #: The deadline the rule gave (``due_on`` moves only with a recorded reason).
    original_due_on = models.DateField()
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.OPEN)
    requested_on = models.DateField(null=True, blank=True)
    sent_to = models.CharField(max_length=200, blank=True)
    received_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=CheckOutcome.choices, blank=True)
    notes = models.TextField(blank=True)
    material = models.ManyToManyField("material.MaterialItem", blank=True, related_name="+")
    completed_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: 0 none, 1 the responsible people's managers told, 2 the case's seniors told.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    #: The compliance figures' two derived facts, computed by the database itself on every
    #: write (stored generated columns), so no write path (a service, the seed's bulk rows, a
    #: moved due date) can let them drift: the month the check fell due (``YYYYMM``), and
    #: whether it was completed on or before its due date. With the index below, "24 months
    #: by team and month" reads an index alone instead of every check's row.
    due_month = models.GeneratedField(
        expression=MonthOf(F("due_on")), output_field=models.IntegerField(), db_persist=True
    )
    on_time = models.GeneratedField(
        expression=Choose(
            When(Q(status="COMPLETED", completed_on__lte=F("due_on")), then=Value(True)),
            default=Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["case", "status", "due_on"], name="check_case_status_due"),
            models.Index(fields=["status", "due_on"], name="check_status_due"),
            models.Index(fields=["due_on", "check_type"], name="check_due_type"),
            # The compliance figures: "by team and month" read in index order (no sort of the
            # period's checks), the period and "due" tests and the other groupings in the index
            # too, so no grouping needs the table.
            models.Index(
                fields=[
                    "team",
                    "due_month",
                    "due_on",
                    "status",
                    "on_time",
                    "check_type",
                    "phase",
                    "region",
                ],
                name="check_compliance",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule_code", "occurrence"], name="check_once_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(status="OPEN") | (~Q(outcome="") & Q(completed_on__isnull=False)),
                name="check_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("triggered_on")), name="check_due_after_trigger"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_type} due {self.due_on:%d %B %Y}"

    @property
    def is_open(self) -> bool:
        return self.status == CheckStatus.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == CheckStatus.OPEN and self.due_on < today


class CheckEventKind(models.TextChoices):
    CREATED = "CREATED", "Required"
    DUE_MOVED = "DUE_MOVED", "Due date moved"
    COMPLETED = "COMPLETED", "Completed"
    REMINDED = "REMINDED", "Reminder sent"
    ESCALATED = "ESCALATED", "Escalated"


class CheckEvent(models.Model):
    """The check's history. Escalation idempotency: one (check, kind, to_value) per notice."""

    check_obj = models.ForeignKey(RequiredCheck, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=CheckEventKind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_obj", "kind", "to_value"],
                condition=Q(kind__in=["REMINDED", "ESCALATED"]),
                name="check_notice_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at}"
