"""Linking imported records to the register: the linkage stage of an import (docs/exchange.md
"Linking imported records").

After a batch's rows are applied, its new and changed source records (``resolution``
"awaiting linkage") are matched against the register in one Splink run (``link_predict``)
and classified (``link_classify``): a sure match links to the person, a possible one goes to
review with its candidates, no match becomes a new register person.

Within a batch, the records that would become new people are then matched with each other
(one more Splink run, the same model): records surely the same person (at or above the upper
threshold, not possible twins) become one new person, created from the first of them, and the
others link to it automatically. A pair between the thresholds is left as two people (no
candidate exists yet to review against): a reviewer can still unlink and link them later.

Reviewers' decisions stand over every run (``ReviewDecision``): a record a reviewer linked
stays linked to that person, and a pair kept apart or unlinked is never a candidate again.

Resumable: results are written in chunks, each in one transaction; the records still
"awaiting linkage" are the work left, and a new run matches them against the register as it
then is (with the people earlier chunks created), so no person is created twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from jointcase.accounts.models import User
from jointcase.audit.services import audit_record
from jointcase.exchange.linkage.engines import LinkageEngine, engine_get
from jointcase.exchange.linkage.model import (
    Candidate,
    Decision,
    LinkageModel,
    link_classify,
    link_predict,
    model_load,
)
from jointcase.exchange.linkage.register import register_frame
from jointcase.exchange.linkage.synthetic import REGISTER_FIELDS
from jointcase.exchange.models import (
    BatchLinkage,
    ImportBatch,
    LinkCandidate,
    LinkMethod,
    RecordLinkage,
    Resolution,
    ReviewAction,
    ReviewDecision,
    SourceRecord,
)
from jointcase.lib.bulk import rows_insert, rows_update
from jointcase.people.models import Person
from jointcase.people.services import people_create_from_records

#: Records written per transaction (and progress step) of the linkage stage.
WRITE_CHUNK = 2000

#: Records of one batch compared with each other only when they agree on one of these: a sure
#: match (the upper threshold) shares the date of birth, the surname and year of birth, or an
#: identifier. Fewer pairs than the register's rules, so that a batch of many people of the
#: same name stays cheap.
WITHIN_BATCH_BLOCKING = (
    "l.date_of_birth = r.date_of_birth",
    "l.surname = r.surname and l.birth_year = r.birth_year",
    "l.pnc_id = r.pnc_id",
    "l.crn = r.crn",
    "l.prison_number = r.prison_number",
)

_FRAME_FIELDS = [name for name in REGISTER_FIELDS if name != "person_id"]

Progress = Callable[[BatchLinkage], None]


def record_fields(record: SourceRecord) -> dict[str, str]:
    """A source record in the import format (what a new person is created from)."""
    return _fields_text([getattr(record, name) for name in _FRAME_FIELDS])


def _fields_text(values: Iterable[Any]) -> dict[str, str]:
    return {
        name: value.isoformat() if isinstance(value, dt.date) else str(value or "")
        for name, value in zip(_FRAME_FIELDS, values, strict=True)
    }


@dataclass(frozen=True, slots=True)
class _Pending:
    """A source record awaiting linkage: its key, source and fields in the import format.
    Read as plain rows, not model instances, which cost seconds in a batch of 100,000."""

    pk: int
    source: str
    fields: dict[str, str]


def _pending(batch: ImportBatch) -> list[_Pending]:
    return [
        _Pending(pk, source, _fields_text(values))
        for pk, source, *values in SourceRecord.objects.filter(
            last_changed_batch=batch, resolution=Resolution.AWAITING_LINKAGE
        )
        .order_by("pk")
        .values_list("pk", "source", *_FRAME_FIELDS)
    ]


def _frame(records: Iterable[_Pending], *, as_register: bool = False) -> pd.DataFrame:
    """Records for Splink, keyed by their primary key (``source_record_id`` on the incoming
    side, ``person_id`` when they stand as the register)."""
    rows = []
    for record in records:
        row = dict(record.fields)
        row["source"] = record.source
        row["source_record_id"] = str(record.pk)
        if as_register:
            row["person_id"] = str(record.pk)
        rows.append(row)
    return pd.DataFrame(rows)


def _person_pks(public_ids: set[str]) -> dict[str, int]:
    """Register people's primary keys by public id. Many ids: the whole register's map, one
    plain read, rather than a statement carrying tens of thousands of parameters."""
    if len(public_ids) <= 5000:
        people = Person.objects.filter(public_id__in=list(public_ids))
    else:
        people = Person.objects.all()
    return {
        key: pk
        for key, pk in ((str(public), pk) for public, pk in people.values_list("public_id", "pk"))
        if key in public_ids
    }


@dataclass
class Standing:
    """Reviewers' decisions in force for a set of records."""

    links: dict[int, int]  # record pk -> person pk a reviewer linked it to
    apart: dict[int, set[int]]  # record pk -> person pks it is kept apart from


