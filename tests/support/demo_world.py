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


def demo_server_fixture() -> Callable[..., Any]:
    """A module-scoped fixture for browser tests: the demo world seeded (as of the real today)
    and committed, with a live server of its own, yielded as the server (``.url``).

    pytest-django's ``live_server`` makes each test transactional, and the flush after each
    test would take the world with it; this server lives as long as the module's world. The
    module's tests share the world (what one test changes, the next sees), so each must hold
    whatever it reads from the world, not assume it untouched. When the module is done, every
    table is flushed, as after any transactional test.
    """

    @pytest.fixture(scope="module")
    def demo_server(
        django_db_setup: None,
        django_db_blocker: Any,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[Any]:
        from django.core.management import call_command
        from django.db import connection, connections
        from django.test.utils import setup_databases, teardown_databases
        from pytest_django.live_server_helper import LiveServer

        path = tmp_path_factory.mktemp("demo-server") / "keyring"
        with django_db_blocker.unblock(), override_settings(KEYRING_PATH=path):
            # pytest-django sets up the test database only when some collected test is marked
            # for it; run alone, this module's tests are not (the mark would wrap each test in
            # a transaction the server could not see into), so set it up here if need be.
            own = None
            if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
                own = setup_databases(verbosity=0, interactive=False, aliases={"default"})
            keyring_init(path)
            server = None
            try:
                world_seed(scale="demo", seed=1, show_progress=False)
                server = LiveServer("localhost")
                server._live_server_modified_settings.enable()
                yield server
            finally:
                if server is not None:
                    server._live_server_modified_settings.disable()
                    server.stop()
                for alias in connections:
                    # Through tests/audit_plugin.py: the flush alone may empty the audit tables.
                    call_command("flush", database=alias, interactive=False, verbosity=0)
                if own is not None:
                    teardown_databases(own, verbosity=0)

    return demo_server
