"""What every app's API router shares: authentication, one error shape, one paginator, and the
exception handlers registered once on the one ``NinjaAPI`` (``jointcase.api``).

A router imports from here, never from another app's ``api.py``:

- ``token_auth(write_scope=...)`` and ``api_user(request)``: the bearer token and the user it authenticates;
- ``ErrorOut``: ``{"detail": ..., "errors": [{"field": ..., "message": ...}]}``, the body of
  every 4xx the API documents (``field_errors`` builds it from a Django ``ValidationError``,
  ``refusal_body`` from a refusal's message);
- ``PageQuery`` and ``paginate``: ``?page=&page_size=`` (at most ``MAX_PAGE_SIZE``), answered as
  ``{"count", "page", "page_size", "results"}`` with the count the caller may see;
- ``shown_as(schema, obj, shown, request)`` and ``shown_in(context, kind)``: a record answered
  with what the route worked out for the caller on top of it (a frozen dataclass, read by the
  schema's resolvers), never set on the model instance;
- ``register_exception_handlers(api)``: what an exception a route does not catch becomes, the
  same for every app (docs/api.md "Errors");
- ``vocabulary(name)`` and ``rules(*codes)``: for a ``Field``'s ``json_schema_extra``. A
  vocabulary the database holds (agency and caveat codes, the classifications this deployment
  may hold) becomes the field's ``enum`` when the document is served; a rule JSON Schema cannot
  state (today's date, the register of users, another field) is listed on the field and on
  its operation under ``x-jointcase-rules`` (``FIELD_RULES``);
- ``JointCaseApi``: the ``NinjaAPI`` whose OpenAPI document lists, on every operation present
  and future, the errors it can answer (``document_error_responses``) and the vocabularies and
  rules above (``document_vocabularies_and_rules``), so a partner's generated client knows every
  status the API sends and every value it accepts without any router declaring them.

An object the caller may not see answers exactly as a missing one (404, see docs/design.md
"No leaks"); a refusal of something they can see answers 403 with why.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import BeforeValidator

from jointcase.access.accounts import TOKEN_SCOPES
from jointcase.access.acting import NotPermitted
from jointcase.access.material import classifications_held
from jointcase.accounts.api_auth import ApiTokenAuth
from jointcase.accounts.models import User
from jointcase.agencies.models import Agency, Caveat
from jointcase.lib.bounds import ID_MAX, INT_MIN
from jointcase.lib.edits import ConcurrentEdit, StateConflict

MAX_PAGE_SIZE = 100
BAD_REQUEST = "There is a problem with the request"
NOT_FOUND = "Not Found"
CONFLICT = "The request conflicts with the current state of the record"


def token_auth(*, write_scope: str) -> ApiTokenAuth:
    """The API's authentication (bearer tokens from ``jointcase.accounts``), for a router's
    ``auth=``: a GET needs the token's ``read`` scope, anything else ``write_scope`` (one of
    ``jointcase.access.accounts.TOKEN_SCOPES``)."""
    if write_scope not in TOKEN_SCOPES:
        raise ValueError(f"Unknown scope {write_scope!r}")
    return ApiTokenAuth(write_scope=write_scope)


def api_user(request: HttpRequest) -> User:
    """The user the token authenticated (every operation is authenticated, see ``jointcase.api``)."""
    user = request.user
    assert isinstance(user, User)
    return user


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str = Field(..., description="What went wrong, in plain English")
    errors: list[ErrorItem] = Field(
        default_factory=list,
        description=(
            'One item per field at fault ("request" when no field is); absent from a 401, '
            "404 or 429"
        ),
    )


class NotFoundOut(Schema):
    """A 404: the object does not exist or the caller may not see it (the same answer)."""

    detail: str = Field(..., description='Always "Not Found"')


class RateLimitedOut(Schema):
    """A 429: too many asks of the register ("Known to you?", matching a person)."""

    detail: str
    retry_after: int = Field(..., description="Seconds to wait (also the Retry-After header)")


class KnownContactOut(Schema):
    agency: str = Field(..., description="The agency to contact (the case's lead agency)")
    role: str = Field(..., description="The role to ask for at that agency")


class KnownOut(Schema):
    """The documented answer of "Known to you?" (docs/exchange.md)."""

    known: bool = Field(..., description="Whether a managed record matches")
    answer: str = Field(..., description="The documented answer as one sentence")
    contact: KnownContactOut | None = Field(..., description="Whom to contact; null when not known")
    person_id: uuid.UUID | None = Field(
        ..., description="The person's id, only when the caller may see the person"
    )


class MatchIdentifierOut(Schema):
    type: str
    value: str


class MatchOut(Schema):
    """A likely existing person the caller may see (``exchange.services.known.person_matches``)."""

    id: uuid.UUID = Field(..., description="The person's opaque identifier")
    display_name: str
    date_of_birth: str | None
    identifiers: list[MatchIdentifierOut]
    match_probability: float


def too_many_asks(retry_after: int) -> HttpResponse:
    """The 429 of an ask of the register over its rate limit, with ``Retry-After``."""
    response = JsonResponse(
        {"detail": "Too many checks: try again later", "retry_after": retry_after}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


def field_errors(error: ValidationError) -> dict[str, Any]:
    """A Django ``ValidationError`` as the API's 400 body: one item per field and message
    (``"request"`` for an error that names no field)."""
    items: list[dict[str, str]] = []
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            items.extend({"field": field, "message": message} for message in messages)
    else:
        items.extend({"field": "request", "message": message} for message in error.messages)
    return {"detail": BAD_REQUEST, "errors": items}


def refusal_body(message: str) -> dict[str, Any]:
    """The 403 body: the caller sees the object but may not do this, and is told why."""
    message = message or "You may not do this"
    return {"detail": message, "errors": [{"field": "request", "message": message}]}


def stale_edit_body(error: ConcurrentEdit) -> dict[str, Any]:
    """A stale ``version``: a 409 keyed by the ``version`` field (nothing was saved)."""
    return {"detail": str(error), "errors": [{"field": "version", "message": str(error)}]}


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_only(value: Any) -> Any:
    """A date as the document says (``format: date``, YYYY-MM-DD), never a number of seconds
    or any other form pydantic would otherwise read as a date."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Enter a date as YYYY-MM-DD")
    return value


