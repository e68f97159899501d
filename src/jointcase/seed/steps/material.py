"""Seed step: material on the seeded cases (never real content: short synthetic texts).

Mix: about 80% OFFICIAL or OFFICIAL-SENSITIVE, 15% SECRET, a few references to TOP
SECRET material held elsewhere, 10% originator controlled, about 30% with an approved
tearline. On the demo's persona cases, ctnm.officer authors SECRET police reports with
OFFICIAL-SENSITIVE tearlines approved by ct.supervisor (so pom.bpss, BPSS, sees only the
tearlines), plus a draft tearline awaiting approval.

Rows are written without model instances, one ``executemany`` (SQLite) or ``COPY``
(PostgreSQL) per table and batch (``jointcase.seed.bulk.Table``), so the stress
world's 1,000,000 items take minutes; each item's label summary columns (``has_caveats``,
``releasability_restricted``) are set with its row. Bodies are sealed for every item at demo
scale and for a sample at larger scales (``BODY_SAMPLE``), when a keyring exists
(``jointcase keys init``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from jointcase.access.material import system_high
from jointcase.agencies.models import Agency, Caveat
from jointcase.cases.models import CaseTeamMember
from jointcase.keyring import KeyringError, keyring_load
from jointcase.material.crypto import label_from, seal
from jointcase.material.models import DataKey, ItemKind, MaterialItem, TearlineStatus
from jointcase.material.services.retention import retention_default
from jointcase.seed.bulk import Table
from jointcase.seed.context import SeedContext

logger = logging.getLogger(__name__)
BATCH = 5000
#: Fraction of items with a sealed body above the demo scale.
BODY_SAMPLE = 0.01
TOPICS = (
    "travel planning",
    "online activity",
    "associates",
    "finances",
    "licence compliance",
    "prison association",
    "family contact",
    "employment",
    "extremist material",
    "address change",
)


@dataclass(frozen=True, slots=True)
class Seeded:
    """What later rows need of an item already written (its tearlines refer to it)."""

    id: uuid.UUID
    kind: str
    title: str
    author_id: int | None
    created_at: dt.datetime


def _keyring_available() -> bool:
    try:
        keyring_load()
    except KeyringError as error:
        logger.warning("material seeded without bodies: %s", error)
        return False
    return True


class MaterialSeeder:
    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.rng = context.rng
        self.now = timezone.now()
        self.can_seal = _keyring_available()
        self.demo = context.scale.name == "demo"
        self.caveats = {c.code: c.pk for c in Caveat.objects.all()}
        self.agency_codes = dict(Agency.objects.values_list("pk", "code"))
        today = context.today
        rows = CaseTeamMember.objects.filter(
            Q(end__isnull=True) | Q(end__gte=today), user__isnull=False, start__lte=today
        ).values_list("case_id", "user_id", "agency_id")
        self.members: dict[int, list[tuple[int, int]]] = {}
        for case_id, user_id, agency_id in rows.iterator(chunk_size=20_000):
            self.members.setdefault(case_id, []).append((user_id, agency_id))
        self.case_ids = sorted(self.members)
        self.keys: list[DataKey] = []
        self.item_rows = Table(MaterialItem)
        self.caveat_rows = Table(MaterialItem.caveats.through)
        self.releasable_rows = Table(MaterialItem.releasable_to.through)
        self.pending = 0
        self.made = 0

    # --- one item -------------------------------------------------------------------------

    def _body(
        self,
        item_id: uuid.UUID,
        classification: str,
        originator_id: int,
        orcon: bool,
        text: str,
        caveats: list[str],
        releasable: Sequence[int],
    ) -> tuple[DataKey | None, bytes | None]:
        if not self.can_seal:
            return None, None
        if not self.demo and self.rng.random() > BODY_SAMPLE:
            return None, None
        label = label_from(
            classification=classification,
            originator=self.agency_codes[originator_id],
            caveats=caveats,
            releasable_to=[self.agency_codes[a] for a in releasable],
            orcon=orcon,
        )
        sealed = seal(plaintext=text.encode("utf-8"), object_id=str(item_id), label=label)
        self.keys.append(sealed.data_key)
        return sealed.data_key, bytes(sealed.ciphertext)

    def add(
        self,
        *,
        case_id: int,
        author_id: int,
        originator_id: int,
        kind: str,
        title: str,
        classification: str,
        caveats: Sequence[str] = (),
        releasable: Sequence[int] = (),
        orcon: bool = False,
        parent: Seeded | None = None,
        status: str = "",
        approved_by: int | None = None,
        referenced: str = "",
        created_at: dt.datetime | None = None,
    ) -> Seeded:
        item_id = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        created_at = created_at or self.now - dt.timedelta(days=self.rng.randint(0, 700))
        review_date = self.context.today + dt.timedelta(days=self.rng.randint(30, 365))
        data_key, ciphertext = None, None
        if kind != ItemKind.REFERENCE:
            text = f"Synthetic {title.lower()}: nothing here describes a real person or event."
            data_key, ciphertext = self._body(
                item_id, classification, originator_id, orcon, text, list(caveats), releasable
            )
        self.item_rows(
            id=item_id,
            case_id=case_id,
            kind=kind,
            title=title,
            classification=classification,
            originator_id=originator_id,
            orcon=orcon,
            author_id=author_id,
            created_at=created_at,
            parent_id=parent.id if parent else None,
            tearline_status=status,
            approved_by_id=approved_by,
            approved_at=self.now if approved_by else None,
            referenced_classification=referenced,
            held_by="Security partner (synthetic)" if referenced else "",
            review_date=review_date,
            # Kept for the standard period from the day it was added (as the service does).
            retain_until=retention_default(timezone.localdate(created_at)),
            data_key_id=data_key.pk if data_key else None,
            body_ciphertext=ciphertext,
            # The label summary, equal to the sets written just below.
            has_caveats=bool(caveats),
            releasability_restricted=bool(releasable),
        )
        for code in caveats:
            self.caveat_rows(materialitem_id=item_id, caveat_id=self.caveats[code])
        for agency_id in releasable:
            self.releasable_rows(materialitem_id=item_id, agency_id=agency_id)
        self.made += 1
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()
        return Seeded(item_id, kind, title, author_id, created_at)

    def flush(self) -> None:
        DataKey.objects.bulk_create(self.keys, batch_size=BATCH)
        self.keys = []
        # Parents come before their tearlines in the rows (a tearline is added after its
        # parent), so the self-reference holds row by row.
        with connection.cursor() as cursor:
            for table in (self.item_rows, self.caveat_rows, self.releasable_rows):
                table.flush(cursor)
        self.pending = 0

    # --- the mix --------------------------------------------------------------------------

    def random_item(self) -> None:
        rng = self.rng
        case_id = rng.choice(self.case_ids)
        author_id, originator_id = rng.choice(self.members[case_id])
        roll = rng.random()
        topic = rng.choice(TOPICS)
        orcon = rng.random() < 0.10
        releasable: list[int] = []
        if rng.random() < 0.10:
            releasable = sorted({originator_id, *(a for _u, a in self.members[case_id][:2])})
        if roll < 0.005:  # a reference to TOP SECRET material held elsewhere
            self.add(
                case_id=case_id,
                author_id=author_id,
                originator_id=originator_id,
                kind=ItemKind.REFERENCE,
                title=f"Reference: partner reporting on {topic}",
                classification=system_high(),
                referenced="TOP SECRET",
            )
            return
        if roll < 0.155:
            caveats = ["UK EYES ONLY"] if rng.random() < 0.5 else []
            parent = self.add(
                case_id=case_id,
                author_id=author_id,
                originator_id=originator_id,
                kind=ItemKind.INTELLIGENCE_REPORT,
                title=f"Intelligence report: {topic}",
                classification="SECRET",
                caveats=caveats,
                releasable=releasable,
                orcon=orcon,
            )
            self.tearline(parent, "OFFICIAL-SENSITIVE", originator_id, case_id)
            return
        sensitive = roll < 0.55
        kind = rng.choice([ItemKind.NOTE, ItemKind.NOTE, ItemKind.INTELLIGENCE_REPORT])
        parent = self.add(
            case_id=case_id,
            author_id=author_id,
            originator_id=originator_id,
            kind=kind,
            title=f"{'Report' if kind == ItemKind.INTELLIGENCE_REPORT else 'Note'}: {topic}",
            classification="OFFICIAL-SENSITIVE" if sensitive else "OFFICIAL",
            releasable=releasable,
            orcon=orcon,
        )
        if sensitive and rng.random() < 0.4:
            self.tearline(parent, "OFFICIAL", originator_id, case_id)

    def tearline(self, parent: Seeded, level: str, originator_id: int, case_id: int) -> None:
        colleagues = [
            u for u, a in self.members[case_id] if a == originator_id and u != parent.author_id
        ]
        self.add(
            case_id=case_id,
            author_id=parent.author_id or 0,
            originator_id=originator_id,
            kind=parent.kind,
            title=f"Tearline: {parent.title.split(': ', 1)[-1]}",
            classification=level,
            parent=parent,
            status=TearlineStatus.APPROVED,
            approved_by=colleagues[0] if colleagues else None,
            created_at=parent.created_at + dt.timedelta(hours=2),
        )

    def persona_items(self) -> int:
        personas = self.context.registry.get("personas", {})
        officer, supervisor = personas.get("ctnm.officer"), personas.get("ct.supervisor")
        if officer is None or supervisor is None:
            return 0
        cases = [
            c for c, members in self.members.items() if any(u == officer.pk for u, _a in members)
        ]
        made = 0
        for number, case_id in enumerate(sorted(cases)):
            for topic in ("travel planning", "associates")[: 1 + number % 2]:
                parent = self.add(
                    case_id=case_id,
                    author_id=officer.pk,
                    originator_id=officer.agency_id,
                    kind=ItemKind.INTELLIGENCE_REPORT,
                    title=f"Police report: {topic}",
                    classification="SECRET",
                    caveats=["UK EYES ONLY"],
                    orcon=number == 0,
                )
                self.add(
                    case_id=case_id,
                    author_id=officer.pk,
                    originator_id=officer.agency_id,
                    kind=ItemKind.INTELLIGENCE_REPORT,
                    title=f"Tearline: {topic}",
                    classification="OFFICIAL-SENSITIVE",
                    parent=parent,
                    status=TearlineStatus.APPROVED,
                    approved_by=supervisor.pk,
                    created_at=parent.created_at + dt.timedelta(hours=1),
                )
                made += 2
            if number == 0:
                parent = self.add(
                    case_id=case_id,
                    author_id=officer.pk,
                    originator_id=officer.agency_id,
                    kind=ItemKind.INTELLIGENCE_REPORT,
                    title="Police report: vehicle sighting",
                    classification="SECRET",
                    caveats=["UK EYES ONLY"],
                )
                self.add(
                    case_id=case_id,
                    author_id=officer.pk,
                    originator_id=officer.agency_id,
                    kind=ItemKind.INTELLIGENCE_REPORT,
                    title="Tearline: vehicle sighting",
                    classification="OFFICIAL-SENSITIVE",
                    parent=parent,
                    status=TearlineStatus.DRAFT,
                )
                made += 2
        return made

    def run(self) -> None:
        if not self.case_ids:
            return
        target = self.context.scale.material_items
        self.persona_items()
        progress = self.context.progress(range(target), total=target, desc="material")
        for _ in progress:
            if self.made >= target:
                break
            self.random_item()
        self.flush()
        if connection.vendor == "postgresql":  # the join tables' ids were allocated here
            statements = connection.ops.sequence_reset_sql(
                no_style(), [MaterialItem.caveats.through, MaterialItem.releasable_to.through]
            )
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def seed_material(context: SeedContext) -> None:
    """Material items on the seeded cases."""
    MaterialSeeder(context).run()
