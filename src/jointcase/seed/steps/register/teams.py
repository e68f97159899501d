"""The case team: NSD practitioners, police (the demo personas where the demo needs them)
and each placement's prison staff.
"""

from __future__ import annotations

import datetime as dt

from jointcase.accounts.models import Role
from jointcase.agencies.models import Agency
from jointcase.cases.models import CaseExclusion, CaseRole, CaseTeamMember, TimelineKind
from jointcase.seed.steps.register.seeder import Batch, NewCase, RegisterSeeder
from jointcase.seed.steps.register.vocabulary import PERSONA_CTNM_CASES, at, days


def member_add(
    seeder: RegisterSeeder,
    batch: Batch,
    case: int,
    role: str,
    agency: Agency,
    start: dt.date,
    end: dt.date | None = None,
    user_id: int | None = None,
    team_id: int | None = None,
    label: str = "",
) -> None:
    if user_id is None and team_id is None:
        return
    if end is not None and end < start:
        end = start
    batch.later_rows.append(
        seeder.add(CaseTeamMember)(
            case_id=case,
            user_id=user_id,
            team_id=team_id,
            role=role,
            agency=agency,
            start=start,
            end=end,
            created_at=at(min(start, seeder.today)),
        )
    )
    seeder.timeline(
        batch,
        case,
        start,
        TimelineKind.TEAM,
        f"{label or CaseRole(role).label} joined the case team",
        agency,
    )


def case_team(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """The case team: NSD, then police, then prison staff (each placement's POM)."""
    plan, today = new.plan, seeder.today
    team_end = None
    if new.closed_at is not None:
        team_end = new.closed_at
    elif new.handover is not None:
        team_end = min(today - days(1), plan.licence_end + days(30))
    team_end = None if team_end is None or plan.persona_case else max(team_end, new.opened)
    nsd_members(seeder, batch, new, team_end)
    if plan.persona_case and plan.index in PERSONA_CTNM_CASES:
        persona_police_members(seeder, batch, new)
    elif plan.index in (20, 21, 22):
        ctu_nw = seeder.agencies["ctu-north-west"]
        member_add(
            seeder,
            batch,
            new.case,
            CaseRole.CTNM_OFFICER,
            ctu_nw,
            new.opened,
            None,
            user_id=seeder.personas["officer.notoncase"].pk,
        )
    else:
        police_members(seeder, batch, new)
    for prison, start, end in new.prisons_used:
        prison_members(seeder, batch, new, prison, start, end)


def nsd_members(
    seeder: RegisterSeeder, batch: Batch, new: NewCase, team_end: dt.date | None
) -> None:
    rng = seeder.rng
    case, lead_agency, opened = new.case, new.lead_agency, new.opened
    member_add(
        seeder,
        batch,
        case,
        CaseRole.LEAD_NSD_PRACTITIONER,
        lead_agency,
        opened,
        team_end,
        user_id=new.lead_user,
    )
    if rng.random() < 0.25:
        member_add(
            seeder,
            batch,
            case,
            CaseRole.CO_WORKING_PRACTITIONER,
            lead_agency,
            opened,
            team_end,
            user_id=seeder.pick_staff(lead_agency, Role.NSD_PRACTITIONER),
        )
    senior: int | None
    if new.plan.persona_case and new.plan.index < 5:
        senior = seeder.personas["nsd.lead"].pk
    elif rng.random() < 0.3:
        senior = seeder.pick_staff(lead_agency, Role.NSD_SENIOR_LEAD)
    else:
        return
    member_add(
        seeder,
        batch,
        case,
        CaseRole.SENIOR_OPERATIONAL_LEAD,
        lead_agency,
        opened,
        team_end,
        user_id=senior,
    )


def persona_police_members(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """The demo personas' CTNM North East cases: the officer, the supervisor, and on two of
    them the whole team with excluded.officer (a member of that team) excluded: the
    exclusion beats the team route."""
    case, opened, index = new.case, new.opened, new.plan.index
    ctu_ne = seeder.agencies["ctu-north-east"]
    member_add(
        seeder,
        batch,
        case,
        CaseRole.CTNM_OFFICER,
        ctu_ne,
        opened,
        None,
        user_id=seeder.personas["ctnm.officer"].pk,
    )
    if index < 3:
        member_add(
            seeder,
            batch,
            case,
            CaseRole.CT_SUPERVISOR,
            ctu_ne,
            opened,
            None,
            user_id=seeder.personas["ct.supervisor"].pk,
        )
    if index not in (0, 3):
        return
    member_add(
        seeder,
        batch,
        case,
        CaseRole.CTNM_OFFICER,
        ctu_ne,
        opened,
        None,
        team_id=seeder.persona_teams["ctnm.officer"],
        label="CTNM North East team",
    )
    batch.later_rows.append(
        seeder.add(CaseExclusion)(
            case_id=case,
            user_id=seeder.personas["excluded.officer"].pk,
            reason="Conflict of interest: a relative of the officer is a witness (synthetic).",
            created_by_id=new.lead_user,
            created_at=at(opened),
        )
    )
    seeder.timeline(
        batch,
        case,
        opened,
        TimelineKind.ACCESS,
        "A user was excluded from the case",
        new.lead_agency,
    )


def police_members(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """A CTNM officer (or a CTNM team) of a regional CT unit, sometimes a supervisor."""
    rng, pools = seeder.rng, seeder.pools
    case, opened = new.case, new.opened
    ctu = rng.choice(pools.ctus)
    if rng.random() < 0.15 and pools.teams.get(ctu.pk):
        member_add(
            seeder,
            batch,
            case,
            CaseRole.CTNM_OFFICER,
            ctu,
            opened,
            None,
            team_id=pools.teams[ctu.pk][0],
            label=f"{ctu.name} CTNM team",
        )
    else:
        member_add(
            seeder,
            batch,
            case,
            CaseRole.CTNM_OFFICER,
            ctu,
            opened,
            None,
            user_id=seeder.pick_staff(ctu, Role.CTNM_OFFICER),
        )
    if rng.random() < 0.3:
        member_add(
            seeder,
            batch,
            case,
            CaseRole.CT_SUPERVISOR,
            ctu,
            opened,
            None,
            user_id=seeder.pick_staff(ctu, Role.CT_SUPERVISOR),
        )


def prison_members(
    seeder, batch: Batch, new: NewCase, prison: Agency, start: dt.date, end: dt.date | None
) -> None:
    """One POM per placement (the earlier ones ended); a CT lead for the current one."""
    case, current = new.case, end is None
    pom: int | None
    ct_lead: int | None
    if new.plan.persona_case and current and prison.pk == seeder.frankland.pk:
        pom, ct_lead = seeder.personas["pom.bpss"].pk, seeder.personas["prison.ctlead"].pk
    else:
        pom = seeder.pick_staff(prison, Role.POM)
        ct_lead = None
    member_add(seeder, batch, case, CaseRole.POM, prison, start, end, user_id=pom)
    if ct_lead is None:
        if not (current and seeder.rng.random() < 0.6):
            return
        ct_lead = seeder.pick_staff(prison, Role.PRISON_CT_LEAD)
    member_add(seeder, batch, case, CaseRole.PRISON_CT_LEAD, prison, start, None, user_id=ct_lead)