def standing_decisions(record_ids: Iterable[int]) -> Standing:
    """The latest decision on each (record, person) pair decides: a link stands until an
    unlink; a keep-apart or an unlink keeps the pair apart for good (until a reviewer links)."""
    ids = list(record_ids)
    return _standing(
        row
        for start in range(0, len(ids), 5000)
        for row in _decisions(
            ReviewDecision.objects.filter(record_id__in=ids[start : start + 5000])
        )
    )


def _batch_standing(batch: ImportBatch) -> Standing:
    """``standing_decisions`` for every record a batch last changed (its records awaiting
    linkage among them), in one read rather than one per few thousand records."""
    return _standing(_decisions(ReviewDecision.objects.filter(record__last_changed_batch=batch)))


def _decisions(decisions: models.QuerySet[ReviewDecision]) -> Iterable[tuple[int, int, str]]:
    return (
        decisions.filter(person__isnull=False)
        .order_by("decided_at", "pk")
        .values_list("record_id", "person_id", "action")
    )


def _standing(decisions: Iterable[tuple[int, int, str]]) -> Standing:
    latest: dict[tuple[int, int], str] = {}
    for record_id, person_id, action in decisions:
        latest[(record_id, person_id)] = action
    standing = Standing(links={}, apart=defaultdict(set))
    for (record_id, person_id), action in latest.items():
        if action == ReviewAction.LINK:
            standing.links[record_id] = person_id
        else:
            standing.apart[record_id].add(person_id)
    return standing


@dataclass
class _Outcome:
    record: _Pending
    method: str
    person_pk: int | None = None
    probability: float | None = None
    twin: bool = False
    candidates: tuple[Candidate, ...] = ()
    founder: int | None = None  # new person: the record (pk) whose new person this record is
    near_founder: int | None = None  # awaiting review: the record whose new person it may be


@dataclass(frozen=True)
class _Within:
    """What the batch's would-be new people are to each other: ``founders``, record pk ->
    (founder pk, probability) for records surely another's person (the founder is the
    cluster's first record, lowest pk); ``near``, record pk -> (founder pk, the pair) for a
    record that may be another's person (between the thresholds, or a possible twin): it
    awaits review with the founder's new person as its candidate."""

    founders: dict[int, tuple[int, float]]
    near: dict[int, tuple[int, Candidate]]


