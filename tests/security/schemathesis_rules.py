"""Schemathesis's "valid data should have been accepted" check, taught the OpenAPI document's own
``x-jointcase-rules``: a request the schema allows may still be a 400 for a rule JSON Schema
cannot state (today's date, the register of users, another field, the caller's clearance), and
the document lists those rules on each operation by field. Such a 400 passes only when every
field it names is one the operation lists; a 400 naming any other field, or none, fails exactly
as the built-in check would.

Used by ``test_api_schemathesis.py`` and by the by-hand pass of docs/api.md ("Generating a
client"), where schemathesis loads it as a hook module::

    SCHEMATHESIS_HOOKS=tests.security.schemathesis_rules st run ... \
        --checks all --exclude-checks positive_data_acceptance

No Django here: the rules come from the document the server serves.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import positive_data_acceptance

RULES_KEY = "x-jointcase-rules"


def fields_at_fault(response: Any) -> set[str]:
    """The request fields a 400 names, as the body's own fields (``payload.`` and any nesting
    or index left off: ``sections[0].section`` is ``sections``)."""
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return set()
    named: set[str] = set()
    for item in errors:
        path = str(item.get("field", "")).removeprefix("payload.")
        parts = [part.split("[")[0] for part in path.split(".")]
        named.add(parts[0])
    return named


def rules_of(operation: Any) -> dict[str, list[str]]:
    """The operation's rules beyond the schema, by field, as its document lists them."""
    return dict(operation.definition.raw.get(RULES_KEY) or {})


@schemathesis.check
def positive_data_acceptance_beyond_the_schema(ctx: Any, response: Any, case: Any) -> bool | None:
    """``positive_data_acceptance``, but for a 400 naming only fields the operation lists under
    ``x-jointcase-rules`` (a rule of the day, the register, the caller or another field)."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Failure:
        allowed = rules_of(case.operation)
        named = fields_at_fault(response)
        if response.status_code == 400 and named and named <= set(allowed):
            return None
        raise
