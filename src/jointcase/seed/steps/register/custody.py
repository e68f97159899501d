"""Custody: placements from sentence to release, and the recall back to prison."""

from __future__ import annotations

from jointcase.cases.models import (
    CustodyPlacement,
    Phase,
    Recall,
    RecallType,
    SecurityCategory,
    TimelineKind,
)
from jointcase.seed.steps.register.seeder import Batch, NewCase, RegisterSeeder
from jointcase.seed.steps.register.vocabulary import RECALL_REASONS, days


def add_custody(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    """Custody placements from sentence to release, and the recall placement if any."""
    add_placements(seeder, batch, new)
    rng, today, plan = seeder.rng, seeder.today, new.plan
    if plan.target != Phase.RECALLED:
        return
    released = plan.released
    recall_day = (
        released + days(rng.randint(14, max(15, (today - released).days - 1))) if released else None
    )
    recall_day = min(recall_day or today, today)
    prison = seeder.frankland if plan.persona_case else rng.choice(seeder.pools.prisons)
    batch.case_rows.append(
        seeder.add(CustodyPlacement)(
            case_id=new.case,
            establishment_id=prison.pk,
            security_category=SecurityCategory.B,
            in_separation_centre=False,
            valid_from=recall_day,
        )
    )
    new.prisons_used.append((prison, recall_day, None))
    new.recall_day = recall_day


def add_placements(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    rng, today, plan = seeder.rng, seeder.today, new.plan
    target = plan.target
    place_start = plan.sentence_date
    place_end_final = (
        None if target in (Phase.CUSTODY, Phase.PRE_RELEASE) else plan.release - days(1)
    )
    moves = rng.randint(1, 3)
    for number in range(moves):
        frankland = (
            plan.persona_case
            and number == moves - 1
            and target in (Phase.CUSTODY, Phase.PRE_RELEASE, Phase.RECALLED)
        )
        prison = seeder.frankland if frankland else rng.choice(seeder.pools.prisons)
        is_last = number == moves - 1
        end = (
            place_end_final
            if is_last
            else min(
                place_start + days(rng.randint(60, 600)),
                (place_end_final or today) - days(max(1, moves - number)),
            )
        )
        if end is not None and end < place_start:
            end = place_start
        separation = prison.holds_separation_centre and rng.random() < 0.5
        batch.case_rows.append(
            seeder.add(CustodyPlacement)(
                case_id=new.case,
                establishment_id=prison.pk,
                in_separation_centre=separation,
                security_category=rng.choice(
                    [
                        SecurityCategory.A,
                        SecurityCategory.B,
                        SecurityCategory.B,
                        SecurityCategory.C,
                    ]
                ),
                valid_from=place_start,
                valid_to=end,
            )
        )
        seeder.timeline(
            batch,
            new.case,
            place_start,
            TimelineKind.CUSTODY,
            f"Placed at {prison.name}" + (" (separation centre)" if separation else ""),
            prison,
        )
        new.prisons_used.append((prison, place_start, end))
        if end is None or is_last:
            break
        place_start = end + days(1)


def add_recall(seeder: RegisterSeeder, batch: Batch, new: NewCase) -> None:
    recall_day = new.recall_day
    assert recall_day is not None
    batch.later_rows.append(
        seeder.add(Recall)(
            case_id=new.case,
            recalled_on=recall_day,
            type=RecallType.STANDARD,
            reason=seeder.rng.choice(RECALL_REASONS),
            returned_to_custody_on=recall_day,
        )
    )
    seeder.timeline(
        batch, new.case, recall_day, TimelineKind.RECALL, "Standard recall", new.lead_agency
    )
