"""Users, their roles, sign-in attempts and session policy state."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from django_otp.models import Device


class Role(models.TextChoices):
    """The roles of docs/design.md's "Who uses it" table, plus the agency administrator."""

    NSD_PRACTITIONER = "NSD_PRACTITIONER", "NSD probation practitioner"
    NSD_SENIOR_LEAD = "NSD_SENIOR_LEAD", "NSD senior operational lead"
    CTNM_OFFICER = "CTNM_OFFICER", "CTNM officer"
    CT_SUPERVISOR = "CT_SUPERVISOR", "CT supervisor"
    POM = "POM", "Prison offender manager"
    PRISON_CT_LEAD = "PRISON_CT_LEAD", "Prison CT lead"
    REGIONAL_CT_COORDINATOR = "REGIONAL_CT_COORDINATOR", "Regional CT coordinator"
    PARTNER_LIAISON = "PARTNER_LIAISON", "Intelligence partner liaison"
    NATIONAL_GOVERNANCE = "NATIONAL_GOVERNANCE", "National governance lead"
    INSPECTOR = "INSPECTOR", "Inspector"
    AUDITOR = "AUDITOR", "Auditor"
    AGENCY_ADMIN = "AGENCY_ADMIN", "Agency administrator"
    SYSTEM_ADMIN = "SYSTEM_ADMIN", "System administrator"


class User(AbstractUser):
    """A person who signs in. Always belongs to exactly one agency (except the bootstrap admin)."""

    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    #: The second-factor device of this request (django-otp's middleware sets it; an API
    #: token sets None). Not a column.
    otp_device: Device | None
    job_title = models.CharField(max_length=120, blank=True)
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    #: Bumped to end every session of this user at once (disable, sign out everywhere, MFA reset).
    session_epoch = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        """The user's roles, cached on the instance for the life of a request."""
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_codes = cached
        return cached

    def is_verified(self) -> bool:
        """Whether this request passed a second factor.

        django-otp's middleware replaces this per request for a session user; anywhere it has
        not run (API tokens, tasks, the console) the answer is a safe "no".
        """
        return False

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(code).label for code in sorted(self.role_codes)]


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class SignInAttempt(models.Model):
    """One password attempt, for throttling per account and per source address."""

    username = models.CharField(max_length=150, db_index=True)
    source_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["username", "occurred_at"], name="signin_user_time"),
            models.Index(fields=["source_address", "occurred_at"], name="signin_addr_time"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {'succeeded' if self.succeeded else 'failed'} {self.occurred_at}"

    @classmethod
    def window_start(cls, seconds: int) -> dt.datetime:
        return timezone.now() - dt.timedelta(seconds=seconds)


class ApiToken(models.Model):
    """A bearer token for the REST API, owned by one user and acting with exactly their access.

    Only the SHA-256 of the secret is stored: the plaintext is shown once, when the token is
    created, and can never be recovered. ``prefix`` (the first 8 characters) lets a user or an
    operator tell their tokens apart and revoke one without ever seeing the secret again.
    Every token expires; a revoked or expired token, or one whose user is inactive, fails on
    the very next request.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    #: The purpose of consultation declared when the token was created (a value of
    #: ``jointcase.audit.purpose.Purpose``), recorded on every audit entry the token's requests
    #: make. Empty on tokens created before purposes were recorded: those are refused (403).
    purpose = models.CharField(max_length=40, blank=True, default="")
    purpose_reason = models.CharField(max_length=500, blank=True, default="")
    #: What the token may do, space-separated (``jointcase.access.accounts.TOKEN_SCOPES``):
    #: ``read`` for every GET, one write scope per area for anything that changes state.
    scopes = models.CharField(max_length=300, default="read")
    #: The highest classification the token may read or write (``access.labels``), set when it
    #: is issued and never above its issuer's clearance; empty: its user's own clearance. A
    #: request with the token is cleared to the lower of the two (``access.material``).
    ceiling = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def scope_list(self) -> tuple[str, ...]:
        return tuple(self.scopes.split())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def status(self) -> str:
        if self.is_revoked:
            return "Revoked"
        if self.is_expired:
            return "Expired"
        return "Active"


class EnrolmentReason(models.TextChoices):
    NEW_USER = "NEW_USER", "New user"
    SECOND_FACTOR_RESET = "SECOND_FACTOR_RESET", "Second factor reset"
    OPERATOR = "OPERATOR", "Issued by an operator"


class EnrolmentLink(models.Model):
    """A single-use link with which a user sets their own password and second factor.

    Nobody but the user ever holds a working credential for them: an administrator who creates
    a user, or resets their second factor, hands over this link instead of a password. Only the
    SHA-256 of the link's secret is stored. A link works once, until ``expires_at``, and issuing
    a new link for the same user revokes every earlier unused one.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    token_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=24, choices=EnrolmentReason.choices)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Enrolment link for {self.user} ({self.get_reason_display()})"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class IdempotentResponse(models.Model):
    """The answer given to an API write sent with an ``Idempotency-Key`` header, kept so that a
    partner who retries (after a broken connection, say) gets the first answer again and never
    a second object. Written in the same transaction as the write itself: if the process dies
    before the write commits, neither exists and the retry runs afresh; if after, the retry
    replays this (``jointcase.accounts.idempotency``)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    #: SHA-256 of the method, path and body: a key reused for another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_token_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'running'})"
