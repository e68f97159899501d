"""The cost of the foundation on every page: the signed-in home page against a minimal view.

Both run through the whole middleware stack (sessions, authentication, second factor, session
policy, CSP and security headers) with the same verified session, in-process with Django's
test client, interleaved request by request so that both see the same machine state. The
minimal view returns a short plain-text response and exists only in this benchmark's URLConf
(the real URLs plus ``/bench/minimal/``), installed with ``override_settings``.

Target: the home page's p50 at most 2 times the minimal view's.
"""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Callable
from typing import Any

from benchmarks.common import percentile

REQUESTS = 500
WARM_UP = 20
TARGET_RATIO = 2.0
_URLCONF = "benchmarks._foundation_urls"


def _install_urlconf() -> None:
    from django.http import HttpRequest, HttpResponse
    from django.urls import path

    from jointcase import urls

    def minimal(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok", content_type="text/plain")

    module = types.ModuleType(_URLCONF)
    module.urlpatterns = [path("bench/minimal/", minimal), *urls.urlpatterns]  # type: ignore[attr-defined]
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, handler, getattr(urls, handler))
    sys.modules[_URLCONF] = module


def _signed_in_client() -> Any:
    from django.test import Client
    from tests.conftest import verified_session
    from tests.factories import AgencyFactory, UserFactory

    from jointcase.accounts.models import Role
    from jointcase.agencies.models import AgencyKind, VettingLevel

    agency = AgencyFactory(code="bench-nsd", name="Bench NSD", kind=AgencyKind.PROBATION)
    user = UserFactory(
        username="bench.practitioner",
        agency=agency,
        roles=[Role.NSD_PRACTITIONER],
        vetting=VettingLevel.SC,
    )
    return verified_session(Client(), user)


def run(report: Callable[..., Any]) -> None:
    from django.db import connection
    from django.test.utils import override_settings

    _install_urlconf()
    database = connection.vendor
    with override_settings(ROOT_URLCONF=_URLCONF):
        client = _signed_in_client()
        for _ in range(WARM_UP):
            assert client.get("/").status_code == 200
            assert client.get("/bench/minimal/").status_code == 200
        home: list[float] = []
        minimal: list[float] = []
        for _ in range(REQUESTS):
            for url, samples in (("/", home), ("/bench/minimal/", minimal)):
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")

    figures = {
        name: (percentile(samples, 50), percentile(samples, 95))
        for name, samples in (("home", home), ("minimal", minimal))
    }
    prefix = f"foundation [{database}]"
    for label, index in (("p50", 0), ("p95", 1)):
        report(f"{prefix} minimal view {label}", round(figures["minimal"][index], 2), "ms")
        report(
            f"{prefix} home page {label}",
            round(figures["home"][index], 2),
            "ms",
            baseline=round(figures["minimal"][index], 2),
        )
    report(
        f"{prefix} home / minimal, p50",
        round(figures["home"][0] / figures["minimal"][0], 2),
        "ratio",
        target=f"<= {TARGET_RATIO:g}",
    )
    report(
        f"{prefix} home / minimal, p95",
        round(figures["home"][1] / figures["minimal"][1], 2),
        "ratio",
        target=f"<= {TARGET_RATIO:g}",
    )
