"""Who manages whom (docs/domain.md "Supervision and workforce"): the people a user currently
manages, as a line manager (``User.line_manager``) or as the manager of a team they currently
belong to. The case rule's ``managed_by_me`` clause and the caseload pages read this one
definition; nobody manages themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.agencies.models import TeamMembership


def managed_user_ids(manager: User, *, today: dt.date | None = None) -> QuerySet[Any]:
    """The ids of the users ``manager`` currently manages (a subquery: ``user_id__in=...``)."""
    day = today or timezone.localdate()
    # No ORDER BY inside the UNION (``User`` is ordered by name; SQLite refuses it there).
    reports = (
        User.objects.filter(line_manager_id=manager.pk)
        .exclude(pk=manager.pk)
        .order_by()
        .values("pk")
    )
    team_members = (
        TeamMembership.objects.current(day)
        .filter(team__manager_id=manager.pk)
        .exclude(user_id=manager.pk)
        .order_by()
        .values("user_id")
    )
    return User.objects.filter(pk__in=reports.union(team_members)).order_by().values("pk")


def managed_users(manager: User, *, today: dt.date | None = None) -> QuerySet[User]:
    """The users ``manager`` currently manages."""
    return User.objects.filter(pk__in=managed_user_ids(manager, today=today))


def manages(manager: User, user: User | int, *, today: dt.date | None = None) -> bool:
    """Does ``manager`` currently manage ``user``?"""
    user_id = user if isinstance(user, int) else user.pk
    return managed_user_ids(manager, today=today).filter(pk=user_id).exists()
