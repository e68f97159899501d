"""Sign-in, second factors and sessions: every step audited in the same transaction."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import (
    authenticate,
    get_user_model,
    login,
    logout,
    password_validation,
    update_session_auth_hash,
)
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from jointcase.access.accounts import mfa_reset_allowed
from jointcase.accounts.enrolment import enrolment_link_issue
from jointcase.accounts.models import ApiToken, EnrolmentReason, SignInAttempt, User
from jointcase.accounts.sessions import session_start
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record, client_address

#: One uniform message whatever went wrong, so it never tells whether the account exists.
SIGN_IN_FAILED = "Enter a correct username and password"
SIGN_IN_THROTTLED = (
    "There have been too many attempts to sign in. Wait 15 minutes and try again, "
    "or contact your agency administrator"
)
CODE_FAILED = "Enter a correct security code from your authenticator app"

# A real hash to check against when the username does not exist, so that a missing account
# costs the same Argon2 work as a wrong password (no user enumeration by timing).
_DUMMY_PASSWORD_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_PASSWORD_HASH
    if _DUMMY_PASSWORD_HASH is None:
        _DUMMY_PASSWORD_HASH = make_password("jointcase-timing-equaliser")
    return _DUMMY_PASSWORD_HASH


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None


def _normalise(username: str) -> str:
    return username.strip().lower()[:150]


def sign_in_is_throttled(*, username: str, source_address: str | None) -> bool:
    """Too many recent failures for this account or from this address.

    The window slides: failures older than the window stop counting, and attempts refused
    while throttled are not counted, so a lock never lasts longer than the window after the
    last checked failure (an attacker cannot lock a user out for good by knocking on). The
    per-address limit stops one source trying many accounts.
    """
    policy = settings.SIGN_IN_THROTTLE
    since = SignInAttempt.window_start(policy["WINDOW_SECONDS"])
    recent_failures = SignInAttempt.objects.filter(occurred_at__gte=since, succeeded=False)
    if recent_failures.filter(username=_normalise(username)).count() >= policy["ACCOUNT_LIMIT"]:
        return True
    return bool(
        source_address
        and recent_failures.filter(source_address=source_address).count() >= policy["ADDRESS_LIMIT"]
    )


def sign_in_with_password(*, request: HttpRequest, username: str, password: str) -> SignInResult:
    """First factor. On success the session is rotated and marked password-only (unverified)."""
    address = client_address(request) or None
    normalised = _normalise(username)
    if sign_in_is_throttled(username=normalised, source_address=address):
        # Spend the same hashing work so that a throttled response is not faster.
        hmac.compare_digest(_dummy_hash(), make_password(password))
        # A refused attempt is audited but not counted as a failure: the lock ends one window
        # after the last checked failure however long an attacker keeps knocking.
        with transaction.atomic():
            audit_record(
                action="auth.sign_in_throttled",
                outcome=Outcome.FAILURE,
                actor_username=normalised,
                reason="too many failed attempts",
                request=request,
            )
        return SignInResult(None, SIGN_IN_THROTTLED)

    user = authenticate(request, username=username.strip(), password=password)
    if user is None:
        if not get_user_model().objects.filter(username__iexact=username.strip()).exists():
            hmac.compare_digest(_dummy_hash(), make_password(password))
        with transaction.atomic():
            SignInAttempt.objects.create(username=normalised, source_address=address)
            audit_record(
                action="auth.sign_in_failed",
                outcome=Outcome.FAILURE,
                actor_username=normalised,
                reason="wrong username or password",
                request=request,
            )
        return SignInResult(None, SIGN_IN_FAILED)

    assert isinstance(user, User)
    with transaction.atomic():
        SignInAttempt.objects.create(username=normalised, source_address=address, succeeded=True)
        login(request, user, backend="jointcase.accounts.backends.UserBackend")  # rotates key
        session_start(request, user)
        audit_record(action="auth.password_accepted", actor=user, request=request)
    return SignInResult(user, None)


def user_has_second_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def _device_for_code(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The confirmed device that accepts ``code`` (TOTP or a backup code, used up), or None."""
    code = "".join(code.split())
    if code.isdigit() and len(code) == 6:
        for candidate in TOTPDevice.objects.devices_for_user(user, confirmed=True):
            verify_allowed, _ = candidate.verify_is_allowed()
            if verify_allowed and candidate.verify_token(code):
                return candidate
    elif code:
        backup_code = code.replace("-", "").lower()
        for backup in StaticDevice.objects.devices_for_user(user, confirmed=True):
            if backup.verify_token(backup_code):
                return backup
    return None


