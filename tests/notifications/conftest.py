"""The material world (a real keyring and the register's case) and the meetings' case team,
for the notices' tests."""

from __future__ import annotations

from tests.material.conftest import keyring, material_world  # noqa: F401 - fixtures
from tests.meetings.conftest import team_world  # noqa: F401 - fixture
