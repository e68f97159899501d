"""The workforce suite's fixtures: caseloads and allocation (``caseload_fixtures``) and prison
training and POM involvement (``training_fixtures``)."""

from tests.workforce.caseload_fixtures import caseload_world  # noqa: F401 - fixture
from tests.workforce.training_fixtures import (  # noqa: F401 - fixtures
    training_keyring,
    training_world,
)
