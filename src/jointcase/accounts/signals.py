"""Signals other parts react to (workforce keeps the stored caseload figures current).

``user_roles_changed`` is sent with ``user``, ``before`` and ``after`` (sorted role codes) when
an administrator changes a user's roles, inside the transaction that writes them (a caseload
role, and so a capacity, may come or go).
"""

from __future__ import annotations

from django.dispatch import Signal

user_roles_changed = Signal()