def second_factor_verify_totp(*, request: HttpRequest, user: User, code: str) -> str | None:
    """Check a TOTP or backup code; on success the session is verified and rotated.

    Returns an error message, or None on success. A code already used is refused (TOTP
    replay: django-otp remembers the last time step each device accepted).
    """
    device = _device_for_code(user, code)
    with transaction.atomic():
        if device is None:
            audit_record(
                action="auth.second_factor_failed",
                actor=user,
                outcome=Outcome.FAILURE,
                reason="wrong, expired or reused code",
                request=request,
            )
            return CODE_FAILED
        otp_login(request, device)
        request.session.cycle_key()
        if isinstance(device, StaticDevice):
            audit_record(
                action="mfa.backup_code_used",
                actor=user,
                object_type="mfa_device",
                object_id=f"backup:{device.pk}",
                details={"remaining": device.token_set.count()},
                request=request,
            )
        audit_record(
            action="auth.sign_in",
            actor=user,
            details={"factor": "backup_code" if isinstance(device, StaticDevice) else "totp"},
            request=request,
        )
    return None


def totp_device_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, code: str) -> bool:
    """Confirm a newly registered TOTP device with its first code; verifies the session."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6 and device.verify_token(code)):
        with transaction.atomic():
            audit_record(
                action="mfa.totp_confirm_failed",
                actor=user,
                outcome=Outcome.FAILURE,
                object_type="mfa_device",
                object_id=device.pk,
                request=request,
            )
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        otp_login(request, device)
        request.session.cycle_key()
        audit_record(
            action="mfa.totp_registered",
            actor=user,
            object_type="mfa_device",
            object_id=device.pk,
            request=request,
        )
    return True


def mfa_device_remove(
    *, request: HttpRequest, actor: User, device_kind: str, device_id: int
) -> bool:
    """Remove one of the actor's own second factors, never the last one."""
    model = {"totp": TOTPDevice, "webauthn": WebAuthnCredential}.get(device_kind)
    if model is None:
        return False
    with transaction.atomic():
        device = model.objects.filter(user=actor, pk=device_id).first()
        if device is None:
            return False
        confirmed_total = TOTPDevice.objects.filter(user=actor, confirmed=True).count() + (
            WebAuthnCredential.objects.filter(user=actor).count()
        )
        if confirmed_total <= 1:
            audit_record(
                action="mfa.device_remove_refused",
                actor=actor,
                outcome=Outcome.FAILURE,
                object_type="mfa_device",
                object_id=f"{device_kind}:{device_id}",
                reason="the last second factor cannot be removed",
                request=request,
            )
            return False
        device.delete()
        audit_record(
            action="mfa.device_removed",
            actor=actor,
            object_type="mfa_device",
            object_id=f"{device_kind}:{device_id}",
            request=request,
        )
    return True


def sign_out(*, request: HttpRequest) -> None:
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        if isinstance(user, User):
            audit_record(action="auth.sign_out", actor=user, request=request)
        logout(request)


def sign_out_everywhere(*, request: HttpRequest, actor: User) -> None:
    """End every session of the actor, this one included, on their next request."""
    with transaction.atomic():
        User.objects.filter(pk=actor.pk).update(session_epoch=F("session_epoch") + 1)
        audit_record(action="auth.sign_out_everywhere", actor=actor, request=request)
        logout(request)


def user_sessions_end(
    *, actor: User | None, user: User, reason: str, request: HttpRequest | None = None
) -> None:
    """End all of ``user``'s sessions at once (disable, MFA reset, role change)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        audit_record(
            action="auth.sessions_ended",
            actor=actor,
            object_type="user",
            object_id=user.pk,
            reason=reason,
            request=request,
        )


#: How many backup codes a user gets each time they generate them.
BACKUP_CODE_COUNT = 10


def backup_code_display(code: str) -> str:
    """Backup codes are shown in two groups of four (``abcd-efgh``); either form is accepted."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def backup_codes_remaining(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def backup_codes_generate(*, request: HttpRequest, actor: User) -> list[str]:
    """Replace the actor's backup codes with 10 new single-use codes, returned once.

    Old codes stop working at once. django-otp keeps static codes as stored values, so they
    are only ever shown on the response to this request and never again.
    """
    StaticDevice.objects.filter(user=actor).delete()
    device = StaticDevice.objects.create(user=actor, name="Backup codes", confirmed=True)
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(
        action="mfa.backup_codes_generated",
        actor=actor,
        object_type="mfa_device",
        object_id=f"backup:{device.pk}",
        details={"count": len(codes)},
        request=request,
    )
    return sorted(backup_code_display(code) for code in codes)


class MfaResetRefused(PermissionDenied):
    """The actor may not reset this user's second factors."""


