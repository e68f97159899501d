"""Object permissions for ``user.has_perm(...)``, all delegating to ``access.policy``.

Autodiscovered by ``rules.apps.AutodiscoverRulesConfig``. Without an object the answer is
False: permission to see a case is always about one case.
"""

from __future__ import annotations

from typing import Any

import rules

from jointcase.access.policy import case_decision, person_decision


@rules.predicate
def can_view_case(user: Any, case: Any) -> bool:
    return case is not None and case_decision(user, case).allowed


@rules.predicate
def can_view_person(user: Any, person: Any) -> bool:
    return person is not None and person_decision(user, person).allowed


rules.add_perm("cases.view_case", can_view_case)
rules.add_perm("people.view_person", can_view_person)
