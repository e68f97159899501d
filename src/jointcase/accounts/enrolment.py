"""Enrolment links: how a user comes to hold a working credential, and only that user.

An administrator who creates a user, or resets their second factor, never chooses or learns a
password: they are shown a single-use link once and pass it on. With the link the user sets
their own password (Django's validators) and enrols their own authenticator app, and is then
signed in. Security invariants:

- Only the SHA-256 of the link's secret is stored; the plaintext is in the return value of
  :func:`enrolment_link_issue` and never in the audit chain or the logs of this module.
- A link works once, for ``JOINTCASE_ENROLMENT_LINK_HOURS`` (default 72), for an active user;
  issuing a new link for a user revokes every earlier unused one, and so does disabling them.
- A user waiting for enrolment has no usable password (``set_unusable_password``), so nothing
  but the link lets anyone in: a password-only session can never enrol a first factor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import login, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jointcase.accounts.models import EnrolmentLink, EnrolmentReason, User
from jointcase.accounts.sessions import session_start
from jointcase.audit.models import Outcome
from jointcase.audit.services import audit_record

#: A presented link secret longer than this is refused before hashing.
MAX_PRESENTED_LENGTH = 100
DEFAULT_LINK_HOURS = 72
LINK_UNUSABLE = "This link has expired or has already been used"
TOTP_DEVICE_NAME = "Authenticator app"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def enrolment_link_hours() -> int:
    return int(getattr(settings, "JOINTCASE_ENROLMENT_LINK_HOURS", DEFAULT_LINK_HOURS))


def enrolment_link_path(secret: str) -> str:
    return reverse("accounts:enrol", args=[secret])


def enrolment_link_url(secret: str, request: HttpRequest | None = None) -> str:
    """The full address to hand over: from the request, else ``JOINTCASE_BASE_URL``."""
    path = enrolment_link_path(secret)
    if request is not None:
        return request.build_absolute_uri(path)
    base = str(getattr(settings, "JOINTCASE_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}"


def _links_revoke(user: User, now: dt.datetime) -> int:
    return EnrolmentLink.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)


def enrolment_links_revoke(
    *, actor: User | None, user: User, reason: str, request: HttpRequest | None = None
) -> int:
    """Revoke every unused link of ``user`` (disabling them, say); audited when any was open."""
    with transaction.atomic():
        revoked = _links_revoke(user, timezone.now())
        if revoked:
            audit_record(
                action="accounts.enrolment_links_revoked",
                actor=actor,
                actor_username="" if actor is not None else "console",
                object_type="user",
                object_id=user.pk,
                reason=reason,
                details={"revoked": revoked},
                request=request,
            )
    return revoked


def enrolment_link_issue(
    *,
    actor: User | None,
    user: User,
    reason: str,
    request: HttpRequest | None = None,
) -> tuple[EnrolmentLink, str]:
    """A new single-use link for ``user``; returns the row and the secret (shown once).

    The caller has decided that ``actor`` may do this (agency services check the ceiling, the
    console is the operator). Earlier unused links stop working, and the user's password stops
    working too: from now on only this link leads to a credential.
    """
    if reason not in EnrolmentReason.values:
        raise ValueError(f"unknown enrolment reason {reason!r}")
    if not user.is_active:
        raise ValidationError("That user is disabled: enable them first")
    with transaction.atomic():
        now = timezone.now()
        revoked = _links_revoke(user, now)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        secret = secrets.token_urlsafe(32)
        link = EnrolmentLink.objects.create(
            user=user,
            token_hash=_hash(secret),
            reason=reason,
            created_by=actor,
            created_at=now,
            expires_at=now + dt.timedelta(hours=enrolment_link_hours()),
        )
        audit_record(
            action="accounts.enrolment_link_issued",
            actor=actor,
            actor_username="" if actor is not None else "console",
            object_type="user",
            object_id=user.pk,
            details={
                "link": link.pk,
                "reason": reason,
                "expires_at": link.expires_at.isoformat(),
                "earlier_links_revoked": revoked,
            },
            request=request,
        )
    return link, secret


def enrolment_link_find(secret: str) -> EnrolmentLink | None:
    """The usable link this secret opens, or None (unknown, used, revoked, expired, disabled)."""
    presented = (secret or "").strip()
    if not presented or len(presented) > MAX_PRESENTED_LENGTH:
        return None
    digest = _hash(presented)
    link = EnrolmentLink.objects.select_related("user").filter(token_hash=digest).first()
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        return None
    if not link.is_usable or not link.user.is_active:
        return None
    return link


def enrolment_device_for(link: EnrolmentLink, device_id: object) -> TOTPDevice:
    """The unconfirmed authenticator app being enrolled with this link (made on first view)."""
    device = None
    if isinstance(device_id, int):
        device = TOTPDevice.objects.filter(user=link.user, pk=device_id, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=link.user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def enrolment_complete(
    *,
    request: HttpRequest,
    link: EnrolmentLink,
    device: TOTPDevice,
    password: str,
    code: str,
) -> User:
    """Set the user's own password, confirm their authenticator app and sign them in.

    Raises ``ValidationError`` with field errors (``password``, ``code``) and changes nothing,
    or with a plain message when the link stopped working meanwhile.
    """
    user = link.user
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    code = "".join(code.split())
    with transaction.atomic():
        locked = EnrolmentLink.objects.select_for_update().filter(pk=link.pk).first()
        if locked is None or not locked.is_usable or device.user_id != user.pk:
            raise ValidationError(LINK_UNUSABLE)
        if not (code.isdigit() and len(code) == 6 and device.verify_token(code)):
            failed = True
        else:
            failed = False
            now = timezone.now()
            locked.used_at = now
            locked.save(update_fields=["used_at"])
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            user.set_password(password)
            user.save(update_fields=["password"])
            # Any session of this user opened before enrolment ends on its next request.
            User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
            user.refresh_from_db(fields=["session_epoch"])
            login(request, user, backend="jointcase.accounts.backends.UserBackend")
            session_start(request, user)
            otp_login(request, device)
            audit_record(
                action="accounts.enrolment_completed",
                actor=user,
                object_type="user",
                object_id=user.pk,
                details={"link": locked.pk, "reason": locked.reason, "device": device.pk},
                request=request,
            )
    if failed:
        with transaction.atomic():
            audit_record(
                action="accounts.enrolment_code_failed",
                actor=user,
                outcome=Outcome.FAILURE,
                object_type="user",
                object_id=user.pk,
                details={"link": link.pk},
                request=request,
            )
        raise ValidationError(
            {"code": ["The code does not match: check the time on your device and try again"]}
        )
    return user
