"""Whole-risk assessment and required checks.

Assessments are made from instruments kept as versioned data files (``risk/data/instruments``);
required checks (police domestic abuse call-out, children's and adult social care, MARAC,
MAPPA review...) are created by rules kept as a versioned data file (``risk/data/rules``).
Who may see and do what here is decided in ``jointcase.access`` like every other rule.
"""
