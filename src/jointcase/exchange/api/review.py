"""The linkage review queue in the API (read only): the records awaiting review of the sources
the caller may review, with their candidates' match probability, weight and the fields that
agree. Refused and scoped like the page (``jointcase.access.exchange``: 403 for a caller who
may not review). Candidates are named by the register person's public id only: the person's
details are read through the people endpoints, which apply the people app's own rule."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jointcase.access.acting import permission_require
from jointcase.access.exchange import reviews_refusal
from jointcase.api_common import ErrorOut, PageQuery, api_user, paginate, token_auth
from jointcase.exchange.selectors.review import level_agrees, reviews_for

router = Router(tags=["linkage"], auth=token_auth())


class CandidateOut(Schema):
    person_id: uuid.UUID = Field(..., description="The register person's public id")
    match_probability: float
    match_weight: float = Field(..., description="log2 of the Bayes factor, prior included")
    agreeing: list[str] = Field(..., description="The compared fields that agree")
    disagreeing: list[str] = Field(..., description="The compared fields that differ")
    possible_twin: bool

    @staticmethod
    def resolve_person_id(obj: Any) -> uuid.UUID:
        return obj.person.public_id

    @staticmethod
    def resolve_agreeing(obj: Any) -> list[str]:
        return [name for name, level in obj.levels.items() if level_agrees(level)]

    @staticmethod
    def resolve_disagreeing(obj: Any) -> list[str]:
        return [name for name, level in obj.levels.items() if level == "disagree"]


class ReviewOut(Schema):
    id: uuid.UUID = Field(..., description="The record's linkage (its review page's id)")
    source: str
    source_record_id: str
    match_probability: float | None = Field(..., description="Of the best candidate")
    possible_twin: bool
    awaiting_since: dt.datetime
    candidates: list[CandidateOut]

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return str(obj.record.source)

    @staticmethod
    def resolve_source_record_id(obj: Any) -> str:
        return str(obj.record.source_record_id)

    @staticmethod
    def resolve_awaiting_since(obj: Any) -> dt.datetime:
        return obj.decided_at

    @staticmethod
    def resolve_candidates(obj: Any) -> list[Any]:
        return list(obj.candidates.select_related("person").order_by("rank", "pk"))


class ReviewPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ReviewOut]


@router.get(
    "/linkage/reviews",
    response={200: ReviewPage, 403: ErrorOut},
    summary="The records awaiting linkage review",
    description=(
        "Oldest first, for the sources the caller may review (agency administrators of the "
        "source's agency, system administrators); 403 for anyone else."
    ),
)
def linkage_reviews(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    user = api_user(request)
    permission_require(
        actor=user,
        refusal=reviews_refusal(user),
        action="exchange.reviews",
        object_type="source_record",
        object_id="queue",
        request=request,
    )
    return paginate(reviews_for(user), filters)
