"""The demo sign-ins: one fixed username per persona of docs/style.md, same password for all.

These exist only in seeded (synthetic) worlds. ``jointcase demo-users`` lists them and
``jointcase demo-otp USERNAME`` prints a current code (demo mode only). They live with
accounts' demo commands; the seeder (``jointcase.seed.steps_users``) reads them from here, since
a domain app never imports the seed tooling.
"""

from __future__ import annotations

from dataclasses import dataclass

from jointcase.accounts.models import Role
from jointcase.agencies.models import VettingLevel

DEMO_PASSWORD = "JointCase-demo-2026"  # noqa: S105 - the published demo password


@dataclass(frozen=True)
class Persona:
    username: str
    agency_code: str
    team_kind: str
    roles: tuple[str, ...]
    vetting: str
    caveats: tuple[str, ...] = ()
    job_title: str = ""
    staff: bool = False


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "nsd.practitioner",
        "nsd-north",
        "nsd",
        (Role.NSD_PRACTITIONER,),
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "Probation practitioner",
    ),
    Persona(
        "nsd.lead",
        "nsd-north",
        "nsd",
        (Role.NSD_SENIOR_LEAD,),
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "Senior operational lead",
    ),
    Persona(
        "ctnm.officer",
        "ctu-north-east",
        "ctnm",
        (Role.CTNM_OFFICER,),
        VettingLevel.SC,
        ("UK EYES ONLY", "NIGHTJAR"),
        "Detective constable, CTNM",
    ),
    Persona(
        "ct.supervisor",
        "ctu-north-east",
        "ctnm",
        (Role.CT_SUPERVISOR,),
        VettingLevel.SC,
        ("UK EYES ONLY", "NIGHTJAR"),
        "Detective sergeant, CT supervisor",
    ),
    Persona(
        "pom.bpss",
        "hmp-frankland",
        "pom",
        (Role.POM,),
        VettingLevel.BPSS,
        (),
        "Prison offender manager",
    ),
    Persona(
        "prison.ctlead",
        "hmp-frankland",
        "prison-ct",
        (Role.PRISON_CT_LEAD,),
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "Prison CT lead",
    ),
    Persona(
        "officer.notoncase",
        "ctu-north-west",
        "ctnm",
        (Role.CTNM_OFFICER,),
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "Detective constable, CTNM",
    ),
    Persona(
        "excluded.officer",
        "ctu-north-east",
        "ctnm",
        (Role.CTNM_OFFICER,),
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "Detective constable, CTNM",
    ),
    Persona(
        "partner.liaison",
        "partner",
        "partner",
        (Role.PARTNER_LIAISON,),
        VettingLevel.DV,
        ("UK EYES ONLY", "PERSONAL", "NIGHTJAR", "KESTREL"),
        "Partner liaison officer",
    ),
    Persona(
        "national.lead",
        "national",
        "national",
        (Role.NATIONAL_GOVERNANCE,),
        VettingLevel.SC,
        (),
        "National governance lead",
    ),
    Persona("auditor", "national", "audit", (Role.AUDITOR,), VettingLevel.SC, (), "Auditor"),
    Persona(
        "agency.admin",
        "nsd-north",
        "nsd",
        (Role.AGENCY_ADMIN, Role.NSD_SENIOR_LEAD),
        VettingLevel.SC,
        ("UK EYES ONLY",),
        "NSD North business manager",
    ),
    Persona(
        "sysadmin",
        "platform",
        "",
        (Role.SYSTEM_ADMIN,),
        VettingLevel.SC,
        (),
        "System administrator",
        staff=True,
    ),
)
