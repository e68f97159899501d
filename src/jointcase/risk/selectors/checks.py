"""Reads of required checks, scoped by ``jointcase.access.checks``.

- ``check_get_for``: one check by its public id, audited (ALLOW or DENY), 404 alike for
  missing and forbidden (``audit.reads.audited_read``).
- ``case_checks_for``: a case's checks and recorded changes (the caller has opened the case
  with its audited read); ``case_open_checks_for``: its open ones, for the risk tab.
- ``checks_due_for``: "Checks due" for me or my team, filtered by type, case and due date.
- ``compliance_for``: checks completed on time out of checks due, grouped by type, phase,
  team, region or month: the figures the inspection measured (49% domestic abuse, 55%
  safeguarding), counted only over what the reader's role allows (``compliance_filter``).

A check counts as *due* in a period when its due date falls in it and it is either completed
or past its due date (an open check not yet due is neither late nor on time); it is *on time*
when completed on or before its due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from jointcase.access.checks import (
    check_decision,
    check_filter,
    check_responsible_filter,
    check_team_filter,
    compliance_filter,
)
from jointcase.agencies.models import Agency, Team
from jointcase.audit.reads import audited_read, uuid_key
from jointcase.cases.models import Case, Phase
from jointcase.risk.check_rules import rules_current
from jointcase.risk.models.checks import ChangeOfCircumstance, CheckStatus, RequiredCheck

if TYPE_CHECKING:
    from jointcase.accounts.models import User

NOT_FOUND = "Check not found"
SCOPES = ("mine", "team")
#: The column each grouping reads (teams and regions by key, named afterwards: no join).
GROUPS: dict[str, str] = {
    "type": "check_type",
    "phase": "phase",
    "team": "team_id",
    "region": "region_id",
    "month": "due_month",
    "family": "family",
}


def check_get_for(
    user: User, check_id: Any, *, request: HttpRequest | None = None
) -> RequiredCheck:
    """The check named by ``check_id`` if ``user`` may see it (audited), else ``Http404``."""
    return audited_read(
        user=user,
        raw_id=check_id,
        key=uuid_key,
        load=lambda key: (
            RequiredCheck.objects.select_related("case", "completed_by")
            .filter(public_id=key)
            .first()
        ),
        decide=lambda check: check_decision(user, check),
        action="check.read",
        object_type="check",
        not_found=NOT_FOUND,
        request=request,
        details=lambda check: {"case_id": check.case_id},
    )


def case_checks_for(user: User, case: Case) -> QuerySet[RequiredCheck]:
    """The checks of ``case`` (none unless ``user`` may see it), open first, by due date."""
    return (
        RequiredCheck.objects.filter(check_filter(user), case_id=case.pk)
        .select_related("completed_by")
        .prefetch_related("material")
        .order_by("-status", "due_on", "pk")
    )


def case_open_checks_for(user: User, case: Case) -> QuerySet[RequiredCheck]:
    """The open checks of ``case`` (none unless ``user`` may see it), soonest due first: the
    summary on the case's risk tab."""
    return RequiredCheck.objects.filter(
        check_filter(user), case_id=case.pk, status=CheckStatus.OPEN
    ).order_by("due_on", "pk")


def case_changes_for(user: User, case: Case) -> QuerySet[ChangeOfCircumstance]:
    return ChangeOfCircumstance.objects.filter(check_filter(user), case_id=case.pk).select_related(
        "recorded_by"
    )


@dataclass(frozen=True)
class DueFilters:
    scope: str = "mine"
    check_type: str = ""
    case_reference: str = ""
    due_by: dt.date | None = None
    overdue_only: bool = False
    #: A key of ``CHECK_ORDERS``, ``-key`` descending.
    sort: str = "due"


#: The orders the checks-due list may be sorted in.
CHECK_ORDERS: dict[str, tuple[str, ...]] = {
    "due": ("due_on", "pk"),
    "case": ("case__reference", "due_on", "pk"),
}


def checks_due_for(user: User, filters: DueFilters) -> QuerySet[RequiredCheck]:
    """Open checks for ``user`` ("mine": theirs to complete; "team": their teams'), soonest
    first, filtered; always within what ``user`` may see."""
    scope_q = check_team_filter(user) if filters.scope == "team" else check_responsible_filter(user)
    checks = RequiredCheck.objects.filter(scope_q, status=CheckStatus.OPEN)
    if filters.check_type:
        checks = checks.filter(check_type=filters.check_type)
    if filters.case_reference:
        checks = checks.filter(case__reference__iexact=filters.case_reference.strip())
    if filters.due_by is not None:
        checks = checks.filter(due_on__lte=filters.due_by)
    if filters.overdue_only:
        checks = checks.filter(due_on__lt=timezone.localdate())
    terms = CHECK_ORDERS.get(filters.sort.removeprefix("-"), CHECK_ORDERS["due"])
    if filters.sort.startswith("-"):
        terms = tuple(f"-{term}" for term in terms)
    return checks.select_related("case", "case__person").order_by(*terms)


