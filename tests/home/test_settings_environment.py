"""The settings read every variable strictly: ``JOINTCASE_AUDIT_ENABLED=true`` keeps the audit
on, a value outside the documented spellings stops start-up, and production refuses to start
with the audit off (docs/operations.md, "Settings")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.production_env import production_env

PRINT_AUDIT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print('AUDIT', s.AUDIT_ENABLED, s.DEBUG, s.JOINTCASE_ACTION_EMAIL)"
)


def _settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRINT_AUDIT],
        env={"DJANGO_SETTINGS_MODULE": "jointcase.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _test_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JOINTCASE_", "DJANGO_"))
    }
    env["JOINTCASE_ENV"] = "test"
    env.update(overrides)
    return env


def test_audit_enabled_true_leaves_the_audit_on():
    result = _settings(
        _test_env(JOINTCASE_AUDIT_ENABLED="true", JOINTCASE_DEBUG="no", JOINTCASE_ACTION_EMAIL="on")
    )
    assert result.returncode == 0, result.stderr
    assert "AUDIT True False True" in result.stdout


def test_audit_enabled_maybe_stops_start_up_naming_the_variable():
    result = _settings(_test_env(JOINTCASE_AUDIT_ENABLED="maybe"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "JOINTCASE_AUDIT_ENABLED" in result.stderr
    assert "AUDIT" not in result.stdout


def test_a_number_that_is_not_a_number_stops_start_up_naming_the_variable():
    result = _settings(_test_env(JOINTCASE_SESSION_IDLE_SECONDS="15m"))
    assert result.returncode != 0
    assert "JOINTCASE_SESSION_IDLE_SECONDS" in result.stderr


@pytest.mark.parametrize("off", ["0", "false", "no", "off"])
def test_production_refuses_to_start_with_the_audit_off(tmp_path: Path, off: str):
    result = _settings(production_env(tmp_path, JOINTCASE_AUDIT_ENABLED=off))
    assert result.returncode != 0
    assert "refuses to start in production with the audit off" in result.stderr
    assert "AUDIT" not in result.stdout


def test_production_starts_with_the_audit_on(tmp_path: Path):
    result = _settings(production_env(tmp_path, JOINTCASE_AUDIT_ENABLED="true"))
    assert result.returncode == 0, result.stderr
    assert "AUDIT True False False" in result.stdout
