"""Signals other parts react to (the required checks of a change of circumstance).

``address_added`` is sent with ``address`` and ``actor`` by ``people.services.address_add``
after the address is saved, inside the same transaction, so whatever a new address calls for
(fresh domestic abuse and safeguarding checks) is created with it or not at all.
"""

from __future__ import annotations

from django.dispatch import Signal

address_added = Signal()
