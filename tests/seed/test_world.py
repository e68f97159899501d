"""The synthetic world: shaped like the real agencies, every role and vetting level, the demo
sign-ins ready to use, and the same world for the same seed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jointcase.accounts.models import Role, RoleAssignment, User
from jointcase.accounts.personas import DEMO_PASSWORD, PERSONAS
from jointcase.agencies.models import Agency, AgencyKind, Vetting, VettingLevel
from jointcase.seed.world import world_is_empty, world_seed

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def _foundation_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed agencies and users only: later domains' steps have their own tests."""
    from jointcase.seed import world

    steps = world._steps
    monkeypatch.setattr(
        world, "_steps", lambda: [s for s in steps() if s[0] in ("agencies and teams", "users")]
    )


def _people() -> list[tuple[str, str, str, str]]:
    return list(
        User.objects.order_by("username").values_list(
            "username", "first_name", "last_name", "agency__code"
        )
    )


def test_the_demo_world_is_shaped_like_the_real_agencies(monkeypatch):
    _foundation_only(monkeypatch)
    assert world_is_empty()
    world_seed(scale="demo", seed=1, show_progress=False, today=TODAY)
    assert not world_is_empty()
    kinds = {kind: Agency.objects.filter(kind=kind).count() for kind in AgencyKind.values}
    assert 8 <= kinds[AgencyKind.POLICE] <= 12  # about 9 regional CT units
    assert 18 <= kinds[AgencyKind.PRISON] <= 24  # about 20 prisons
    assert Agency.objects.filter(kind=AgencyKind.PRISON, holds_separation_centre=True).count() == 1
    assert kinds[AgencyKind.PROBATION] >= 2  # NSD and its divisions, probation regions
    assert kinds[AgencyKind.PARTNER] >= 1


def test_every_role_and_vetting_level_is_held_by_someone(monkeypatch):
    _foundation_only(monkeypatch)
    world_seed(scale="demo", seed=1, show_progress=False, today=TODAY)
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    cleared = set(VettingLevel.values) - {VettingLevel.NONE}
    assert set(Vetting.objects.values_list("level", flat=True)) == cleared


def test_every_demo_sign_in_has_the_demo_password_and_an_authenticator_app(monkeypatch):
    _foundation_only(monkeypatch)
    world_seed(scale="demo", seed=1, show_progress=False, today=TODAY)
    for persona in PERSONAS:
        user = User.objects.get(username=persona.username)
        assert check_password(DEMO_PASSWORD, user.password), persona.username
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists(), persona.username
        assert set(user.role_assignments.values_list("role", flat=True)) == set(persona.roles)
        assert user.vetting.level == persona.vetting


def test_the_same_seed_builds_the_same_world_and_another_seed_another(monkeypatch):
    _foundation_only(monkeypatch)

    def build(seed: int) -> list[tuple[str, str, str, str]]:
        with transaction.atomic():
            world_seed(scale="demo", seed=seed, show_progress=False, today=TODAY)
            people = _people()
            transaction.set_rollback(True)
        return people

    first = build(1)
    assert first == build(1)
    assert first != build(2)
