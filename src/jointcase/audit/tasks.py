"""Periodic signed checkpoints, run by the worker (``jointcase worker``).

django-tasks has no scheduler, so the task re-enqueues itself ``run_after`` the configured
interval (``JOINTCASE_AUDIT_CHECKPOINT_MINUTES``). ``checkpoint_schedule_next`` enqueues only
when no checkpoint task is already waiting, so starting the cycle twice (``jointcase audit
scheduler`` at every deployment) never doubles it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jointcase.audit.checkpoints import checkpoint_create, checkpoint_post

logger = logging.getLogger(__name__)


@task()
def audit_checkpoint_periodic() -> int:
    """Sign the chain head, post it to the witness if one is configured, schedule the next."""
    try:
        checkpoint = checkpoint_create()
        if settings.JOINTCASE_AUDIT_WITNESS_URL:
            problem = checkpoint_post(checkpoint, settings.JOINTCASE_AUDIT_WITNESS_URL)
            if problem:
                logger.warning("audit checkpoint %s not posted: %s", checkpoint.seq, problem)
        return checkpoint.seq
    finally:
        checkpoint_schedule_next()


def checkpoint_pending() -> bool:
    """Whether a checkpoint task is already waiting (database task backend only)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return False

    return DBTaskResult.objects.filter(
        task_path=audit_checkpoint_periodic.module_path, status=TaskResultStatus.READY
    ).exists()


def checkpoint_schedule_next(*, minutes: int | None = None) -> bool:
    """Enqueue the next periodic checkpoint unless one is already waiting; True if enqueued."""
    if checkpoint_pending():
        return False
    if minutes is None:
        minutes = settings.JOINTCASE_AUDIT_CHECKPOINT_MINUTES
    delay = dt.timedelta(minutes=minutes)
    audit_checkpoint_periodic.using(run_after=timezone.now() + delay).enqueue()
    return True
