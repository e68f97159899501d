"""The demo world, seeded once for a whole test module.

Seeding the demo world takes tens of seconds; the tests that check what it holds only read it.
``demo_world_fixture`` builds a module-scoped fixture that seeds it once, inside a transaction
that is rolled back when the module's last test has run, with its own keyring. Each test still
runs in its own savepoint (``django_db``), so what one test writes never reaches the next.

A module using it marks itself ``xdist_group`` (``make test`` runs ``--dist loadgroup``), so
its tests run on one worker and the world is seeded once per database run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from jointcase.keyring import keyring_init
from jointcase.seed.world import world_seed


def demo_world_fixture(*, today: dt.date | None) -> Callable[..., Any]:
    """A module-scoped fixture seeding ``seed --scale demo --seed 1`` as of ``today`` (None: the
    real today, as ``make demo`` does)."""

    @pytest.fixture(scope="module")
    def demo_world(
        django_db_setup: None,
        django_db_blocker: Any,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[None]:
        path = tmp_path_factory.mktemp("demo-world") / "keyring"
        with django_db_blocker.unblock():
            keyring_init(path)
            with override_settings(KEYRING_PATH=path), transaction.atomic():
                world_seed(scale="demo", seed=1, show_progress=False, today=today)
                yield
                transaction.set_rollback(True)

    return demo_world
