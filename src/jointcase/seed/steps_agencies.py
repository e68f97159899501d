"""Agencies shaped like the real ones, their teams, and the caveat vocabulary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jointcase.agencies.models import Agency, AgencyKind, Caveat, Team

if TYPE_CHECKING:
    from jointcase.seed.context import SeedContext

NSD_DIVISIONS = ["North", "Central and Wales", "London and South"]
CT_UNITS = [
    "North East",
    "North West",
    "West Midlands",
    "East Midlands",
    "Eastern",
    "South East",
    "South West",
    "Wales",
    "London",
]
PRISONS = [
    "Frankland",
    "Full Sutton",
    "Woodhill",
    "Belmarsh",
    "Long Lartin",
    "Whitemoor",
    "Wakefield",
    "Manchester",
    "Garth",
    "Altcourse",
    "Birmingham",
    "Bristol",
    "Durham",
    "Hewell",
    "Isle of Wight",
    "Liverpool",
    "Nottingham",
    "Pentonville",
    "Swansea",
    "Wandsworth",
]
SEPARATION_CENTRES = {"Frankland"}
PROBATION_REGIONS = [
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "Wales",
    "West Midlands",
    "East Midlands",
    "East of England",
    "London",
    "Kent, Surrey and Sussex",
    "South West",
    "South Central",
    "Greater Manchester",
]
CAVEATS = [
    ("UK EYES ONLY", "UK eyes only", "Releasable to UK nationals only."),
    ("PERSONAL", "Personal", "For the named recipients only."),
    ("NIGHTJAR", "Compartment NIGHTJAR", "A synthetic compartment for demonstration."),
    ("KESTREL", "Compartment KESTREL", "A synthetic compartment for demonstration."),
]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")


def seed_agencies(context: SeedContext) -> None:
    agencies: dict[str, Agency] = {}
    teams: dict[str, list[Team]] = {}

    def add(
        code: str, name: str, kind: str, parent: Agency | None = None, **extra: object
    ) -> Agency:
        agency = Agency.objects.create(code=code, name=name, kind=kind, parent=parent, **extra)
        agencies[code] = agency
        return agency

    def add_team(agency: Agency, name: str, kind: str) -> None:
        team = Team.objects.create(agency=agency, name=name)
        teams.setdefault(kind, []).append(team)
        context.registry.setdefault("team_kind", {})[team.pk] = kind

    add("platform", "JointCase platform operations", AgencyKind.PLATFORM)
    national = add("national", "National multi-agency governance", AgencyKind.NATIONAL)
    add_team(national, "Governance", "national")
    add_team(national, "Audit", "audit")
    add_team(national, "Inspection", "inspection")

    nsd = add("nsd", "National Security Division", AgencyKind.PROBATION)
    for division in NSD_DIVISIONS:
        agency = add(f"nsd-{_slug(division)}", f"NSD {division}", AgencyKind.PROBATION, nsd)
        for number in (1, 2):
            add_team(agency, f"NSD {division} team {number}", "nsd")

    ctp = add("ctp-hq", "Counter Terrorism Policing Headquarters", AgencyKind.POLICE)
    add_team(ctp, "National CTNM oversight", "ctp-hq")
    for unit in CT_UNITS:
        agency = add(f"ctu-{_slug(unit)}", f"CT Policing {unit}", AgencyKind.POLICE, ctp)
        add_team(agency, f"CTNM {unit}", "ctnm")

    hmpps = add("hmpps-ct", "HMPPS Prison Counter Terrorism Unit", AgencyKind.PRISON)
    add_team(hmpps, "Regional CT coordinators", "prison-ctc")
    for prison in PRISONS:
        agency = add(
            f"hmp-{_slug(prison)}",
            f"HMP {prison}",
            AgencyKind.PRISON,
            hmpps,
            holds_separation_centre=prison in SEPARATION_CENTRES,
        )
        add_team(agency, f"HMP {prison} offender management unit", "pom")
        add_team(agency, f"HMP {prison} security and CT", "prison-ct")

    for region in PROBATION_REGIONS:
        agency = add(f"probation-{_slug(region)}", f"Probation {region}", AgencyKind.PROBATION)
        add_team(agency, f"{region} public protection team", "probation")

    partner = add("partner", "Security partner (synthetic)", AgencyKind.PARTNER)
    add_team(partner, "Partner liaison", "partner")

    for code, name, description in CAVEATS:
        Caveat.objects.create(code=code, name=name, description=description)

    context.registry["agencies"] = agencies
    context.registry["teams"] = teams
