"""A complete production environment for a subprocess, with the test run's own settings removed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The variables production needs to start (a fresh keyring directory under ``tmp_path``),
    with ``overrides`` applied last."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JOINTCASE_", "DJANGO_")) and key != "DATABASE_URL"
    }
    keyring = tmp_path / "keyring"
    keyring.mkdir(mode=0o700, exist_ok=True)
    env.update(
        {
            "JOINTCASE_ENV": "production",
            "JOINTCASE_SECRET_KEY": secrets.token_urlsafe(64),
            "JOINTCASE_ALLOWED_HOSTS": "jointcase.example,127.0.0.1",
            "JOINTCASE_KEYRING": str(keyring),
            "JOINTCASE_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": "postgres://jointcase@127.0.0.1:5432/jointcase",
        }
    )
    env.update(overrides)
    return env
