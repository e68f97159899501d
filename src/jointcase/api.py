"""The REST API (django-ninja, OpenAPI 3.1) at /api/v1/.

Every operation authenticates with an API token (``Authorization: Bearer ...``; see
``jointcase.accounts.api_auth``) and reads through the same selectors, scoped by
``jointcase.access``, as the pages. Each app contributes a router in its ``api.py``.
"""

from __future__ import annotations

from jointcase.accounts.api_auth import ApiTokenAuth, TokenRateThrottle
from jointcase.api_common import JointCaseApi, register_exception_handlers
from jointcase.cases.api import router as cases_router
from jointcase.exchange.api.imports import router as imports_router
from jointcase.exchange.api.known import router as known_router
from jointcase.exchange.api.review import router as linkage_router
from jointcase.exchange.api.webhooks import router as webhooks_router
from jointcase.lib.api_input import refuse_bad_input, refuse_out_of_range_path_ids
from jointcase.material.api import router as material_router
from jointcase.meetings.api import router as meetings_router
from jointcase.people.api import router as people_router
from jointcase.risk.api.assessments import router as assessments_router
from jointcase.risk.api.checks import router as checks_router
from jointcase.supervision.api.contacts import router as contacts_router
from jointcase.workforce.api.caseload import router as caseload_router
from jointcase.workforce.api.training import router as training_router

# JointCaseApi: every operation's OpenAPI entry lists the errors it may answer (api_common).
api = JointCaseApi(
    title="JointCase API",
    version="1",
    description=(
        "Partner access to JointCase. Every operation is scoped by the caller's clearance, "
        "caveats and need-to-know; an object the caller may not see answers 404."
    ),
    urls_namespace="api",
    # The interactive docs page needs inline scripts our CSP forbids; partners read the
    # OpenAPI document at /api/v1/openapi.json (see docs/api.md).
    docs_url=None,
    # Token authentication on every operation by default, so no router can forget it; each
    # router names the scope its writes need (``api_common.token_auth``), and a router that
    # forgot would have its writes need ``write:register`` (tests/security/test_api_scopes.py
    # holds every operation to its area's scope).
    auth=ApiTokenAuth(write_scope="write:register"),
    # At most JOINTCASE_API_RATE requests per token: 429 with Retry-After beyond it.
    throttle=[TokenRateThrottle()],
)


# Every app's router, in one place for the security matrix.
for _router in (
    # Before the people router: its GET /persons/{person_id} would otherwise take
    # POST /persons/matches (and answer 405).
    known_router,
    people_router,
    cases_router,
    material_router,
    meetings_router,
    assessments_router,
    checks_router,
    contacts_router,
    training_router,
    caseload_router,
    imports_router,
    webhooks_router,
    linkage_router,
):
    api.add_router("/", _router)
# Input hygiene for every operation, present and future (jointcase.lib.api_input): path ids
# that cannot exist are 404; control characters, bidirectional overrides and integers beyond
# the database's range are a 400 with the field's location, before any view runs.
api.add_decorator(refuse_out_of_range_path_ids, mode="view")
api.add_decorator(refuse_bad_input, mode="operation")
# One answer per exception for every router (jointcase.api_common): bad input 400 keyed by
# field, a stale edit 400 keyed by version, a refusal 403 (or 404 when hidden), not found 404.
register_exception_handlers(api)
