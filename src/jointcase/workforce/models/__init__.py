"""Workforce models: capacity and allocation (``caseload``), prison training (``training``)."""
