"""The role groups the rules are written in, defined once (docs/design.md "Who uses it").

Every rule that asks "is this a senior?" or "is this a manager?" uses these sets; nothing
else lists roles. Agency roles are a user's (``accounts.Role``); case roles are what a member
of a case team does on that case (``cases.CaseRole``).
"""

from __future__ import annotations

from jointcase.accounts.models import NATIONAL_ROLES, PLATFORM_ONLY_ROLES, Role
from jointcase.cases.models import CaseRole

__all__ = [
    "CASE_MANAGER_ROLES",
    "CASE_SENIOR_ROLES",
    "MANAGER_ROLES",
    "NATIONAL_ROLES",
    "PLATFORM_ONLY_ROLES",
    "SENIOR_ROLES",
]

#: Seniors of an agency: review break-glass, oversee their agency's work.
SENIOR_ROLES = frozenset(
    {Role.NSD_SENIOR_LEAD, Role.CT_SUPERVISOR, Role.PRISON_CT_LEAD, Role.REGIONAL_CT_COORDINATOR}
)
#: Line managers of case workers (probation and police): move due dates, reassign, escalate to.
MANAGER_ROLES = frozenset({Role.NSD_SENIOR_LEAD, Role.CT_SUPERVISOR})
#: Case-team roles that manage the case's team, exclusions and grants.
CASE_MANAGER_ROLES = frozenset({CaseRole.LEAD_NSD_PRACTITIONER, CaseRole.SENIOR_OPERATIONAL_LEAD})
#: Case-team roles that oversee the case's agreed actions (escalation goes to them).
CASE_SENIOR_ROLES = frozenset({CaseRole.SENIOR_OPERATIONAL_LEAD, CaseRole.CT_SUPERVISOR})
