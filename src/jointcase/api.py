"""The REST API (django-ninja, OpenAPI 3.1) at /api/v1/.

Every operation authenticates with an API token (``Authorization: Bearer ...``; see
``jointcase.accounts.api_auth``) and reads through the same selectors, scoped by
``jointcase.access``, as the pages. Each app contributes a router in its ``api.py``.
"""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="JointCase API",
    version="1",
    description=(
        "Partner access to JointCase. Every operation is scoped by the caller's clearance, "
        "caveats and need-to-know; an object the caller may not see answers 404."
    ),
    urls_namespace="api",
    docs_url="/docs",
)


def _register_routers() -> None:
    """Routers are added here as each app gains its API (kept in one place for the matrix)."""


_register_routers()
