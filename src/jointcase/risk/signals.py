"""Signals other parts react to (partner webhooks).

``check_due`` is sent with ``check`` (a ``RequiredCheck``) when the nightly run first reminds
its holders that it is due soon, inside the run's transaction for that check.
"""

from __future__ import annotations

from django.dispatch import Signal

check_due = Signal()
