"""Signals other parts react to (risk and checks generate work on phase changes).

``case_phase_changed`` is sent with ``case``, ``old`` and ``new`` (phase codes) after the
change is saved, inside the same transaction; receivers that do slow or external work should
defer it with ``transaction.on_commit``.
"""

from __future__ import annotations

from django.dispatch import Signal

case_phase_changed = Signal()
