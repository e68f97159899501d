"""Background work of the exchange: running an accepted import on the worker (django-tasks).

The task takes the batch's id only (the extract is kept with the batch), so a worker that dies
mid-import leaves the batch at its last committed chunk and the same task, run again, resumes
from there."""

from __future__ import annotations

from django_tasks import task

from jointcase.exchange.services.imports import import_run
from jointcase.exchange.services.linking import batch_link
from jointcase.exchange.webhooks.services import webhook_deliver


@task()
def import_batch_run(batch_id: int) -> dict[str, int]:
    batch = import_run(batch_id)
    return {
        "rows": batch.rows_total,
        "accepted": batch.accepted,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "quarantined": batch.quarantined,
    }


@task()
def batch_link_run(batch_id: int) -> dict[str, int]:
    """The linkage stage of a batch (its records still awaiting linkage: a row corrected and
    replayed from quarantine, say), run to the end."""

    stage = batch_link(batch_id)
    return {"linked": stage.linked, "review": stage.review, "new": stage.new}


@task()
def webhook_deliver_run(delivery_id: int) -> str:
    """One attempt at a webhook delivery (a failure schedules the next, with backoff)."""

    return webhook_deliver(delivery_id).status
