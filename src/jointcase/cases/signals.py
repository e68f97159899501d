"""Signals other parts react to (risk and checks generate work on phase changes; workforce keeps
the stored caseload figures of the case's holders current).

``case_phase_changed`` is sent with ``case``, ``old`` and ``new`` (phase codes) after the
change is saved, inside the same transaction; receivers that do slow or external work should
defer it with ``transaction.on_commit``.
"""

from __future__ import annotations

from django.dispatch import Signal

case_phase_changed = Signal()

#: Sent with ``case`` and ``member`` (a new ``CaseTeamMember``) by ``team_member_add``, inside
#: its transaction (the required checks of an allocation are created with it).
case_team_member_added = Signal()

#: Sent with ``case`` and ``member`` (its ``end`` set, or deleted when it had not started) by
#: ``team_member_remove``, inside its transaction.
case_team_member_ended = Signal()

#: Sent with ``case`` by ``case_open``, inside its transaction (the opener may join its team).
case_opened = Signal()

#: Sent with ``case`` and ``fields`` (the names of those changed) by ``case_update``, inside
#: its transaction.
case_details_changed = Signal()

#: Sent with ``case`` and ``fact`` (``"sentence"``, ``"re_release"`` or ``"mappa"``) by the
#: services that record a sentence (or change one), a re-release after recall and a MAPPA
#: registration, after the change is saved, inside the same transaction (supervision stores
#: the case's contact standing again; workforce, on a MAPPA
#: registration, the stored caseload figures of the case's holders).
case_facts_changed = Signal()