#: A date a request carries: YYYY-MM-DD only (``0`` or ``1700000000`` is a 400, not 1970).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]

#: A date of birth's shape: YYYY-MM-DD from 1900 (``EARLIEST_BIRTH``); "before today" is a rule.
BIRTH_DATE_PATTERN = "^(19[0-9]{2}|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"

_ISO_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}.*")


def _iso_date_time_only(value: Any) -> Any:
    """A moment as the document says (``format: date-time``, RFC 3339), never a number of
    seconds, which pydantic would otherwise read as a moment in 1970."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE_TIME.fullmatch(value):
        raise ValueError("Enter a date and time as YYYY-MM-DDTHH:MM:SS with its offset")
    return value


#: A moment a request carries: RFC 3339 only (``0`` is a 400, not midnight on 1 January 1970).
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_date_time_only)]


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1")
    page_size: int = Field(
        25, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, at most {MAX_PAGE_SIZE}"
    )


def paginate(items: Any, query: PageQuery) -> dict[str, Any]:
    """One page of ``items`` (a queryset or a list) with the total the caller may see."""
    start = (query.page - 1) * query.page_size
    total = len(items) if isinstance(items, list) else items.count()
    return {
        "count": total,
        "page": query.page,
        "page_size": query.page_size,
        "results": list(items[start : start + query.page_size]),
    }


SchemaT = TypeVar("SchemaT", bound=Schema)
ShownT = TypeVar("ShownT")


def shown_as(schema: type[SchemaT], obj: object, shown: object, request: HttpRequest) -> SchemaT:
    """``obj`` (a model instance) answered as ``schema``, with ``shown``: what the route worked
    out for the caller on top of the record (a frozen dataclass), which the schema's resolvers
    read with ``shown_in``. The route returns the schema instance; ninja answers it as it is."""
    return schema.model_validate(obj, context={"request": request, "shown": shown})


def shown_in(context: Any, kind: type[ShownT]) -> ShownT:
    """In a resolver of a schema answered through ``shown_as`` (``context`` is the resolver's):
    the ``kind`` the route gave it."""
    shown = (context or {}).get("shown")
    if not isinstance(shown, kind):
        raise TypeError(f"A schema reading {kind.__name__} is answered through shown_as")
    return shown


def register_exception_handlers(api: NinjaAPI) -> None:
    """One answer per exception for every router on ``api``:

    - bad input (django-ninja's schema validation, or a service's ``ValidationError``): 400
      with one message per field, never a 422 without field names;
    - a stale edit (``ConcurrentEdit``): 409 keyed by ``version`` (the request was well formed:
      the record changed since the caller read it);
    - a rule of the record's current state (``StateConflict``, a ``ValidationError``): 409 keyed
      by the field (an action already closed, a limit reached);
    - ``NotPermitted``: 403 with the refusal's message, or the 404 of a missing object when
      the refusal is hidden (the DENY entry is already written by ``permission_require``);
    - ``Http404``: 404 ``{"detail": "Not Found"}``, never with the exception's text.
    """

    @api.exception_handler(NinjaValidationError)
    def bad_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for error in exc.errors:
            loc = list(error.get("loc", ()))
            if loc and loc[0] in ("query", "path", "body", "header", "cookie", "form", "file"):
                loc = loc[1:]  # where it was sent, not a field (a field may be called "body")
            location = [str(part) for part in loc]
            message = str(error.get("msg", "Invalid"))
            errors.append({"field": ".".join(location) or "request", "message": message})
        return api.create_response(request, {"detail": BAD_REQUEST, "errors": errors}, status=400)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, field_errors(exc), status=400)

    @api.exception_handler(StateConflict)
    def conflict(request: HttpRequest, exc: StateConflict) -> HttpResponse:
        body = field_errors(exc)
        body["detail"] = CONFLICT
        return api.create_response(request, body, status=409)

    @api.exception_handler(ConcurrentEdit)
    def stale(request: HttpRequest, exc: ConcurrentEdit) -> HttpResponse:
        return api.create_response(request, stale_edit_body(exc), status=409)

    @api.exception_handler(NotPermitted)
    def not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
        if exc.hidden:
            return api.create_response(request, {"detail": NOT_FOUND}, status=404)
        return api.create_response(request, refusal_body(exc.message), status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)


# --- The OpenAPI document: every operation's errors -------------------------------------------

#: The methods that write (they need a write scope, and may be stale).
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}

#: The error answers any operation may give, as OpenAPI components (``#/components/responses``).
ERROR_RESPONSES: dict[str, dict[str, Any]] = {
    "BadRequest": {
        "description": (
            "A parameter or field is missing, malformed or out of range, or the request breaks "
            "a rule of the record: one item in ``errors`` per field at fault; nothing was saved"
        ),
    },
    "Unauthorized": {
        "description": (
            "No API token, or one that is unknown, revoked, expired or whose user is disabled"
        ),
    },
    "Forbidden": {
        "description": (
            "The token lacks the scope the operation needs, or the caller may see the object "
            "but not do this to it: ``detail`` says why"
        ),
    },
    "NotFound": {
        "description": (
            "The object does not exist or the caller may not see it (the same answer for both)"
        ),
    },
    "Conflict": {
        "description": (
            "The record changed since the caller read it (a stale ``version``, keyed by "
            "``version``: read it again), the request conflicts with the record's current state "
            "(an action already closed, the meeting's chair, a limit reached: keyed by the "
            "field), or the content asked for is no longer there"
        ),
    },
    "ContentTooLarge": {
        "description": "The upload is over the size limit (``JOINTCASE_UPLOAD_MAX_BYTES``)",
    },
    "TooManyRequests": {
        "description": "Too many requests with this token: wait ``Retry-After`` seconds",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
            }
        },
    },
}
for _response in ERROR_RESPONSES.values():
    _response["content"] = {"application/json": {"schema": _ERROR_REF}}

#: Free text refuses control characters (but newline, carriage return and tab) and text-direction
#: overrides and isolates (``jointcase.lib.text.FORBIDDEN``): said in the document as a pattern on
#: every free-text string a request carries, so a client generated from it knows the rule.
FREE_TEXT_PATTERN = (
    "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]*$"
)
FORBIDDEN_CHARACTER_CLASS = FREE_TEXT_PATTERN[3:-3]
#: Free text a field needs: at least one character that is not a space, and none refused.
REQUIRED_TEXT_PATTERN = f"^[^{FORBIDDEN_CHARACTER_CLASS}]*[^\\s{FORBIDDEN_CHARACTER_CLASS}][^{FORBIDDEN_CHARACTER_CLASS}]*$"
#: For a ``Field`` of free text the operation needs (documented; the service says what is wrong).
REQUIRED_TEXT: dict[str, Any] = {"minLength": 1, "pattern": REQUIRED_TEXT_PATTERN}
_NOT_FREE_TEXT = ("format", "enum", "const", "pattern", "contentMediaType")


def _free_text_rule(schema: Any, schemas: dict[str, Any], seen: set[str]) -> None:
    """Add ``FREE_TEXT_PATTERN`` to every free-text string in ``schema`` (a request's body or
    parameter) and to the keys of every map, the 64-bit range to every whole number without bounds,
    and "not empty" to every upload, following ``$ref`` into the components once each."""
    if isinstance(schema, list):
        for item in schema:
            _free_text_rule(item, schemas, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _free_text_rule(schemas.get(name), schemas, seen)
    if schema.get("type") == "string" and not any(key in schema for key in _NOT_FREE_TEXT):
        schema["pattern"] = FREE_TEXT_PATTERN
    if schema.get("type") == "integer":
        # Whole numbers beyond the database's 64-bit range are refused (jointcase.lib.bounds).
        schema.setdefault("minimum", INT_MIN)
        schema.setdefault("maximum", ID_MAX)
    if isinstance(schema.get("additionalProperties"), dict) and "properties" not in schema:
        # A map (``dict[str, ...]``): its keys are free text too.
        schema.setdefault("propertyNames", {"pattern": FREE_TEXT_PATTERN})
    if schema.get("format") == "binary":
        schema.setdefault("minLength", 1)  # an empty upload is no file at all
    for key, value in schema.items():
        if key in ("properties", "$defs", "patternProperties"):
            for child in value.values():
                _free_text_rule(child, schemas, seen)
        elif key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf", "prefixItems"):
            _free_text_rule(value, schemas, seen)


def _error_codes(method: str, operation: dict[str, Any]) -> dict[str, str]:
    """Which of ``ERROR_RESPONSES`` an operation may answer, by status code."""
    codes = {"404": "NotFound"}
    if operation.get("security"):
        codes |= {"401": "Unauthorized", "403": "Forbidden", "429": "TooManyRequests"}
    if operation.get("parameters") or operation.get("requestBody") or method in WRITE_METHODS:
        codes["400"] = "BadRequest"
    if method in WRITE_METHODS:
        codes["409"] = "Conflict"
    body = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in body:
        codes["413"] = "ContentTooLarge"
    return codes


def document_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Make every operation's ``responses`` exact: the errors any operation may answer (400,
    401, 403, 404, 409 on writes, 413 on uploads, 429 with ``Retry-After``) with the shared
    ``ErrorOut`` body, added to what the route declares (a route's own schema for a status is
    kept; its 429 still gets ``Retry-After``); and the free-text rule on every string a request
    carries (``FREE_TEXT_PATTERN``)."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in error_schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas["ErrorOut"] = error_schema
    components.setdefault("responses", {}).update(ERROR_RESPONSES)
    retry_after = ERROR_RESPONSES["TooManyRequests"]["headers"]
    free_text_seen: set[str] = set()
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = {str(code): answer for code, answer in operation["responses"].items()}
            for code, name in _error_codes(method, operation).items():
                if code in responses:
                    if code == "429":
                        responses[code].setdefault("headers", {}).update(retry_after)
                    continue
                responses[code] = {"$ref": f"#/components/responses/{name}"}
            operation["responses"] = dict(sorted(responses.items()))
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("query", "header"):
                    _free_text_rule(parameter.get("schema"), schemas, free_text_seen)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _free_text_rule(media.get("schema"), schemas, free_text_seen)
    return document


# --- The OpenAPI document: vocabularies and rules beyond JSON Schema --------------------------

VOCABULARY_KEY = "x-jointcase-vocabulary"
RULES_KEY = "x-jointcase-rules"


def _agency_codes() -> list[str]:
    return sorted(Agency.objects.filter(is_active=True).values_list("code", flat=True))


def _caveat_codes() -> list[str]:
    return sorted(Caveat.objects.filter(is_active=True).values_list("code", flat=True))


def _classifications() -> list[str]:
    """The classifications this deployment may hold, lowest first (``SYSTEM_HIGH``)."""
    return classifications_held()


#: The vocabularies a field may take its values from, read when the document is served.
VOCABULARIES: dict[str, Callable[[], list[str]]] = {
    "agencies": _agency_codes,
    "caveats": _caveat_codes,
    "classifications": _classifications,
}

#: Rules of a field that JSON Schema cannot state, by code: each depends on the day, the
#: register, the caller or another field. A request the schema allows may still be a 400, but
#: only naming a field the operation lists under ``x-jointcase-rules``.
FIELD_RULES: dict[str, str] = {
    "before-today": "Before today's date (Europe/London)",
    "today-or-earlier": "Today's date or earlier (Europe/London)",
    "today-or-later": "Today's date or later (Europe/London)",
    "within-a-year": "Today or later, and no more than a year ahead",
    "not-in-the-future": "Not after the moment the request is made",
    "on-or-after-field": "On or after another field of the request (its description names it)",
    "at-most-three-years": "At most three years after the start of the period",
    "active-user": (
        "The username of an active user whom the rules allow here (the register of users, "
        "not listed in the document)"
    ),
    "not-the-current-owner": "Someone other than the current owner",
    "active-team": "The id of an active team",
    "visible-object": "An object the caller may see, on the same case",
    "pnc-check-character": "A PNC id whose check character matches its number",
    "identifier-of-its-type": (
        "An identifier in the format of the identifier type given with it (both or neither)"
    ),
    "within-clearance": (
        "A classification and caveats within the caller's clearance and caveats (the token's "
        "ceiling included)"
    ),
    "releasable-to-invitees": "Releasable to every invited agency, and the invitee's agency",
    "with-enforcement": "Required with an enforcement action; no breach after an acceptable absence",
    "required-course": "A course required of the member of staff (by their roles and agency)",
    "after-today-within-retention": "After today's date, within the retention limit in years",
    "of-the-instrument": "A section, domain or factor of the instrument the request names",
}


def vocabulary_register(name: str, codes: Callable[[], list[str]]) -> None:
    """An app's own vocabulary (its instruments, its courses), read when the document is served."""
    VOCABULARIES[name] = codes


def vocabulary(name: str) -> dict[str, Any]:
    """For a ``Field``'s ``json_schema_extra``: its values (or its items') are ``name``'s
    codes, listed as the ``enum`` when the document is served (``VOCABULARIES``)."""
    return {VOCABULARY_KEY: name}


def rules(*codes: str) -> dict[str, Any]:
    """For a ``Field``'s ``json_schema_extra``: rules of ``FIELD_RULES`` the field must also
    meet, listed on the field and on its operation (``document_vocabularies_and_rules``)."""
    for code in codes:
        assert code in FIELD_RULES, code
    return {RULES_KEY: list(codes)}


#: A username's shape (Django's: letters, digits and ``.@+-_``); whose it is, is a rule.
USERNAME_PATTERN = "^[\\w.@+-]+$"


def username(*more: str, optional: bool = False) -> dict[str, Any]:
    """For a ``Field`` of a username: its shape (or blank when ``optional``), and the rule that
    it names an active user whom the rules allow here (and any ``more`` rules)."""
    if optional:
        return {"pattern": "^$|" + USERNAME_PATTERN, **rules("active-user", *more)}
    return {"minLength": 1, "pattern": USERNAME_PATTERN, **rules("active-user", *more)}


def _vocabulary_apply(schema: dict[str, Any], values: list[str]) -> None:
    """``values`` as the enum of a string field, of a list's items, or of either in an anyOf."""
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _vocabulary_apply(schema["items"], values)
    elif schema.get("type") == "string":
        for key in ("pattern", "minLength", "maxLength"):
            schema.pop(key, None)
        schema["enum"] = list(values)
    for option in schema.get("anyOf", []):
        if isinstance(option, dict):
            _vocabulary_apply(option, values)


class _Marks:
    """One walk of the document: the vocabularies read once, the schemas it may follow."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.values: dict[str, list[str]] = {}

    def vocabulary(self, name: str) -> list[str]:
        if name not in self.values:
            self.values[name] = VOCABULARIES[name]()
        return self.values[name]

    def walk(self, schema: Any, found: dict[str, list[str]], name: str, seen: set[str]) -> None:
        """Every vocabulary and rule in ``schema`` (a request's body or parameter): the enum
        filled in, the rules described, and each rule's field put in ``found`` by its own name
        and, when nested, by the name of the body's field it is in (a 400 may name either)."""
        if isinstance(schema, list):
            for item in schema:
                self.walk(item, found, name, seen)
            return
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            target = ref.rsplit("/", 1)[-1]
            if target not in seen:
                self.walk(self.schemas.get(target), found, name, seen | {target})
        vocabulary_name = schema.get(VOCABULARY_KEY)
        if isinstance(vocabulary_name, str):
            _vocabulary_apply(schema, self.vocabulary(vocabulary_name))
        codes = schema.get(RULES_KEY)
        if isinstance(codes, list) and codes:
            for field in {name.partition(".")[0], name.rpartition(".")[-1]}:
                listed = found.setdefault(field, [])
                listed.extend(code for code in codes if code not in listed)
            said = "; ".join(FIELD_RULES[code] for code in codes)
            description = str(schema.get("description", ""))
            if said not in description:
                schema["description"] = f"{description} (beyond the schema: {said})".strip()
        for key, value in schema.items():
            if key in ("properties", "patternProperties"):
                for child_name, child in value.items():
                    self.walk(child, found, f"{name}.{child_name}" if name else child_name, seen)
            elif key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf", "prefixItems"):
                self.walk(value, found, name, seen)


def document_vocabularies_and_rules(document: dict[str, Any]) -> dict[str, Any]:
    """Fill in the vocabularies the database holds as ``enum`` (``vocabulary``) and list every
    rule JSON Schema cannot state on its field and, by field name, on its operation under
    ``x-jointcase-rules``; ``components.x-jointcase-rules`` describes each rule's code. Run
    before ``document_error_responses`` (a listed vocabulary is not free text)."""
    components = document.setdefault("components", {})
    marks = _Marks(components.setdefault("schemas", {}))
    components[RULES_KEY] = dict(FIELD_RULES)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            found: dict[str, list[str]] = {}
            for parameter in operation.get("parameters", []):
                marks.walk(parameter.get("schema"), found, str(parameter.get("name", "")), set())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                marks.walk(media.get("schema"), found, "", set())
            found.pop("", None)
            if found:
                operation[RULES_KEY] = dict(sorted(found.items()))
    return document


class JointCaseApi(NinjaAPI):
    """The API's ``NinjaAPI``: its OpenAPI document is made exact for every operation, present
    and future (``document_vocabularies_and_rules``, ``document_error_responses``), so no router
    declares the shared errors, and the vocabularies are those of the database when served."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_vocabularies_and_rules(document)
        document_error_responses(document)
        return document
