"""Meetings and actions API: meetings (with minutes at the caller's clearance), attendance and
agreed actions, under the pages' rules, one module per use case on one router (``_common``):
``actions``, ``meetings``, ``minutes`` (sections and decisions), ``plan``. Unknown fields are
refused (no mass assignment); a forbidden object is a 404 like a missing one, a refusal of
something the caller may see a 403; bad input is a 400 keyed by field."""

from __future__ import annotations

# Importing each module registers its operations on the router, in this order (the paths of
# ``actions`` are matched before any other).
from jointcase.meetings.api import actions, meetings, minutes, plan
from jointcase.meetings.api._common import router

__all__ = ["actions", "meetings", "minutes", "plan", "router"]
