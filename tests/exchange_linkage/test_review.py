"""Reviewers' decisions: link, keep apart, unlink; they persist over later linkage runs;
possible twins are flagged; the pages show the pair side by side (synthetic people only)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jointcase.accounts.models import User
from jointcase.audit.models import AuditEntry
from jointcase.exchange.models import (
    LinkMethod,
    RecordLinkage,
    Resolution,
    ReviewAction,
    ReviewDecision,
    SourceRecord,
)
from jointcase.exchange.services.linking import batch_link
from jointcase.exchange.services.review import record_unlink, review_keep_apart, review_link
from jointcase.people.models import Person
from tests.conftest import Personas
from tests.exchange.conftest import person_row
from tests.exchange_linkage.conftest import record_import

pytestmark = pytest.mark.django_db


def _relink(linkage: RecordLinkage, **changes: str) -> RecordLinkage:
    """The partner sends the record again, changed: it is linked again."""
    record = linkage.record
    row = person_row(
        2,
        given_names=record.given_names,
        surname=record.surname,
        date_of_birth=record.date_of_birth.isoformat(),
        source_record_id=record.source_record_id,
        pnc_id="",
        crn="",
    )
    row.update(changes)
    record_import([row], name="again.csv")
    return RecordLinkage.objects.get(pk=linkage.pk)


def test_a_reviewers_link_survives_a_re_run(
    under_review: Callable[..., RecordLinkage], importers: Personas
) -> None:
    linkage = under_review()
    assert linkage.method == LinkMethod.AWAITING_REVIEW
    candidate = linkage.candidates.get()
    admin = importers.system_admin
    review_link(actor=admin, linkage=linkage, candidate_id=candidate.pk, reason="Same person")
    record = SourceRecord.objects.get(pk=linkage.record_id)
    assert (record.resolution, record.person_id) == (Resolution.LINKED, candidate.person_id)
    decision = ReviewDecision.objects.get()
    assert (decision.action, decision.decided_by, decision.reason) == (
        ReviewAction.LINK,
        admin,
        "Same person",
    )
    assert AuditEntry.objects.filter(action="exchange.review_link", reason="Same person").exists()
    # A changed record is linked again: the reviewer's link stands.
    again = _relink(linkage, address_line_1="99 Moved Street")
    record.refresh_from_db()
    assert again.method == LinkMethod.REVIEWER
    assert (record.resolution, record.person_id) == (Resolution.LINKED, candidate.person_id)
    # And an explicit run over a record awaiting linkage again changes nothing either.
    SourceRecord.objects.filter(pk=record.pk).update(resolution=Resolution.AWAITING_LINKAGE)
    batch_link(record.last_changed_batch_id)
    record.refresh_from_db()
    assert (record.resolution, record.person_id) == (Resolution.LINKED, candidate.person_id)


def test_kept_apart_is_never_a_candidate_again(
    under_review: Callable[..., RecordLinkage], importers: Personas, settings: object
) -> None:
    linkage = under_review()
    candidate = linkage.candidates.get()
    people = Person.objects.count()
    review_keep_apart(
        actor=importers.system_admin,
        linkage=linkage,
        candidate_id=candidate.pk,
        reason="Different middle names",
    )
    linkage.refresh_from_db()
    record = SourceRecord.objects.get(pk=linkage.record_id)
    assert linkage.method == LinkMethod.REVIEWER_NEW
    assert record.resolution == Resolution.NEW_PERSON
    assert record.person_id not in (None, candidate.person_id)
    assert Person.objects.count() == people + 1
    # Thresholds that would link the pair at once: the decision still stands on a re-run.
    settings.JOINTCASE_LINK_UPPER = 0.5  # type: ignore[attr-defined]
    again = _relink(linkage, address_line_1="98 Moved Street")
    assert not again.candidates.filter(person_id=candidate.person_id).exists()
    record.refresh_from_db()
    assert record.person_id != candidate.person_id


def test_unlinking_keeps_both_sides(
    under_review: Callable[..., RecordLinkage], importers: Personas
) -> None:
    linkage = under_review()
    candidate = linkage.candidates.get()
    person = candidate.person
    names_before = list(person.names.values_list("given_names", "family_name"))
    admin = importers.system_admin
    review_link(actor=admin, linkage=linkage, candidate_id=candidate.pk, reason="Looks right")
    with pytest.raises(ValidationError):
        record_unlink(actor=admin, linkage=linkage, reason="  ")
    record_unlink(actor=admin, linkage=linkage, reason="Wrong: a different CRN on paper")
    record = SourceRecord.objects.get(pk=linkage.record_id)
    assert record.person_id not in (None, person.pk)
    assert record.resolution == Resolution.NEW_PERSON
    # Both sides whole: the register person as before, the record as received.
    assert list(person.names.values_list("given_names", "family_name")) == names_before
    assert Person.objects.filter(pk=person.pk).exists()
    assert (record.given_names, record.surname) == ("Alice", "Quenby")
    new = Person.objects.get(pk=record.person_id)
    assert new.date_of_birth == record.date_of_birth
    assert AuditEntry.objects.filter(action="exchange.review_unlink").count() == 1
    assert list(ReviewDecision.objects.values_list("action", flat=True)) == [
        ReviewAction.LINK,
        ReviewAction.UNLINK,
    ]


def test_possible_twins_are_flagged(under_review: Callable[..., RecordLinkage]) -> None:
    linkage = under_review(given_names="Beatrix")
    candidate = linkage.candidates.get()
    assert candidate.possible_twin
    assert linkage.possible_twin


def test_the_pair_page_shows_both_sides_and_needs_a_reason(
    under_review: Callable[..., RecordLinkage],
    importers: Personas,
    client_for: Callable[[User], Client],
) -> None:
    linkage = under_review(given_names="Beatrix")
    client = client_for(importers.system_admin)
    queue = client.get(reverse("exchange:reviews"))
    assert queue.status_code == 200
    assert "Beatrix Quenby" in queue.content.decode()
    url = reverse("exchange:review", args=[linkage.public_id])
    page = client.get(url).content.decode()
    assert "Possible twin" in page
    assert "Match weight" in page
    assert "managed by others" not in page
    # The agency administrator reviews the source but may not see the person: only that a
    # managed record exists, nothing of how it compares.
    other = client_for(importers.agency_admin).get(url).content.decode()
    assert "managed by others" in other
    assert "Beatrix" in other  # the partner record itself
    table = other.split('id="pair"')[1].split("</table>")[0]
    assert "govuk-tag" not in table  # no "Same" or "Different"
    assert "Match weight" not in other
    assert "Possible twin" not in other
    candidate = linkage.candidates.get()
    refused = client.post(url, {"candidate": candidate.pk, "decision": "keep_apart"})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    assert "Enter the reason for your decision" in refused.content.decode()
    assert not ReviewDecision.objects.exists()
    done = client.post(
        url, {"candidate": candidate.pk, "decision": "keep_apart", "reason": "Twins"}
    )
    assert done.status_code == 302
    assert ReviewDecision.objects.get().action == ReviewAction.KEEP_APART


def test_a_reviewer_sees_a_person_they_may_see(
    reviewing: None, importers: Personas, client_for: Callable[[User], Client]
) -> None:
    from jointcase.people.services import people_create_from_records

    admin = importers.system_admin
    (person,) = people_create_from_records(
        actor=admin,
        records=[person_row(1, given_names="Alice", surname="Quenby", crn="X777777")],
    )
    record_import(
        [person_row(2, given_names="Alice", surname="Quenby", source_record_id="DEL-R", crn="")]
    )
    linkage = RecordLinkage.objects.get(record__source_record_id="DEL-R")
    page = client_for(admin).get(reverse("exchange:review", args=[linkage.public_id]))
    body = page.content.decode()
    assert "X777777" in body
    assert "managed by others" not in body
    assert AuditEntry.objects.filter(
        action="person.read", object_id=str(person.pk), actor_id=admin.pk
    ).exists()


def test_the_api_lists_the_queue_and_tells_only_what_the_reader_may_see(
    under_review: Callable[..., RecordLinkage], importers: Personas
) -> None:
    from jointcase.accounts.tokens import api_token_create

    linkage = under_review(given_names="Beatrix")

    def queue(user: User) -> dict[str, object]:
        _token, plaintext = api_token_create(actor=None, user=user, name="t", days=1)
        response = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get("/api/v1/linkage/reviews")
        assert response.status_code == 200
        return response.json()  # type: ignore[no-any-return]

    seen = queue(importers.system_admin)
    (item,) = seen["results"]  # type: ignore[misc]
    assert item["id"] == str(linkage.public_id)
    (candidate,) = item["candidates"]
    assert candidate["visible"] is True
    assert "surname" in candidate["agreeing"]
    assert "given_name" in candidate["disagreeing"]
    assert candidate["possible_twin"] is True
    (hidden,) = queue(importers.agency_admin)["results"][0]["candidates"]  # type: ignore[index]
    assert hidden["visible"] is False
    assert hidden["match_weight"] is None
    assert hidden["agreeing"] == []
