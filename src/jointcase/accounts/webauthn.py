"""Security keys and passkeys (WebAuthn), as a second factor only.

django-otp-webauthn's views are wrapped so that:

- authentication is never a way in by itself: both ceremony steps refuse a visitor who has not
  passed the password step (passwordless login stays off even if the library setting were
  turned on), and completing one never calls ``login()``; it only marks the password-signed-in
  session as verified, rotates the session key and writes "auth.sign_in" (factor webauthn);
- registration needs a session that is already verified with a second factor, so a stolen
  password cannot be used to enrol an attacker's key;
- every registration, and every failed ceremony, is in the audit chain;
- bad input answers a JSON 4xx, never a 500.

The browser side is the library's own static scripts, loaded by our Jinja includes
(``accounts/_webauthn_auth_scripts.html``, ``accounts/_webauthn_register_scripts.html``) with
the CSP nonce and a JSON configuration element, so no inline script is needed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django_otp import login as otp_login
from django_otp_webauthn import exceptions
from django_otp_webauthn.templatetags.otp_webauthn import get_configuration
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
    _get_pywebauthn_logger,
)

from jointcase.accounts.models import User
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record

#: Errors from malformed client data that the library lets escape; answered as 400, not 500.
_BAD_INPUT = (KeyError, ValueError, TypeError, AttributeError)


class PasswordStepRequired(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Sign in with your username and password first."
    default_code = "password_step_required"


class SecondFactorRequired(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Sign in with your second factor before you add a security key or passkey."
    default_code = "second_factor_required"


def webauthn_config(request: HttpRequest) -> SafeString:
    """The library's client configuration as a ``<script type="application/json">`` element.

    JSON data, not script: CSP does not execute it, and ``json_script`` escapes it for HTML.
    """
    return json_script(get_configuration(request), "otp_webauthn_config")


def _password_step_passed(request: HttpRequest) -> bool:
    """The visitor signed in with their password in this session (verified or not yet)."""
    user = request.user
    return bool(user.is_authenticated and user.is_active)


def _audit_failure(request: HttpRequest, action: str, error: Exception, **details: Any) -> None:
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        audit_record(
            action=action,
            actor=user if isinstance(user, User) else None,
            outcome=Outcome.FAILURE,
            reason=str(getattr(error, "code", "") or type(error).__name__),
            details=details or None,
            request=request,
        )


class _JsonErrors:
    """Library API errors and malformed input both answer JSON 4xx; failures are audited."""

    request: HttpRequest
    failure_action = ""

    def handle_exception(self, exc: Exception) -> JsonResponse:
        if isinstance(exc, _BAD_INPUT):
            exc = exceptions.MalformedRequest(detail="The request could not be read.")
        if not isinstance(exc, exceptions.OTPWebAuthnApiError):
            raise exc
        if self.failure_action:
            _audit_failure(self.request, self.failure_action, exc, factor="webauthn")
        return JsonResponse({"detail": str(exc.detail), "code": exc.code}, status=exc.status_code)


def _second_factor_require(request: HttpRequest) -> None:
    """A security key is added only in a session that passed a second factor already."""
    user = request.user
    if not (isinstance(user, User) and user.is_verified()):
        raise SecondFactorRequired()


def _parsed_body(request: HttpRequest) -> Any:
    """The JSON body django-otp-webauthn's views parse into ``request.data`` (an attribute
    Django's request type does not declare)."""
    return vars(request)["data"]


class RegistrationBeginView(_JsonErrors, BeginCredentialRegistrationView):
    failure_action = "mfa.webauthn_register_failed"

    def check_can_register(self) -> None:
        _second_factor_require(self.request)


class RegistrationCompleteView(_JsonErrors, CompleteCredentialRegistrationView):
    failure_action = "mfa.webauthn_register_failed"

    def check_can_register(self) -> None:
        _second_factor_require(self.request)

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        request = self.request
        user = self.get_user()
        assert isinstance(user, User)
        state = self.get_state()
        helper = self.get_helper()
        with rewrite_exceptions(logger=_get_pywebauthn_logger()), transaction.atomic():
            device = helper.register_complete(user=user, state=state, data=_parsed_body(request))
            device.name = f"Added {timezone.localdate():%-d %B %Y}"
            device.save(update_fields=["name"])
            audit_record(
                action="mfa.webauthn_registered",
                actor=user,
                object_type="mfa_device",
                object_id=f"webauthn:{device.pk}",
                details={"discoverable": device.discoverable},
                request=request,
            )
        return JsonResponse({"id": device.pk})


class AuthenticationBeginView(_JsonErrors, BeginCredentialAuthenticationView):
    failure_action = "auth.second_factor_failed"

    def check_can_authenticate(self) -> None:
        if not _password_step_passed(self.request):
            raise PasswordStepRequired()


class AuthenticationCompleteView(_JsonErrors, CompleteCredentialAuthenticationView):
    failure_action = "auth.second_factor_failed"

    def check_can_authenticate(self) -> None:
        if not _password_step_passed(self.request):
            raise PasswordStepRequired()

    def complete_auth(self, device: Any) -> None:
        """Verify the password-signed-in session; never log anybody in from a key alone."""
        request = self.request
        user = request.user
        if not _password_step_passed(request) or device.user_id != user.pk:
            raise PasswordStepRequired()
        assert isinstance(user, User)
        with transaction.atomic():
            otp_login(request, device)
            request.session.cycle_key()
            audit_record(
                action="auth.sign_in",
                actor=user,
                details={"factor": "webauthn"},
                object_type="mfa_device",
                object_id=f"webauthn:{device.pk}",
                request=request,
            )

    def get_success_url(self) -> str:
        target = self.request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return target
        return reverse(settings.LOGIN_REDIRECT_URL)
