"""The caller's caseload in the API: load, capacity and cases with their weights; a manager
may ask for someone they manage (``?user=``). Scoped exactly like the page
(``selectors.caseload.caseload_for``): anyone else's caseload is a 404, as for nobody."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jointcase.api_common import ErrorOut, api_user, token_auth
from jointcase.workforce.selectors.caseload import caseload_for
from jointcase.workforce.weights import weights_current

router = Router(tags=["workforce"], auth=token_auth(write_scope="write:workforce"))


class CaseloadQuery(Schema):
    user: int | None = Field(
        None, ge=1, description="The id of someone the caller manages (default: the caller)"
    )


class CaseloadCaseOut(Schema):
    case: uuid.UUID = Field(..., description="The case's opaque identifier")
    reference: str
    role: str = Field(..., description="The case-team role held (display label)")
    phase: str
    cohort: str
    rosh: str = Field(..., description="Overall RoSH of the latest completed assessment")
    mappa: str
    weight: Decimal = Field(..., description="The weight carried (co-working at a fraction)")
    since: dt.date


class CaseloadOut(Schema):
    user: int = Field(..., description="The id of the person whose caseload this is")
    name: str
    caseload_role: str | None = Field(..., description="The agency role that holds a caseload")
    load: Decimal = Field(..., description="Sum of the weights of the cases held")
    capacity: Decimal = Field(..., description="Cap x contracted hours x (1 - other duties)")
    percent_used: int | None
    over_capacity: bool
    overdue_contacts: int
    weights_version: int
    cases: list[CaseloadCaseOut]


@router.get(
    "/workforce/caseload",
    response={200: CaseloadOut, 400: ErrorOut, 404: ErrorOut},
    summary="A caseload: load, capacity and cases (the caller's, or someone they manage)",
)
def workforce_caseload(request: HttpRequest, query: Query[CaseloadQuery]) -> Any:

    user = api_user(request)
    load = caseload_for(user, query.user, request=request)
    return {
        "user": load.user.pk,
        "name": str(load.user),
        "caseload_role": load.spec.role if load.spec else None,
        "load": load.load,
        "capacity": load.capacity,
        "percent_used": load.percent_used,
        "over_capacity": load.over_capacity,
        "overdue_contacts": load.overdue_contacts,
        "weights_version": weights_current().version,
        "cases": [
            {
                "case": row["public_id"],
                "reference": row["reference"],
                "role": row["role"],
                "phase": row["phase"],
                "cohort": row["cohort"],
                "rosh": row["rosh"],
                "mappa": row["mappa"],
                "weight": row["weight"],
                "since": row["since"],
            }
            for row in load.rows
        ],
    }
