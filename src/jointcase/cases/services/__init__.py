"""Writes to a case: validated, atomic, audited (``object_type="case"``), and timelined.

One module per use case: ``case`` (open, update, close, exit), ``mappa``, ``custody``,
``sentence`` (with notification requirements), ``licence``, ``recall``, ``team`` (team,
exclusions, grants) and ``phases``; ``_common`` holds what they share. Import a service from
its module or from this package.

Every service that changes a case writes a ``TimelineEvent`` and an audit entry whose
``details["changes"]`` maps each changed field to ``[old, new]``; services that can move the
case between phases re-evaluate the phase (``phase_reevaluate``), which sends
``case_phase_changed``. Impossible dates raise ``ValidationError`` keyed by field.

Every service that acts for a user asks ``jointcase.access.cases`` itself (``acts_on`` with a
``*_refusal``), before its transaction opens: a refusal writes a DENY entry (which stays) and
raises ``jointcase.access.acting.NotPermitted`` (``hidden`` when the actor may not see the case,
so pages answer 404). Nothing is written. ``people.services`` uses the same ``acts_on``.
Callers need not, and must not be trusted to, check.
"""

from __future__ import annotations

from jointcase.cases.services._common import (
    timeline_add,
)
from jointcase.cases.services.case import (
    CASE_EDITABLE,
    case_close,
    case_open,
    case_update,
    exit_record,
    reference_next,
)
from jointcase.cases.services.custody import (
    placement_add,
)
from jointcase.cases.services.licence import (
    licence_add,
    licence_condition_add,
    licence_condition_remove,
)
from jointcase.cases.services.mappa import (
    mappa_register,
)
from jointcase.cases.services.phases import (
    phase_reevaluate,
    phases_reevaluate_all,
)
from jointcase.cases.services.recall import (
    recall_re_release,
    recall_record,
)
from jointcase.cases.services.sentence import (
    SENTENCE_DATES,
    SENTENCE_EDITABLE,
    notification_recorded,
    notification_requirement_refresh,
    sentence_add,
    sentence_update,
    sentence_validate,
)
from jointcase.cases.services.team import (
    exclusion_add,
    exclusion_remove,
    grant_create,
    grant_revoke,
    team_member_add,
    team_member_remove,
)
from jointcase.lib.edits import ConcurrentEdit

__all__ = [
    "CASE_EDITABLE",
    "SENTENCE_DATES",
    "SENTENCE_EDITABLE",
    "ConcurrentEdit",
    "case_close",
    "case_open",
    "case_update",
    "exclusion_add",
    "exclusion_remove",
    "exit_record",
    "grant_create",
    "grant_revoke",
    "licence_add",
    "licence_condition_add",
    "licence_condition_remove",
    "mappa_register",
    "notification_recorded",
    "notification_requirement_refresh",
    "phase_reevaluate",
    "phases_reevaluate_all",
    "placement_add",
    "recall_re_release",
    "recall_record",
    "reference_next",
    "sentence_add",
    "sentence_update",
    "sentence_validate",
    "team_member_add",
    "team_member_remove",
    "timeline_add",
]