@dataclass(frozen=True)
class ComplianceRow:
    key: tuple[str, ...]
    labels: tuple[str, ...]
    due: int
    on_time: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.due) if self.due else None


def _names(rows: list[dict[str, Any]], group_by: tuple[str, ...]) -> dict[str, dict[Any, str]]:
    """The names of the teams and regions (agencies) in ``rows``, one query each."""
    names: dict[str, dict[Any, str]] = {}
    for group, model in (("team", Team), ("region", Agency)):
        if group in group_by:
            keys = {row[GROUPS[group]] for row in rows} - {None}
            names[group] = dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))
    return names


def _label(group: str, value: Any, names: dict[str, dict[Any, str]] | None = None) -> str:
    if value is None or value == "":
        return "Not recorded"
    if group in ("team", "region"):
        return (names or {}).get(group, {}).get(value, "Not recorded")
    if group == "type":
        return rules_current().label_of(str(value))
    if group == "phase":
        return Phase(value).label if value in Phase.values else str(value)
    if group == "month":
        return dt.date(int(value) // 100, int(value) % 100, 1).strftime("%B %Y")
    if group == "family":
        return str(value).replace("_", " ").capitalize()
    return str(value)


def _key(group: str, value: Any) -> str:
    if value is None:
        return ""
    if group == "month":  # "YYYY-MM", as the API has always given it
        return f"{int(value) // 100:04d}-{int(value) % 100:02d}"
    return str(value)


def compliance_checks(
    user: User, *, start: dt.date, end: dt.date, today: dt.date | None = None
) -> QuerySet[RequiredCheck]:
    """The checks that fell due between ``start`` and ``end`` and count for ``user``."""
    day = today or timezone.localdate()
    return RequiredCheck.objects.filter(
        compliance_filter(user),
        due_on__gte=start,
        due_on__lte=end,
    ).filter(Q(status=CheckStatus.COMPLETED) | Q(due_on__lt=day))


def compliance_for(
    user: User,
    *,
    start: dt.date,
    end: dt.date,
    group_by: tuple[str, ...] = ("type",),
    today: dt.date | None = None,
) -> list[ComplianceRow]:
    """Checks completed on time out of checks due, per group (``GROUPS``), in group order.

    The month and the on-time test are stored generated columns of the check (``due_month``,
    ``on_time``), covered with the period by the ``check_compliance`` index: the figures are
    counted from that index, never from a per-row expression over every check."""
    checks = compliance_checks(user, start=start, end=end, today=today)
    fields: list[str] = []
    for group in group_by:
        if group == "family":
            if "check_type" not in fields:
                fields.append("check_type")
            continue
        if GROUPS[group] not in fields:
            fields.append(GROUPS[group])
    rows = (
        checks.values(*fields)
        .annotate(
            # Columns of the index only (no "id"): PostgreSQL can then skip the table.
            due=Count("*"),
            on_time=Count("on_time", filter=Q(on_time=True)),
        )
        .order_by(*fields)
    )
    found = list(rows)
    names = _names(found, group_by)
    if "family" in group_by:
        return _by_family(found, group_by, names)
    result = []
    for row in found:
        values = [row[GROUPS[g]] for g in group_by]
        result.append(
            ComplianceRow(
                key=tuple(_key(g, v) for g, v in zip(group_by, values, strict=True)),
                labels=tuple(_label(g, v, names) for g, v in zip(group_by, values, strict=True)),
                due=row["due"],
                on_time=row["on_time"],
            )
        )
    return result


def _by_family(
    rows: list[dict[str, Any]], group_by: tuple[str, ...], names: dict[str, dict[Any, str]]
) -> list[ComplianceRow]:
    """Fold per-type rows into the rules file's families (domestic abuse, safeguarding...)."""
    rules = rules_current()
    totals: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        values = tuple(
            rules.family_of(row["check_type"]) if g == "family" else row[GROUPS[g]]
            for g in group_by
        )
        total = totals.setdefault(values, [0, 0])
        total[0] += row["due"]
        total[1] += row["on_time"]
    return [
        ComplianceRow(
            key=tuple(_key(g, v) for g, v in zip(group_by, values, strict=True)),
            labels=tuple(_label(g, v, names) for g, v in zip(group_by, values, strict=True)),
            due=due,
            on_time=on_time,
        )
        for values, (due, on_time) in sorted(totals.items(), key=lambda item: str(item[0]))
    ]
