"""The persons API (``/api/v1/persons``), scoped exactly like the pages.

Every operation authenticates with an API token and reads through ``persons_visible_to`` /
``person_get_for``: a person the caller may not see is absent from lists and answers 404.
Writes call the services the person pages call (``people.services``: their rules, their
audit, the stale-edit ``version``), and creating a person runs the real-time match the
person form runs (``exchange.services.known.person_matches``): likely existing persons answer
409 unless the caller confirms with ``confirm_new``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.responses import Status
from pydantic import ConfigDict, StrictBool

from jointcase.access.policy import cases_visible_to
from jointcase.api_common import (
    BIRTH_DATE_PATTERN,
    REQUIRED_TEXT,
    ErrorOut,
    IsoDate,
    KnownOut,
    MatchOut,
    NotFoundOut,
    PageQuery,
    RateLimitedOut,
    api_user,
    paginate,
    rules,
    shown_as,
    shown_in,
    token_auth,
    too_many_asks,
)
from jointcase.cases.models import Case
from jointcase.exchange.services.known import KnownRateLimited, Question, person_matches
from jointcase.people.models import Gender, Person
from jointcase.people.search import search_register
from jointcase.people.selectors import person_get_for, person_list_for
from jointcase.people.services import person_create, person_update


class NameOut(Schema):
    kind: str
    given_names: str
    family_name: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class IdentifierOut(Schema):
    type: str
    value: str
    agency: str | None = None

    @staticmethod
    def resolve_agency(obj: Any) -> str | None:
        return obj.agency.code if obj.agency_id else None


class CaseSummaryOut(Schema):
    id: uuid.UUID = Field(..., description="The case's opaque identifier")
    reference: str
    phase: str
    cohort: str

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id


class PersonOut(Schema):
    id: uuid.UUID = Field(..., description="The person's opaque identifier")
    display_name: str
    date_of_birth: dt.date | None
    gender: str
    nationality: str
    version: int
    names: list[NameOut]
    identifiers: list[IdentifierOut]

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_names(obj: Any) -> list[Any]:
        return list(obj.names.all())

    @staticmethod
    def resolve_identifiers(obj: Any) -> list[Any]:
        return list(obj.identifiers.all())


class AddressOut(Schema):
    kind: str
    line1: str
    line2: str
    town: str
    postcode: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class ContactDetailOut(Schema):
    kind: str
    value: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class VehicleOut(Schema):
    registration: str
    make: str
    model: str
    colour: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class DocumentOut(Schema):
    kind: str
    number: str
    issuing_country: str
    expires_on: dt.date | None


@dataclass(frozen=True)
class PersonShown:
    """What ``person_detail`` answers with a person: only the cases the caller may see."""

    cases: list[Case]


class PersonDetailOut(PersonOut):
    # Answered through ``api_common.shown_as`` with a ``PersonShown``.
    addresses: list[AddressOut]
    contacts: list[ContactDetailOut]
    vehicles: list[VehicleOut]
    documents: list[DocumentOut]
    cases: list[CaseSummaryOut]

    @staticmethod
    def resolve_addresses(obj: Any) -> list[Any]:
        return list(obj.addresses.all())

    @staticmethod
    def resolve_contacts(obj: Any) -> list[Any]:
        return list(obj.contacts.all())

    @staticmethod
    def resolve_vehicles(obj: Any) -> list[Any]:
        return list(obj.vehicles.all())

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_cases(obj: Any, context: Any) -> list[Case]:
        return shown_in(context, PersonShown).cases


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PersonOut]


class PersonFilter(PageQuery):
    q: str | None = Field(
        None,
        max_length=200,
        description="Search text: a name or alias (typos, swapped names and nicknames "
        "tolerated), a date of birth or an identifier",
    )


router = Router(tags=["persons"], auth=token_auth(write_scope="write:register"))


@router.get("/persons", response=PersonPage, summary="Persons the caller may see")
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> dict[str, Any]:
    user = api_user(request)
    if filters.q and filters.q.strip():
        outcome = search_register(user=user, text=filters.q)
        if outcome.error:
            raise ValidationError(
                [{"loc": ["query", "q"], "msg": outcome.error, "type": "value_error"}]
            )
        return paginate([result.person for result in outcome.results], filters)
    people = person_list_for(user=user).prefetch_related("names", "identifiers__agency")
    return paginate(people.order_by("display_name", "pk"), filters)


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="One person")
def person_detail(request: HttpRequest, person_id: str) -> PersonDetailOut:
    user = api_user(request)
    person = person_get_for(user=user, person_id=person_id, request=request)
    cases = cases_visible_to(user).filter(person=person).order_by("-opened_at")
    return shown_as(PersonDetailOut, person, PersonShown(cases=list(cases)), request)


#: A date of birth: YYYY-MM-DD from 1900 (the pattern), today or earlier (a rule).
BIRTH_DATE = {"pattern": BIRTH_DATE_PATTERN, **rules("today-or-earlier")}


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PersonIn(_Strict):
    given_names: str = Field("", max_length=150)
    family_name: str = Field(..., max_length=150, json_schema_extra=REQUIRED_TEXT)
    date_of_birth: IsoDate | None = Field(
        None, description="From 1900, today or earlier", json_schema_extra=BIRTH_DATE
    )
    gender: Gender | None = Field(None, description="MALE, FEMALE, OTHER or NOT_KNOWN")
    nationality: str = Field("", max_length=80)
    confirm_new: StrictBool = Field(
        False,
        description="Create the person even though likely existing persons match (after "
        "looking at them): without it, likely matches answer 409 and nothing is created",
    )


class PersonChangeIn(_Strict):
    version: int = Field(..., ge=1, description="The person's version as last read")
    date_of_birth: IsoDate | None = Field(
        None, description="From 1900, today or earlier", json_schema_extra=BIRTH_DATE
    )
    gender: Gender | None = Field(None, description="MALE, FEMALE, OTHER or NOT_KNOWN")
    nationality: str | None = Field(None, max_length=80)


class PersonCreatedOut(PersonOut):
    possible_matches: list[MatchOut] = Field(
        ..., description="The likely existing persons the caller may see, found before creating"
    )
    others: KnownOut = Field(
        ..., description="The documented answer about likely persons the caller may not see"
    )


class PossibleMatchesOut(ErrorOut):
    possible_matches: list[MatchOut] = Field(
        ..., description="The likely existing persons the caller may see, most likely first"
    )
    others: KnownOut = Field(
        ..., description="The documented answer about likely persons the caller may not see"
    )


#: The 409 of a person who may already be on the register.
MAY_EXIST = (
    "This person may already be on the register: look at the possible matches, and send "
    "confirm_new true to create a new person anyway"
)


def _fresh(person: Person) -> Person:
    return Person.objects.prefetch_related("names", "identifiers__agency").get(pk=person.pk)


@router.post(
    "/persons",
    response={
        201: PersonCreatedOut,
        400: ErrorOut,
        409: PossibleMatchesOut,
        429: RateLimitedOut,
    },
    summary="Record a person (matched against the register first, as the person form is)",
    description=(
        "Matches the details against the whole register first, exactly as the person form "
        "does. Likely existing persons answer 409 with `possible_matches` (those the caller "
        "may see) and `others` (the documented answer about the rest), and nothing is "
        "created; send the same details with `confirm_new` true to create the person anyway "
        "(201, with the matches found). 400 by field for bad input; 429 over the matching "
        "rate limit. Audited."
    ),
)
def person_new(request: HttpRequest, payload: PersonIn) -> Any:
    user = api_user(request)
    born = payload.date_of_birth
    question = Question(
        record={
            "given_names": payload.given_names,
            "surname": payload.family_name,
            "date_of_birth": born.isoformat() if born else "",
        }
    )
    try:
        found = person_matches(actor=user, question=question, request=request)
    except KnownRateLimited as limited:
        return too_many_asks(limited.retry_after)
    matches = {"possible_matches": found.matches_json(), "others": found.others.as_json()}
    if found.any and not payload.confirm_new:
        return Status(
            409,
            {
                "detail": MAY_EXIST,
                "errors": [{"field": "confirm_new", "message": MAY_EXIST}],
                **matches,
            },
        )
    person = person_create(
        actor=user,
        given_names=payload.given_names,
        family_name=payload.family_name,
        date_of_birth=born,
        gender=payload.gender.value if payload.gender else "",
        nationality=payload.nationality,
        request=request,
    )
    created = _fresh(person)
    for name, value in matches.items():
        setattr(created, name, value)
    return Status(201, created)


@router.patch(
    "/persons/{person_id}",
    response={200: PersonOut, 400: ErrorOut, 404: NotFoundOut},
    summary="Change a person's own details (date of birth, gender, nationality)",
    description=(
        "Only the fields sent are changed, with the `version` last read: a stale version is a "
        "400 on `version` and nothing is saved. 404 for a person the caller may not see."
    ),
)
def person_change(request: HttpRequest, person_id: str, payload: PersonChangeIn) -> Any:
    user = api_user(request)
    person = person_get_for(user=user, person_id=person_id, request=request, action="person.edit")
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "gender" in changes:
        changes["gender"] = changes["gender"].value if changes["gender"] else ""
    if "nationality" in changes:
        changes["nationality"] = changes["nationality"] or ""
    updated = person_update(
        actor=user, person=person, expected_version=version, request=request, **changes
    )
    return _fresh(updated)
