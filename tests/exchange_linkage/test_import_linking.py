"""The linkage stage of an import: a synthetic extract (never real people) imported into a
register seeded from the same synthetic population links, reviews and creates people as the
model decides, within the batch too, and counts it on the batch."""

from __future__ import annotations

import pytest

from jointcase.exchange.linkage.synthetic import extract_make
from jointcase.exchange.models import (
    BatchLinkage,
    LinkMethod,
    RecordLinkage,
    Resolution,
    SourceRecord,
)
from jointcase.exchange.services.imports import import_run, import_start
from jointcase.people.models import Identifier, Person
from jointcase.people.services import people_create_from_records
from tests.exchange.conftest import csv_bytes

pytestmark = pytest.mark.django_db

SOURCE = "probation-delius"


def seeded_extract(
    records: int = 240, seed: int = 3
) -> tuple[dict[str, int], list[dict[str, str]], dict[str, str]]:
    """The register people of a synthetic population written to the register; the partner
    records of every source, as one probation extract; and each record's true person."""
    extract = extract_make(records, seed=seed)
    register = extract.register
    people = people_create_from_records(actor=None, records=register, actor_username="test")
    person_of = {row["person_id"]: person.pk for row, person in zip(register, people, strict=True)}
    rows = []
    truth = {row["source_record_id"]: row["true_person_id"] for row in extract.truth}
    for row in extract.records:
        rows.append({**row, "source": SOURCE})
    return person_of, rows, truth


GIVEN = ("Alice", "Bruno", "Cedric", "Delia", "Ewan", "Fiona", "Gareth", "Hilda", "Ivor")
FAMILY = ("Quenby", "Ravensworth", "Sallow", "Tremayne", "Umfreville", "Vexley", "Wrayburn")


def named_row(number: int, **changes: str) -> dict[str, str]:
    """``person_row`` with a name of letters only (the normal form drops digits), distinct
    for each number below 63."""
    from tests.exchange.conftest import person_row

    row = person_row(
        number,
        given_names=GIVEN[number % len(GIVEN)],
        surname=FAMILY[number % len(FAMILY)],
    )
    row.update(changes)
    return row


def _import(rows: list[dict[str, str]], name: str = "extract.csv") -> int:
    batch = import_start(actor=None, source_code=SOURCE, file_name=name, content=csv_bytes(rows))
    return import_run(batch.pk).pk


def test_an_extract_links_reviews_and_creates_against_the_register() -> None:
    person_of, rows, truth = seeded_extract()
    people_before = Person.objects.count()
    batch_id = _import(rows)
    records = {r.source_record_id: r for r in SourceRecord.objects.select_related("linkage")}
    assert len(records) == len(rows)
    assert not [r for r in records.values() if r.resolution == Resolution.AWAITING_LINKAGE]
    linked = [r for r in records.values() if r.resolution == Resolution.LINKED]
    review = [r for r in records.values() if r.resolution == Resolution.REVIEW]
    new = [r for r in records.values() if r.resolution == Resolution.NEW_PERSON]
    assert linked
    assert new
    # Links to register people are right (synthetic truth), nearly always.
    to_register = [r for r in linked if r.person_id in set(person_of.values())]
    right = [r for r in to_register if person_of.get(truth[r.source_record_id]) == r.person_id]
    assert len(right) >= 0.98 * len(to_register)
    # Records of people the register does not hold never link to a register person wrongly
    for record in review:
        assert record.person_id is None
        assert record.linkage.method == LinkMethod.AWAITING_REVIEW
        assert record.linkage.candidates.exists()
    # Records of the same new person in one batch make one person, not two.
    new_people = Person.objects.count() - people_before
    assert new_people == len(new)
    unseen = {truth[r.source_record_id] for r in new}
    assert len(unseen) >= 0.9 * len(new), "new people made twice for the same synthetic person"
    within = [r for r in linked if r.person_id not in set(person_of.values())]
    assert within, "no record linked to a person created from the same batch"
    for record in linked:
        assert record.linkage.method == LinkMethod.AUTOMATIC
        assert record.linkage.match_probability is not None
    stage = BatchLinkage.objects.get(batch_id=batch_id)
    assert (stage.linked, stage.review, stage.new) == (len(linked), len(review), len(new))
    assert stage.records_done == stage.records_total == len(rows)
    assert RecordLinkage.objects.count() == len(rows)
    # New people carry the record's identifiers, from the register's own validators.
    some = new[0]
    assert Person.objects.get(pk=some.person_id).date_of_birth == some.date_of_birth
    if some.crn:
        assert Identifier.objects.filter(person_id=some.person_id, value=some.crn).exists()