def mfa_reset(*, actor: User | None, user: User, request: HttpRequest | None = None) -> str | None:
    """Remove all of ``user``'s second factors, end all their sessions, issue an enrolment link.

    The user's password stops working too: only the returned single-use enrolment link secret
    (``jointcase.accounts.enrolment``), which the actor passes on, lets the user set a new
    password and enrol a new second factor. Nobody holding only the old password gets in.
    A disabled user gets no link (None): enabling them and issuing one is a separate step.
    Refused with :class:`MfaResetRefused` (the refusal audited) unless
    ``jointcase.access.accounts.mfa_reset_allowed``; ``actor=None`` is the operator at the
    console (``jointcase enrolment-link --reset-second-factor``).
    """
    if actor is not None and not mfa_reset_allowed(actor=actor, user=user):
        with transaction.atomic():
            audit_record(
                action="mfa.reset",
                actor=actor,
                outcome=Outcome.DENY,
                object_type="user",
                object_id=user.pk,
                reason="not permitted to reset this user's second factors",
                request=request,
            )
        raise MfaResetRefused("You cannot reset this user's second factors")
    with transaction.atomic():
        devices = {
            "totp": TOTPDevice.objects.filter(user=user),
            "webauthn": WebAuthnCredential.objects.filter(user=user),
            "backup_codes": StaticDevice.objects.filter(user=user),
        }
        removed = {kind: queryset.count() for kind, queryset in devices.items()}
        for queryset in devices.values():
            queryset.delete()
        audit_record(
            action="mfa.reset",
            actor=actor,
            actor_username="" if actor is not None else "console",
            object_type="user",
            object_id=user.pk,
            details={"removed": removed},
            request=request,
        )
        user_sessions_end(actor=actor, user=user, reason="second factors reset", request=request)
        if not user.is_active:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            return None
        _link, secret = enrolment_link_issue(
            actor=actor, user=user, reason=EnrolmentReason.SECOND_FACTOR_RESET, request=request
        )
    return secret


@transaction.atomic
def user_api_tokens_revoke(
    *, actor: User | None, user: User, reason: str, request: HttpRequest | None = None
) -> int:
    """Revoke every unrevoked API token of ``user`` for good (disabling them, say).

    Re-enabling the user later does not bring a token back: they mint new ones.
    """
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(revoked_at=timezone.now())
    for token in tokens:
        audit_record(
            action="api_token.revoked",
            actor=actor,
            actor_username="" if actor is not None else "console",
            object_type="api_token",
            object_id=token.pk,
            reason=reason,
            details={"user": user.username, "prefix": token.prefix, "name": token.name},
            request=request,
        )
    return len(tokens)


class PasswordChangeRefused(ValueError):
    """A password change that cannot be made: ``errors`` maps form fields to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


CURRENT_PASSWORD_FAILED = "Your current password is not correct"  # noqa: S105 - a message


def password_change(
    *,
    request: HttpRequest,
    actor: User,
    current_password: str,
    new_password: str,
    code: str,
) -> None:
    """The signed-in user changes their own password: current password and a second factor.

    Every other session of the user ends on its next request; this one carries on. Wrong
    current passwords count towards the sign-in throttle of the account, so this page is no
    way round it. Raises :class:`PasswordChangeRefused` and changes nothing otherwise.
    """
    address = client_address(request) or None
    if sign_in_is_throttled(username=actor.username, source_address=address):
        raise PasswordChangeRefused({"current_password": [SIGN_IN_THROTTLED]})
    try:
        password_validation.validate_password(new_password, user=actor)
    except ValidationError as error:
        raise PasswordChangeRefused({"new_password": list(error.messages)}) from error
    if not actor.check_password(current_password):
        with transaction.atomic():
            SignInAttempt.objects.create(
                username=_normalise(actor.username), source_address=address
            )
            audit_record(
                action="auth.password_change_failed",
                actor=actor,
                outcome=Outcome.FAILURE,
                reason="wrong current password",
                request=request,
            )
        raise PasswordChangeRefused({"current_password": [CURRENT_PASSWORD_FAILED]})
    if _device_for_code(actor, code) is None:
        with transaction.atomic():
            audit_record(
                action="auth.password_change_failed",
                actor=actor,
                outcome=Outcome.FAILURE,
                reason="wrong, expired or reused code",
                request=request,
            )
        raise PasswordChangeRefused({"code": [CODE_FAILED]})
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        User.objects.filter(pk=actor.pk).update(session_epoch=F("session_epoch") + 1)
        actor.refresh_from_db(fields=["session_epoch"])
        update_session_auth_hash(request, actor)  # rotates this session's key, keeps it
        request.session["jc_epoch"] = actor.session_epoch
        audit_record(action="auth.password_changed", actor=actor, request=request)


def enrolment_link_refused(*, request: HttpRequest) -> None:
    """An unknown, used, revoked or expired enrolment link was opened: on record, no detail."""
    with transaction.atomic():
        audit_record(
            action="accounts.enrolment_link_refused",
            outcome=Outcome.FAILURE,
            reason="unknown, used, revoked or expired enrolment link",
            request=request,
        )
