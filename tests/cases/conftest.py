from __future__ import annotations

from tests.register_fixtures import CaseWorld, case_world

__all__ = ["CaseWorld", "case_world"]