def _clusters(
    new: list[_Pending], model: LinkageModel, upper: float, lower: float, engine: LinkageEngine
) -> _Within:
    if len(new) < 2:
        return _Within({}, {})
    settings_within = dict(model.settings)
    settings_within["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in WITHIN_BATCH_BLOCKING
    ]
    within = LinkageModel(settings=settings_within, metadata=model.metadata)
    pairs = link_predict(
        _frame(new), _frame(new, as_register=True), within, threshold=lower, engine=engine
    )
    parent: dict[int, int] = {}

    def find(key: int) -> int:
        while parent.get(key, key) != key:
            parent[key] = parent.get(parent[key], parent[key])
            key = parent[key]
        return key

    best: dict[int, float] = {}
    maybe: list[Candidate] = []
    for pair in pairs:
        left, right = int(pair.source_record_id), int(pair.person_id)
        if left == right:
            continue
        if pair.possible_twin or pair.match_probability < upper:
            maybe.append(pair)
            continue
        a, b = find(left), find(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
        best[left] = max(best.get(left, 0.0), pair.match_probability)
        best[right] = max(best.get(right, 0.0), pair.match_probability)
    founders: dict[int, tuple[int, float]] = {}
    size: dict[int, int] = defaultdict(int)
    for record in new:
        root = find(record.pk)
        size[root] += 1
        if root != record.pk:
            founders[record.pk] = (root, best.get(record.pk, upper))
    return _Within(founders, _near(maybe, find, size))


def _near(
    maybe: list[Candidate], find: Callable[[int], int], size: dict[int, int]
) -> dict[int, tuple[int, Candidate]]:
    """For each record on its own (in no cluster) that may be the person of an earlier
    founder, the founder and the likeliest pair. Records are decided in order, so a founder
    is always a record that stays a new person (never one itself sent to review)."""
    options: dict[int, list[Candidate]] = defaultdict(list)
    for pair in maybe:
        options[int(pair.source_record_id)].append(pair)
    near: dict[int, tuple[int, Candidate]] = {}
    for record_pk in sorted(options):
        if size.get(record_pk, 0) != 1:
            continue
        eligible = [
            pair
            for pair in options[record_pk]
            if find(int(pair.person_id)) not in near
            and (size[find(int(pair.person_id))] > 1 or find(int(pair.person_id)) < record_pk)
        ]
        if eligible:
            pair = max(eligible, key=lambda p: p.match_probability)
            near[record_pk] = (find(int(pair.person_id)), pair)
    return near


def _classify(
    records: list[_Pending], model: LinkageModel, standing: Standing, engine: LinkageEngine
) -> tuple[list[_Outcome], dict[str, int]]:
    """Each record's outcome, and the register people's keys by public id of every candidate
    the outcomes name."""
    upper, lower = settings.JOINTCASE_LINK_UPPER, settings.JOINTCASE_LINK_LOWER
    outcomes: list[_Outcome] = []
    to_match = []
    for record in records:
        if record.pk in standing.links:
            outcomes.append(
                _Outcome(record, LinkMethod.REVIEWER, person_pk=standing.links[record.pk])
            )
        else:
            to_match.append(record)
    candidates: list[Candidate] = []
    register = register_frame() if to_match and Person.objects.exists() else None
    if to_match and register is not None and len(register):
        candidates = link_predict(_frame(to_match), register, model, engine=engine)
    pk_of = _person_pks({c.person_id for c in candidates})
    kept: list[Candidate] = [
        c
        for c in candidates
        if c.person_id in pk_of
        and pk_of[c.person_id] not in standing.apart.get(int(c.source_record_id), set())
    ]
    decisions: list[Decision] = link_classify(
        [str(record.pk) for record in to_match], kept, upper=upper, lower=lower
    )
    by_pk = {record.pk: record for record in to_match}
    new: list[_Pending] = []
    for decision in decisions:
        record = by_pk[int(decision.source_record_id)]
        if decision.outcome == "new":
            new.append(record)
            continue
        outcomes.append(
            _Outcome(
                record,
                LinkMethod.AUTOMATIC if decision.outcome == "link" else LinkMethod.AWAITING_REVIEW,
                person_pk=pk_of[str(decision.person_id)] if decision.outcome == "link" else None,
                probability=decision.match_probability,
                twin=decision.possible_twin,
                candidates=tuple(decision.candidates),
            )
        )
    within = _clusters(new, model, upper, lower, engine)
    for record in new:
        if record.pk in within.near:
            founder, pair = within.near[record.pk]
            outcomes.append(
                _Outcome(
                    record,
                    LinkMethod.AWAITING_REVIEW,
                    probability=pair.match_probability,
                    twin=pair.possible_twin,
                    candidates=(pair,),
                    near_founder=founder,
                )
            )
            continue
        founder, probability = within.founders.get(record.pk, (record.pk, None))
        outcomes.append(
            _Outcome(
                record,
                LinkMethod.NEW if founder == record.pk else LinkMethod.AUTOMATIC,
                probability=probability,
                founder=founder,
            )
        )
    return outcomes, pk_of


def _chunks(outcomes: list[_Outcome]) -> list[list[_Outcome]]:
    """Chunks of about ``WRITE_CHUNK`` outcomes, a new person's records always in one chunk."""
    groups: dict[int, list[_Outcome]] = defaultdict(list)
    for outcome in outcomes:
        key = outcome.founder if outcome.founder is not None else outcome.near_founder
        groups[key if key is not None else -outcome.record.pk].append(outcome)
    chunks: list[list[_Outcome]] = [[]]
    for group in groups.values():
        if len(chunks[-1]) >= WRITE_CHUNK:
            chunks.append([])
        chunks[-1].extend(group)
    return [chunk for chunk in chunks if chunk]


_RESOLUTION = {
    LinkMethod.AUTOMATIC: Resolution.LINKED,
    LinkMethod.REVIEWER: Resolution.LINKED,
    LinkMethod.NEW: Resolution.NEW_PERSON,
    LinkMethod.REVIEWER_NEW: Resolution.NEW_PERSON,
    LinkMethod.AWAITING_REVIEW: Resolution.REVIEW,
}


_LINKAGE_FIELDS = (
    "public_id",
    "record",
    "batch",
    "method",
    "match_probability",
    "possible_twin",
    "decided_at",
)
_CANDIDATE_FIELDS = (
    "linkage",
    "person",
    "rank",
    "match_probability",
    "match_weight",
    "levels",
    "possible_twin",
)


def _write(
    chunk: list[_Outcome],
    *,
    batch: ImportBatch | None,
    creator: User | None,
    pk_of: dict[str, int],
) -> dict[str, int]:
    """Write one chunk (inside the caller's transaction): new people, the records' resolution
    and person, their linkage and candidates (``pk_of``: register people's keys by public
    id). Returns the chunk's counts."""
    person_of_founder = _founders_create(chunk, creator)
    linkage_of = _linkages_write(chunk, batch.pk if batch is not None else None)
    _candidates_write(chunk, linkage_of, person_of_founder, pk_of)
    rows_update(
        SourceRecord,
        ["resolution", "person"],
        [(_RESOLUTION[LinkMethod(o.method)].value, o.person_pk, o.record.pk) for o in chunk],
    )
    counts = {"linked": 0, "review": 0, "new": 0}
    for o in chunk:
        resolution = _RESOLUTION[LinkMethod(o.method)]
        key = {Resolution.LINKED: "linked", Resolution.REVIEW: "review"}.get(resolution, "new")
        counts[key] += 1
    return counts


def _founders_create(chunk: list[_Outcome], creator: User | None) -> dict[int, int]:
    """The chunk's new people, one from each founding record; every outcome of a founder's
    cluster given its person. Returns founder record pk -> new person pk."""
    founders = [o for o in chunk if o.method == LinkMethod.NEW]
    created = people_create_from_records(
        actor=creator,
        actor_username="command line" if creator is None else "",
        records=[o.record.fields for o in founders],
    )
    person_of_founder = {
        o.record.pk: person.pk for o, person in zip(founders, created, strict=True)
    }
    for outcome in chunk:
        if outcome.founder is not None:
            outcome.person_pk = person_of_founder[outcome.founder]
    return person_of_founder


def _linkages_write(chunk: list[_Outcome], batch_id: int | None) -> dict[int, int]:
    """Each record's linkage row, new or (for a record linked before, which keeps its row and
    the address of its review page) replaced, its old candidates deleted. Returns record pk
    -> linkage pk."""
    record_ids = [o.record.pk for o in chunk]
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    held = dict(
        RecordLinkage.objects.filter(record_id__in=record_ids).values_list("record_id", "pk")
    )
    LinkCandidate.objects.filter(linkage_id__in=list(held.values())).delete()
    public_id = RecordLinkage._meta.get_field("public_id")
    rows_insert(
        RecordLinkage,
        _LINKAGE_FIELDS,
        [
            (
                public_id.get_db_prep_value(uuid.uuid4(), connection),
                o.record.pk,
                batch_id,
                str(o.method),
                o.probability,
                o.twin,
                stamp,
            )
            for o in chunk
            if o.record.pk not in held
        ],
    )
    rows_update(
        RecordLinkage,
        ["batch", "method", "match_probability", "possible_twin", "decided_at"],
        [
            (batch_id, str(o.method), o.probability, o.twin, stamp, held[o.record.pk])
            for o in chunk
            if o.record.pk in held
        ],
    )
    return dict(
        RecordLinkage.objects.filter(record_id__in=record_ids).values_list("record_id", "pk")
    )


def _candidates_write(
    chunk: list[_Outcome],
    linkage_of: dict[int, int],
    person_of_founder: dict[int, int],
    pk_of: dict[str, int],
) -> None:
    """Each linkage's candidates, in rank order: register people by their public id, a
    batch-mate's new person by its founding record."""
    levels = LinkCandidate._meta.get_field("levels")
    rows_insert(
        LinkCandidate,
        _CANDIDATE_FIELDS,
        [
            (
                linkage_of[o.record.pk],
                person_pk,
                rank,
                candidate.match_probability,
                candidate.match_weight,
                levels.get_db_prep_save(candidate.levels, connection),
                candidate.possible_twin,
            )
            for o in chunk
            for rank, candidate in enumerate(o.candidates)
            for person_pk in [_candidate_person(o, candidate, pk_of, person_of_founder)]
            if person_pk is not None
        ],
    )


def _candidate_person(
    outcome: _Outcome,
    candidate: Candidate,
    pk_of: dict[str, int],
    person_of_founder: dict[int, int],
) -> int | None:
    """The register person (pk) a candidate names: a person of the register, or, for a
    record that may be a batch-mate's person, the new person made from that batch-mate."""
    if outcome.near_founder is not None:
        return person_of_founder.get(outcome.near_founder)
    return pk_of.get(candidate.person_id)


def batch_link(
    batch_id: int,
    *,
    progress: Progress | None = None,
    model: LinkageModel | None = None,
    engine: LinkageEngine | None = None,
) -> BatchLinkage:
    """The linkage stage of a batch (run, or resumed, to the end): its records still awaiting
    linkage, matched, classified and written chunk by chunk with the stage's counts. Splink
    runs on ``engine``, by default the one ``JOINTCASE_LINK_BACKEND`` names (DuckDB or
    Spark); the rest is the same either way."""
    batch = ImportBatch.objects.defer("content").select_related("created_by").get(pk=batch_id)
    pending = _pending(batch)
    with transaction.atomic():
        stage, _ = BatchLinkage.objects.select_for_update().get_or_create(batch=batch)
        if stage.started_at is None or stage.finished_at is not None:
            stage.records_total = stage.records_done + len(pending)
        stage.started_at = stage.started_at or timezone.now()
        stage.finished_at = None
        stage.save()
    if progress is not None:
        progress(stage)
    if pending:
        model = model or model_load()
        outcomes, person_pks = _classify(
            pending, model, _batch_standing(batch), engine or engine_get()
        )
        for chunk in _chunks(outcomes):
            with transaction.atomic():
                counts = _write(chunk, batch=batch, creator=batch.created_by, pk_of=person_pks)
                stage = BatchLinkage.objects.select_for_update().get(pk=stage.pk)
                for name, value in counts.items():
                    setattr(stage, name, getattr(stage, name) + value)
                stage.records_done = min(stage.records_done + len(chunk), stage.records_total)
                stage.save()
            if progress is not None:
                progress(stage)
    with transaction.atomic():
        stage = BatchLinkage.objects.select_for_update().get(pk=stage.pk)
        stage.finished_at = timezone.now()
        stage.save(update_fields=["finished_at"])
        audit_record(
            action="exchange.linkage_done",
            actor=batch.created_by,
            actor_username="" if batch.created_by_id else "command line",
            object_type="import",
            object_id=str(batch.public_id),
            details={
                "source": batch.source,
                "records": stage.records_total,
                "linked": stage.linked,
                "review": stage.review,
                "new": stage.new,
            },
        )
    return stage
