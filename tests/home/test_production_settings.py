"""Production mode refuses to start half-configured, passes Django's deployment checks when
configured, and `jointcase serve` / `jointcase worker` start (docs/operations.md)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.production_env import production_env

REQUIRED = ("JOINTCASE_SECRET_KEY", "JOINTCASE_ALLOWED_HOSTS", "JOINTCASE_KEYRING")


def _jointcase() -> list[str]:
    script = Path(sys.executable).with_name("jointcase")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jointcase.cli"]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without_each_required_setting(tmp_path, missing):
    env = production_env(tmp_path)
    del env[missing]
    result = _run([*_jointcase(), "check"], env)
    assert result.returncode != 0
    assert "refuses to start in production without" in result.stderr
    assert missing in result.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = _run(
        [*_jointcase(), "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_short_secret_key_fails_the_deployment_checks(tmp_path):
    env = production_env(tmp_path, JOINTCASE_SECRET_KEY="too-short")
    result = _run([*_jointcase(), "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_production_turns_on_hsts_secure_cookies_and_https(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="jointcase.settings")
    result = _run([sys.executable, "-c", script], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, headers: dict[str, str]) -> tuple[int, str, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - local test server
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode(), response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        return error.code, "", error.headers.get("Location", "")


@pytest.fixture
def served(tmp_path) -> Iterator[str]:
    """`jointcase serve` (gunicorn, one worker) on a free port; stopped afterwards."""
    port = _free_port()
    env = production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        JOINTCASE_BIND=f"127.0.0.1:{port}",
        JOINTCASE_WORKERS="1",
    )
    process = subprocess.Popen(
        [*_jointcase(), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_runs_gunicorn_that_answers_health_and_redirects_plain_http(served):
    status, body, _ = _get(f"{served}/health/", {"X-Forwarded-Proto": "https"})
    assert (status, body) == (200, '{"status": "ok"}')
    # The load balancer's probe may use plain HTTP.
    status, body, _ = _get(f"{served}/health/", {})
    assert (status, body) == (200, '{"status": "ok"}')
    # Behind the TLS proxy a plain-HTTP request is sent to HTTPS, and HSTS is set on HTTPS.
    status, _, location = _get(f"{served}/sign-in/", {"Host": "jointcase.example"})
    assert status == 301
    assert location == "https://jointcase.example/sign-in/"


def test_worker_runs_the_django_tasks_database_worker():
    result = _run([*_jointcase(), "worker", "--help"], {**os.environ, "JOINTCASE_ENV": "test"})
    assert result.returncode == 0, result.stderr
    assert "db_worker" in result.stdout
    assert "--queue-name" in result.stdout
