"""Seed steps contributed by later domains (people and cases, material, meetings, risk...).

Each entry is ``(label, function(context))``; order is dependency order. A domain's step lives
in ``seed/steps/`` (no domain app imports the seed tooling) and is appended here.
"""

from __future__ import annotations

from jointcase.seed.context import Step
from jointcase.seed.steps.exchange import seed_imports
from jointcase.seed.steps.material import seed_material
from jointcase.seed.steps.meetings import seed_meetings
from jointcase.seed.steps.register.build import seed_register
from jointcase.seed.steps.risk_assessments import seed_assessments
from jointcase.seed.steps.risk_checks import seed_checks
from jointcase.seed.steps.supervision import seed_contacts, seed_standings
from jointcase.seed.steps.timeline import seed_timeline
from jointcase.seed.steps.training import seed_training
from jointcase.seed.steps.workforce import seed_workforce

STEPS: list[tuple[str, Step]] = [
    ("people and cases", seed_register),
    ("material", seed_material),
    ("meetings and actions", seed_meetings),
    ("case timelines", seed_timeline),
    ("risk assessments", seed_assessments),
    ("required checks", seed_checks),
    ("supervision contacts", seed_contacts),
    ("prison training", seed_training),
    ("caseloads and allocation", seed_workforce),
    ("partner imports", seed_imports),
    ("contact standings", seed_standings),
]
