"""Every page answers a refusal the same way: hidden is the 404 of a missing object, visible
is the 403 with its message. One middleware decides this for all apps."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from jointcase.access.acting import NotPermitted, Refusal
from jointcase.access.middleware import HiddenRefusalMiddleware


def _middleware() -> HiddenRefusalMiddleware:
    return HiddenRefusalMiddleware(lambda request: HttpResponse("page"))


def test_a_hidden_refusal_is_answered_as_a_missing_object() -> None:
    request = RequestFactory().get("/cases/")
    refused = NotPermitted(Refusal(reason="not_on_case", message="Secret detail", hidden=True))
    with pytest.raises(Http404) as raised:
        _middleware().process_exception(request, refused)
    assert "Secret detail" not in str(raised.value)


def test_a_visible_refusal_goes_on_to_the_403_page() -> None:
    request = RequestFactory().get("/cases/")
    refused = NotPermitted(Refusal(reason="role", message="Only a manager may do this"))
    assert _middleware().process_exception(request, refused) is None


def test_other_exceptions_are_left_alone() -> None:
    request = RequestFactory().get("/cases/")
    assert _middleware().process_exception(request, ValueError("boom")) is None


def test_the_middleware_is_installed_once_for_every_page() -> None:
    installed = [m for m in settings.MIDDLEWARE if m.endswith("HiddenRefusalMiddleware")]
    assert installed == ["jointcase.access.middleware.HiddenRefusalMiddleware"]
