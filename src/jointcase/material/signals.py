"""Keep a material item's label summary columns equal to its label's sets.

``MaterialItem.has_caveats`` says whether the label has any caveat and
``releasability_restricted`` whether its releasable-to list is non-empty; the access filter
(``jointcase.access.material``) tests them instead of probing the join tables for every row.
Whatever changes the sets through Django's many-to-many managers (``item.caveats.set(...)``,
``add``, ``remove``, ``clear``, from either side) fires ``m2m_changed``; the receivers here
re-derive the columns from the stored sets, in the same transaction, and set them on the
instance too so a later ``save()`` of that instance keeps them. Bulk inserts of the join rows
(the seed) set the columns themselves; ``jointcase.material.integrity`` finds any row that
still disagrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed
from django.dispatch import Signal

from jointcase.lib.models import many_to_many, through_of
from jointcase.material.models import MaterialItem

#: The summary column kept for each of the label's many-to-many fields.
SUMMARY_COLUMNS = {"caveats": "has_caveats", "releasable_to": "releasability_restricted"}
_PENDING = "_jc_label_summary_pending"


def summary_refresh(field_name: str, item_ids: Iterable[Any]) -> None:
    """Set the summary column of ``field_name`` on ``item_ids`` from the stored join rows."""
    ids = list(item_ids)
    if not ids:
        return
    through = through_of(MaterialItem, field_name)
    MaterialItem.objects.filter(pk__in=ids).update(
        **{
            SUMMARY_COLUMNS[field_name]: Exists(
                through._default_manager.filter(materialitem_id=OuterRef("pk"))
            )
        }
    )


def _field_of(sender: Any) -> str | None:
    for name in SUMMARY_COLUMNS:
        if sender is through_of(MaterialItem, name):
            return name
    return None


def label_sets_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[Any] | None, **_: Any
) -> None:
    field_name = _field_of(sender)
    if field_name is None:
        return
    if not reverse:  # the item's own manager: one item
        if action in ("post_add", "post_remove", "post_clear"):
            summary_refresh(field_name, [instance.pk])
            column = SUMMARY_COLUMNS[field_name]
            setattr(
                instance,
                column,
                MaterialItem.objects.filter(pk=instance.pk).values_list(column, flat=True).get(),
            )
        return
    # From the caveat's or agency's side: the items are ``pk_set`` (or, on clear, whatever
    # was linked before the clear).
    if action == "pre_clear":
        field = many_to_many(MaterialItem, field_name)
        linked = sender.objects.filter(**{field.m2m_reverse_field_name(): instance.pk})
        setattr(instance, _PENDING, list(linked.values_list("materialitem_id", flat=True)))
    elif action == "post_clear":
        summary_refresh(field_name, getattr(instance, _PENDING, []))
        if hasattr(instance, _PENDING):
            delattr(instance, _PENDING)
    elif action in ("post_add", "post_remove"):
        summary_refresh(field_name, pk_set or [])


def connect() -> None:
    """Connect the receivers (``MaterialConfig.ready``)."""
    for name in SUMMARY_COLUMNS:
        through = through_of(MaterialItem, name)
        m2m_changed.connect(
            label_sets_changed, sender=through, dispatch_uid=f"material-label-summary-{name}"
        )


#: Sent with ``share_request`` (decided: approved or refused) and ``item`` by the decision
#: service, inside its transaction (partner webhooks listen).
share_request_decided = Signal()
