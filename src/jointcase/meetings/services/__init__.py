"""Writes for meetings, minutes and agreed actions, one module per use case: keyword-only,
atomic, validated (a ``ValidationError`` keyed by field, nothing stored), audited in the same
transaction. Each service asks ``jointcase.access.meetings`` whether the actor may act
(``services.checks``, run before the service's transaction: a refusal is a DENY audit entry
and ``NotPermitted``), so no service can be called unchecked.

- ``meetings``: ``meeting_create``, ``meeting_update``, ``meeting_cases_set``, ``meeting_edit``
- ``invitations``: ``invitation_add``, ``invitation_remove``, ``attendance_record``,
  ``invitations_withdraw_for_exclusion``
- ``minutes``: ``minutes_section_add`` (and the section's sealing label)
- ``decisions``: ``decision_record``, ``risk_entry_add``
- ``actions``: ``action_create``, ``action_update_status``, ``action_complete``,
  ``action_reassign``, ``action_change_due``
- ``checks``: the ``*_require`` checks, for pages and API operations that ask before a form

Import the use-case module you need (``from jointcase.meetings.services.actions import
action_create``). Notices go through ``jointcase.notifications.services.notify``.
"""
