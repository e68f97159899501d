"""The agency administrator's new-user form, filled in as a browser would send it."""

from __future__ import annotations

from jointcase.accounts.models import Role
from tests.agencies.helpers import date_fields, in_days


def new_user_data(**overrides: object) -> dict[str, object]:
    """A valid new NSD practitioner (SC, vetting expiring in 700 days); ``overrides`` replace
    or add fields."""
    data: dict[str, object] = {
        "first_name": "Imogen",
        "last_name": "Fairweather",
        "username": "imogen.fairweather",
        "email": "imogen.fairweather@jointcase.example",
        "job_title": "Probation officer",
        "roles": [Role.NSD_PRACTITIONER],
        "level": "SC",
        **date_fields("expires_on", in_days(700)),
    }
    data.update(overrides)
    return data
