"""Read API for persons (``/api/v1/persons``), scoped exactly like the pages.

Every operation authenticates with an API token and reads through ``persons_visible_to`` /
``person_get_for``: a person the caller may not see is absent from lists and answers 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from jointcase.access.policy import cases_visible_to
from jointcase.api_common import PageQuery, paginate, token_auth
from jointcase.people.search import search_register
from jointcase.people.selectors import person_get_for, person_list_for


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


class PersonDetailOut(PersonOut):
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
    def resolve_cases(obj: Any) -> list[Any]:
        return list(getattr(obj, "visible_cases", []))


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
    user = request.user
    if filters.q and filters.q.strip():
        outcome = search_register(user=user, text=filters.q)  # type: ignore[arg-type]
        if outcome.error:
            raise ValidationError(
                [{"loc": ["query", "q"], "msg": outcome.error, "type": "value_error"}]
            )
        return paginate([result.person for result in outcome.results], filters)
    people = person_list_for(user=user).prefetch_related("names", "identifiers__agency")  # type: ignore[arg-type]
    return paginate(people.order_by("display_name", "pk"), filters)


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="One person")
def person_detail(request: HttpRequest, person_id: str) -> Any:
    user = request.user
    person = person_get_for(user=user, person_id=person_id, request=request)  # type: ignore[arg-type]
    cases = cases_visible_to(user).filter(person=person).order_by("-opened_at")
    person.visible_cases = list(cases)  # type: ignore[attr-defined]
    return person
