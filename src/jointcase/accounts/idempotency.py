"""``Idempotency-Key`` for every API write: a partner that retries gets the first answer again,
never a second object.

A ``POST``, ``PUT``, ``PATCH`` or ``DELETE`` under ``/api/`` sent with an ``Idempotency-Key``
header (1 to 200 visible ASCII characters, unique per token) runs in one transaction with the
record of its answer (``IdempotentResponse``):

- the first request with a key inserts the record, runs, and stores its status and body in the
  same transaction as its writes. If the process dies before the commit, neither the write nor
  the record exists and a retry runs afresh; after the commit, a retry replays the stored answer
  with ``Idempotent-Replayed: true``;
- two requests with the same key at once: the second waits on the record's unique index until
  the first commits, then replays its answer;
- the same key with a different request (method, path, query or body) is a 400 naming the
  header, and nothing runs;
- an answer of 500 or more rolls back the request's writes and the record, so the retry runs
  afresh;
- a key is kept for ``JOINTCASE_IDEMPOTENCY_HOURS`` (24); after that it may be used again.

Keys are scoped to the token that sent them (looked up by its hash; a request whose token does
not exist goes on to the API's 401). A multipart upload is fingerprinted by its length and type,
not its content, so that a large extract is never read into memory here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

from jointcase.accounts.models import ApiToken, IdempotentResponse
from jointcase.accounts.tokens import TOKEN_SCHEME, token_hash

HEADER = "Idempotency-Key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _bad_request(message: str) -> HttpResponse:
    body = {
        "detail": "There is a problem with the request",
        "errors": [{"field": HEADER, "message": message}],
    }
    return HttpResponse(json.dumps(body), status=400, content_type="application/json")


def _token_id(request: HttpRequest) -> int | None:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented.startswith(TOKEN_SCHEME):
        return None
    return (
        ApiToken.objects.filter(token_hash=token_hash(presented))
        .values_list("pk", flat=True)
        .first()
    )


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(
        f"{request.method}\n{request.path}?{request.META.get('QUERY_STRING', '')}\n".encode()
    )
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/"):
        digest.update(f"{content_type}\n{request.META.get('CONTENT_LENGTH', '')}".encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _window() -> dt.timedelta:
    return dt.timedelta(hours=settings.JOINTCASE_IDEMPOTENCY_HOURS)


def _replay(record: IdempotentResponse, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return _bad_request("This key was already used for a different request: use a new key")
    response = HttpResponse(
        bytes(record.body), status=record.status or 200, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Run API writes that carry an ``Idempotency-Key`` exactly once per token and key."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if key is None or request.method not in WRITE_METHODS:
            return self.get_response(request)
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _KEY.fullmatch(key):
            return _bad_request("The key must be 1 to 200 visible ASCII characters")
        token_id = _token_id(request)
        if token_id is None:
            return self.get_response(request)  # the API answers 401
        fingerprint = _fingerprint(request)
        return self._once(request, token_id, key, fingerprint)

    def _once(
        self, request: HttpRequest, token_id: int, key: str, fingerprint: str
    ) -> HttpResponseBase:
        now = timezone.now()
        with transaction.atomic():
            IdempotentResponse.objects.filter(
                token_id=token_id, created_at__lt=now - _window()
            ).delete()
            try:
                with transaction.atomic():
                    record = IdempotentResponse.objects.create(
                        token_id=token_id, key=key, fingerprint=fingerprint, created_at=now
                    )
            except IntegrityError:
                earlier = IdempotentResponse.objects.get(token_id=token_id, key=key)
                return _replay(earlier, fingerprint)
            response = self.get_response(request)
            if response.status_code >= 500 or response.streaming:
                transaction.set_rollback(True)
                return response
            assert isinstance(response, HttpResponse)
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "")[:100]
            record.body = response.content
            record.save(update_fields=["status", "content_type", "body"])
            return response
