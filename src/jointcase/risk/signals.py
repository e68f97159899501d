"""Signals other parts react to (partner webhooks; workforce's stored caseload figures).

``check_due`` is sent with ``check`` (a ``RequiredCheck``) when the nightly run first reminds
its holders that it is due soon, inside the run's transaction for that check.

``assessment_completed`` is sent with ``assessment`` when it is countersigned (it becomes the
case's current assessment, its RoSH the case's), inside the same transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

check_due = Signal()
assessment_completed = Signal()
