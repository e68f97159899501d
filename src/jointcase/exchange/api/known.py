""" "Known to you?" and live matching in the API (docs/api.md): ``POST /api/v1/known`` gives the
documented answer; ``POST /api/v1/persons/matches`` the likely persons the caller may see plus
the documented answer about the others. Same services, rules and audit as the pages: 400 by
field for bad input, 403 for a caller who may not ask, 429 with ``Retry-After`` over the
rate limit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema

from jointcase.access.acting import permission_require
from jointcase.access.known import known_ask_refusal
from jointcase.api_common import (
    BIRTH_DATE_PATTERN,
    REQUIRED_TEXT,
    ErrorOut,
    IsoDate,
    KnownOut,
    MatchOut,
    RateLimitedOut,
    api_user,
    rules,
    token_auth,
    too_many_asks,
)
from jointcase.exchange.records import IDENTIFIER_TYPES
from jointcase.exchange.services.known import (
    ASK_ACTION,
    MATCH_ACTION,
    NAME_MAX,
    KnownRateLimited,
    known_ask,
    person_matches,
    question_clean,
)
from jointcase.people.validators import identifier_clean

router = Router(tags=["known"], auth=token_auth(write_scope="known"))

# Identifiers as the register reads them: spaces anywhere and either case are tolerated
# (``people.validators``); a PNC id's check character is a rule beyond the schema. A space is
# any Unicode space free text allows (not a vertical tab or form feed: control characters).
_S = "[\\t\\n\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*"
_CRN = f"[A-Za-z]({_S}[0-9]){{6}}"
_PRISON_NUMBER = f"[A-Za-z]({_S}[0-9]){{4}}({_S}[A-Za-z]){{2}}"
_PNC_ID = f"([0-9]{_S}){{2}}(([0-9]{_S}){{2}})?/({_S}[0-9]){{1,7}}{_S}[A-Za-z]"


def _identifier(*shapes: str) -> dict[str, Any]:
    """An optional identifier of one of ``shapes``: blank, or one of them."""
    return {"pattern": f"^{_S}$|^{_S}({'|'.join(shapes)}){_S}$"}


_BIRTH = {"pattern": BIRTH_DATE_PATTERN, **rules("before-today")}


class KnownIn(Schema):
    given_names: str = Field(
        ...,
        description="Given names as known",
        max_length=NAME_MAX,
        json_schema_extra=REQUIRED_TEXT,
    )
    surname: str = Field(
        ...,
        description="Surname (family name)",
        max_length=NAME_MAX,
        json_schema_extra=REQUIRED_TEXT,
    )
    date_of_birth: IsoDate = Field(
        ..., description="ISO date YYYY-MM-DD, from 1900, before today", json_schema_extra=_BIRTH
    )
    identifier_type: str = Field(
        "",
        description="pnc_id, crn or prison_number (optional)",
        max_length=40,
        json_schema_extra={"enum": ["", *IDENTIFIER_TYPES], **rules("identifier-of-its-type")},
    )
    identifier_value: str = Field(
        "",
        description="The identifier (optional): a PNC id, a CRN or a prison number",
        max_length=80,
        json_schema_extra={
            **_identifier(_PNC_ID, _CRN, _PRISON_NUMBER),
            **rules("identifier-of-its-type", "pnc-check-character"),
        },
    )


class MatchesOut(Schema):
    matches: list[MatchOut] = Field(..., description="Likely persons the caller may see")
    others: KnownOut = Field(
        ..., description="The documented answer about likely persons the caller may not see"
    )


class PersonRecordIn(Schema):
    given_names: str = Field(..., max_length=NAME_MAX, json_schema_extra=REQUIRED_TEXT)
    surname: str = Field(..., max_length=NAME_MAX, json_schema_extra=REQUIRED_TEXT)
    date_of_birth: IsoDate = Field(
        ..., description="ISO date YYYY-MM-DD, from 1900, before today", json_schema_extra=_BIRTH
    )
    pnc_id: str = Field(
        "",
        max_length=80,
        description="2019/0123456X (or 19/123456X)",
        json_schema_extra={**_identifier(_PNC_ID), **rules("pnc-check-character")},
    )
    crn: str = Field("", max_length=80, description="X123456", json_schema_extra=_identifier(_CRN))
    prison_number: str = Field(
        "", max_length=80, description="A1234BC", json_schema_extra=_identifier(_PRISON_NUMBER)
    )


@router.post(
    "/known",
    response={200: KnownOut, 400: ErrorOut, 403: ErrorOut, 429: RateLimitedOut},
    summary="Known to you? Whether a managed record matches a person, and whom to contact",
    description=(
        "The documented answer of docs/exchange.md and nothing more. 400 with field errors "
        "for a missing name, an impossible date of birth or a malformed identifier; 403 for a "
        "caller who may not ask; 429 with Retry-After over the rate limit. Every ask is "
        "audited."
    ),
)
def known(request: HttpRequest, payload: KnownIn) -> Any:
    user = api_user(request)
    permission_require(
        actor=user,
        refusal=known_ask_refusal(user),
        action=ASK_ACTION,
        object_type="known",
        object_id="",
        request=request,
    )
    question = question_clean(
        given_names=payload.given_names,
        surname=payload.surname,
        date_of_birth=payload.date_of_birth.isoformat(),
        identifier_type=payload.identifier_type,
        identifier_value=payload.identifier_value,
    )
    try:
        answer = known_ask(actor=user, question=question, request=request)
    except KnownRateLimited as limited:
        return too_many_asks(limited.retry_after)
    return answer.as_json()


@router.post(
    "/persons/matches",
    response={200: MatchesOut, 400: ErrorOut, 403: ErrorOut, 429: RateLimitedOut},
    summary="Likely existing persons for a person record, before it is created",
    description=(
        "Matches the record against the whole register: the likely persons the caller may "
        'see, most likely first, and for the others only the documented answer of "Known to '
        'you?". 400 with field errors for bad input; 429 with Retry-After over the rate '
        'limit (shared with /known); 403 for a caller who may not ask "Known to you?". '
        "Audited."
    ),
)
def person_matches_find(request: HttpRequest, payload: PersonRecordIn) -> Any:
    user = api_user(request)
    permission_require(
        actor=user,
        refusal=known_ask_refusal(user),
        action=MATCH_ACTION,
        object_type="known",
        object_id="",
        request=request,
    )
    identifiers = {
        name: value
        for name, value in (
            ("pnc_id", payload.pnc_id),
            ("crn", payload.crn),
            ("prison_number", payload.prison_number),
        )
        if value.strip()
    }
    errors: dict[str, list[str]] = {}
    extra: dict[str, str] = {}
    try:
        extra = _identifiers_clean(identifiers)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        question = question_clean(
            given_names=payload.given_names,
            surname=payload.surname,
            date_of_birth=payload.date_of_birth.isoformat(),
            extra=extra,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        found = person_matches(actor=user, question=question, request=request)
    except KnownRateLimited as limited:
        return too_many_asks(limited.retry_after)
    return found.as_json()


def _identifiers_clean(values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    out: dict[str, str] = {}
    for name, value in values.items():
        try:
            out[name] = identifier_clean(IDENTIFIER_TYPES[name], value)
        except ValidationError as error:
            errors[name] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return out
