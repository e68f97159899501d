"""The linkage review queue in the API (read only): the records awaiting review of the sources
the caller may review, with their candidates' match probability, weight and the fields that
agree. Refused and scoped like the page (``jointcase.access.exchange``: 403 for a caller who
may not review). A candidate the caller may not see (the people app's own rule) is named by
its public id only, with nothing of how it compares, as on the page."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jointcase.access.acting import permission_require
from jointcase.access.exchange import reviews_refusal
from jointcase.access.policy import person_filter
from jointcase.api_common import ErrorOut, PageQuery, api_user, paginate, token_auth
from jointcase.exchange.selectors.review import level_agrees, reviews_for
from jointcase.people.models import Person

router = Router(tags=["linkage"], auth=token_auth(write_scope="import"))


class CandidateOut(Schema):
    person_id: uuid.UUID = Field(..., description="The register person's public id")
    visible: bool = Field(
        ..., description="Whether the caller may see the person; if not, nothing else is given"
    )
    match_probability: float | None = None
    match_weight: float | None = Field(None, description="log2 of the Bayes factor")
    agreeing: list[str] = Field(default_factory=list, description="Compared fields that agree")
    disagreeing: list[str] = Field(default_factory=list, description="Fields that differ")
    possible_twin: bool | None = None


class ReviewOut(Schema):
    id: uuid.UUID = Field(..., description="The record's linkage (its review page's id)")
    source: str
    source_record_id: str
    awaiting_since: dt.datetime
    candidates: list[CandidateOut]


def _candidate(candidate: Any, visible: set[int]) -> dict[str, Any]:
    if candidate.person_id not in visible:
        return {"person_id": candidate.person.public_id, "visible": False}
    return {
        "person_id": candidate.person.public_id,
        "visible": True,
        "match_probability": candidate.match_probability,
        "match_weight": candidate.match_weight,
        "agreeing": [name for name, level in candidate.levels.items() if level_agrees(level)],
        "disagreeing": [name for name, level in candidate.levels.items() if level == "disagree"],
        "possible_twin": candidate.possible_twin,
    }


def _review(linkage: Any, visible: set[int]) -> dict[str, Any]:
    candidates = list(linkage.candidates.select_related("person").order_by("rank", "pk"))
    return {
        "id": linkage.public_id,
        "source": linkage.record.source,
        "source_record_id": linkage.record.source_record_id,
        "awaiting_since": linkage.decided_at,
        "candidates": [_candidate(candidate, visible) for candidate in candidates],
    }


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
    page = paginate(reviews_for(user), filters)
    people = {c.person_id for linkage in page["results"] for c in linkage.candidates.all()}
    visible = set(
        Person.objects.filter(person_filter(user), pk__in=people).values_list("pk", flat=True)
    )
    page["results"] = [_review(linkage, visible) for linkage in page["results"]]
    return page
