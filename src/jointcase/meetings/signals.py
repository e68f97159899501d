"""Signals other parts react to (partner webhooks).

``action_assigned`` is sent with ``action`` (an ``AgreedAction``) when an action is created or
reassigned, after the change is saved, inside the same transaction; receivers that do slow or
external work defer it with ``transaction.on_commit``.
"""

from __future__ import annotations

from django.dispatch import Signal

action_assigned = Signal()