def test_two_records_of_one_new_person_in_a_batch_make_one_person() -> None:
    first = named_row(7, source_record_id="DEL-A")
    second = named_row(7, source_record_id="DEL-B", address_line_1="8 Other Road")
    other = named_row(8)
    _import([first, second, other])
    records = {r.source_record_id: r for r in SourceRecord.objects.select_related("linkage")}
    assert Person.objects.count() == 2
    assert records["DEL-A"].person_id == records["DEL-B"].person_id
    assert records["DEL-A"].linkage.method == LinkMethod.NEW
    assert records["DEL-B"].linkage.method == LinkMethod.AUTOMATIC
    assert records["DEL-B"].resolution == Resolution.LINKED
    assert records["DEL-000008"].person_id not in (None, records["DEL-A"].person_id)


def test_a_record_that_may_be_a_batch_mates_person_awaits_review_against_them() -> None:
    """A possible twin in the same batch (same surname, date of birth and address, another
    given name) is neither merged nor silently made a second person: the first becomes a new
    person and the second awaits review with that person as its candidate, flagged."""
    first = named_row(7, source_record_id="DEL-A", pnc_id="", crn="")
    twin = named_row(7, source_record_id="DEL-B", given_names="Gaz", pnc_id="", crn="")
    batch_id = _import([first, twin, named_row(8)])
    records = {r.source_record_id: r for r in SourceRecord.objects.select_related("linkage")}
    assert Person.objects.count() == 2
    assert records["DEL-A"].resolution == Resolution.NEW_PERSON
    assert records["DEL-B"].resolution == Resolution.REVIEW
    assert records["DEL-B"].person_id is None
    linkage = records["DEL-B"].linkage
    assert linkage.method == LinkMethod.AWAITING_REVIEW
    assert linkage.possible_twin
    assert [c.person_id for c in linkage.candidates.all()] == [records["DEL-A"].person_id]
    stage = BatchLinkage.objects.get(batch_id=batch_id)
    assert (stage.new, stage.review) == (2, 1)


def test_the_linkage_stage_resumes_with_the_records_still_awaiting() -> None:
    from jointcase.exchange.services.linking import batch_link

    batch = import_start(
        actor=None,
        source_code=SOURCE,
        file_name="x.csv",
        content=csv_bytes([named_row(n) for n in range(1, 6)]),
    )
    import_run(batch.pk, link=False)
    assert SourceRecord.objects.filter(resolution=Resolution.AWAITING_LINKAGE).count() == 5
    # As if an earlier run had resolved two before it stopped: only three are left to do.
    done = SourceRecord.objects.order_by("pk")[:2]
    people = people_create_from_records(actor=None, records=[named_row(n) for n in (1, 2)])
    for record, person in zip(done, people, strict=True):
        SourceRecord.objects.filter(pk=record.pk).update(
            resolution=Resolution.NEW_PERSON, person=person
        )
    stage = batch_link(batch.pk)
    assert stage.records_total == 3
    assert stage.new == 3
    assert Person.objects.count() == 5


def test_people_created_in_bulk_keep_the_audit_chain_whole() -> None:
    from jointcase.audit.models import AuditEntry
    from jointcase.audit.services import audit_recompute

    _import([named_row(n) for n in range(1, 8)])
    created = AuditEntry.objects.filter(action="person.create")
    assert created.count() == Person.objects.count() == 7
    assert audit_recompute(AuditEntry.objects.order_by("seq")) is None
