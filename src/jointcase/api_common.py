"""What every app's API router shares: authentication, one error shape, one paginator, and the
exception handlers registered once on the one ``NinjaAPI`` (``jointcase.api``).

A router imports from here, never from another app's ``api.py``:

- ``token_auth(write_scope=...)`` and ``api_user(request)``: the bearer token and the user it authenticates;
- ``ErrorOut``: ``{"detail": ..., "errors": [{"field": ..., "message": ...}]}``, the body of
  every 4xx the API documents (``field_errors`` builds it from a Django ``ValidationError``,
  ``refusal_body`` from a refusal's message);
- ``PageQuery`` and ``paginate``: ``?page=&page_size=`` (at most ``MAX_PAGE_SIZE``), answered as
  ``{"count", "page", "page_size", "results"}`` with the count the caller may see;
- ``register_exception_handlers(api)``: what an exception a route does not catch becomes, the
  same for every app (docs/api.md "Errors").

An object the caller may not see answers exactly as a missing one (404, see docs/design.md
"No leaks"); a refusal of something they can see answers 403 with why.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError

from jointcase.access.acting import NotPermitted
from jointcase.accounts.models import User
from jointcase.lib.edits import ConcurrentEdit

if TYPE_CHECKING:
    from ninja import NinjaAPI

    from jointcase.accounts.api_auth import ApiTokenAuth

MAX_PAGE_SIZE = 100
BAD_REQUEST = "There is a problem with the request"
NOT_FOUND = "Not Found"


def token_auth(*, write_scope: str) -> ApiTokenAuth:
    """The API's authentication (bearer tokens from ``jointcase.accounts``), for a router's
    ``auth=``: a GET needs the token's ``read`` scope, anything else ``write_scope`` (one of
    ``jointcase.access.accounts.TOKEN_SCOPES``). Imported when called: the token module reaches
    the audit and access apps, which may import their routers' schemas while Django loads."""
    from jointcase.access.accounts import TOKEN_SCOPES
    from jointcase.accounts.api_auth import ApiTokenAuth

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
    detail: str
    errors: list[ErrorItem]


class NotFoundOut(Schema):
    """A 404: the object does not exist or the caller may not see it (the same answer)."""

    detail: str = Field(..., description='Always "Not Found"')


class RateLimitedOut(Schema):
    """A 429: too many asks of the register ("Known to you?", matching a person)."""

    detail: str
    retry_after: int = Field(..., description="Seconds to wait (also the Retry-After header)")


class ContactOut(Schema):
    agency: str = Field(..., description="The agency to contact (the case's lead agency)")
    role: str = Field(..., description="The role to ask for at that agency")


class KnownOut(Schema):
    """The documented answer of "Known to you?" (docs/exchange.md)."""

    known: bool = Field(..., description="Whether a managed record matches")
    answer: str = Field(..., description="The documented answer as one sentence")
    contact: ContactOut | None = Field(..., description="Whom to contact; null when not known")
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
    """A stale ``version``: a 400 keyed by the ``version`` field (nothing was saved)."""
    return {"detail": str(error), "errors": [{"field": "version", "message": str(error)}]}


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


def register_exception_handlers(api: NinjaAPI) -> None:
    """One answer per exception for every router on ``api``:

    - bad input (django-ninja's schema validation, or a service's ``ValidationError``): 400
      with one message per field, never a 422 without field names;
    - a stale edit (``ConcurrentEdit``): 400 keyed by ``version``;
    - ``NotPermitted``: 403 with the refusal's message, or the 404 of a missing object when
      the refusal is hidden (the DENY entry is already written by ``permission_require``);
    - ``Http404``: 404 ``{"detail": "Not Found"}``, never with the exception's text.
    """

    @api.exception_handler(NinjaValidationError)
    def bad_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for error in exc.errors:
            location = [
                str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")
            ]
            message = str(error.get("msg", "Invalid"))
            errors.append({"field": ".".join(location) or "request", "message": message})
        return api.create_response(request, {"detail": BAD_REQUEST, "errors": errors}, status=400)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, field_errors(exc), status=400)

    @api.exception_handler(ConcurrentEdit)
    def stale(request: HttpRequest, exc: ConcurrentEdit) -> HttpResponse:
        return api.create_response(request, stale_edit_body(exc), status=400)

    @api.exception_handler(NotPermitted)
    def not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
        if exc.hidden:
            return api.create_response(request, {"detail": NOT_FOUND}, status=404)
        return api.create_response(request, refusal_body(exc.message), status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)
