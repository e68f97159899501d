from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "demo-otp works only in demo mode (JOINTCASE_ENV=demo, as `make demo` sets)."
            )
        device = (
            TOTPDevice.objects.filter(user__username=options["username"], confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(f"No authenticator app is registered for {options['username']!r}.")
        code = totp(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
        )
        self.stdout.write(f"{code:0{device.digits}d}")
