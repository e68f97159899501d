"""Editing a record safely: optimistic versions, the change set an audit entry records.

A record with a ``version`` column is changed by ``versioned_update``: the row is locked, the
version the editor loaded is compared, only real changes are written (with ``version + 1``
and ``updated_at``), and the caller gets the ``{field: [before, after]}`` set for its audit
entry. A stale version raises ``ConcurrentEdit`` and writes nothing.

The services that let a page change a record's own fields (a case, a person) go through
``editable_update``: fields the page may not change are refused as field errors before anything
is read, the values are checked, and only then is the row versioned and written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import F, Model
from django.utils import timezone

M = TypeVar("M", bound=Model)


class StateConflict(ValidationError):
    """A well-formed request the record's current state refuses (an action already closed, a
    meeting's chair removed, a limit reached): a page shows it as the field's error like any
    ``ValidationError``; the API answers 409 keyed by the field, since nothing in the request
    itself was wrong (docs/api.md "Errors")."""


class ConcurrentEdit(Exception):
    """The record changed since the editor loaded it: nothing was saved; reload and redo."""

    message = (
        "This record was changed by someone else. Reload the page to see their changes, "
        "then make yours again. Nothing has been saved."
    )

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


def jsonable(value: Any) -> Any:
    """A value as stored in audit details (dates as ISO text, models as their pk)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field of ``after`` whose value differs."""
    return {
        key: [jsonable(before.get(key)), jsonable(after[key])]
        for key in after
        if jsonable(before.get(key)) != jsonable(after[key])
    }


def versioned_update(
    model: type[M], pk: Any, expected_version: int, changes: dict[str, Any]
) -> tuple[M, dict[str, list[Any]]]:
    """Apply ``changes`` to row ``pk`` if its version is still ``expected_version``.

    Call inside the caller's transaction. Returns the fresh row and the change set (empty,
    and nothing written, when every value is already as asked)."""
    current = model._default_manager.select_for_update().get(pk=pk)
    if current.serializable_value("version") != expected_version:
        raise ConcurrentEdit()
    diff = changes_between({field: getattr(current, field) for field in changes}, changes)
    if not diff:
        return current, diff
    updated = model._default_manager.filter(pk=pk, version=expected_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise ConcurrentEdit()
    current.refresh_from_db()
    return current, diff


def choice_check(value: Any, choices: Any, field: str, message: str) -> Any:
    """Refuse (a field error) a value that is not one of a ``TextChoices``' values."""
    if value not in choices.values:
        raise ValidationError({field: message})
    return value


def uneditable_refuse(changes: dict[str, Any], editable: Iterable[str]) -> None:
    """Refuse, as field errors, the changes to any field not in ``editable``: a tampered form
    cannot reach a column its page does not offer."""
    unknown = set(changes) - set(editable)
    if unknown:
        raise ValidationError({field: "This field cannot be changed here" for field in unknown})


def editable_update(
    model: type[M],
    pk: Any,
    expected_version: int,
    changes: dict[str, Any],
    *,
    editable: Iterable[str],
    clean: Callable[[dict[str, Any]], None],
) -> tuple[M, dict[str, list[Any]]]:
    """``versioned_update`` of the fields a page may change: fields outside ``editable`` are
    refused first, then ``clean`` checks (and may normalise, in place) the values."""
    uneditable_refuse(changes, editable)
    clean(changes)
    return versioned_update(model, pk, expected_version, changes)
