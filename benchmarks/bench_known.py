""" "Known to you?" (exchange.services.known): one ask against a register of 100,000 people,
end to end as the page and the API run it: the register version read, the process's matcher
(built once, by the first ask), Splink, the documented answer (who may see the person, the
contact of their case) and the audit entry.

Target: p95 at most 1 s for one ask against 100,000 people.

The register is generated (``exchange.linkage.synthetic``, never real people) and written to a
throwaway database: every person with their name, address and identifiers, half of them with a
case. ``JOINTCASE_BENCH_KNOWN_PEOPLE`` changes the register size (default 100,000),
``JOINTCASE_BENCH_REQUESTS`` the asks (default 200, at most 100 used here); half the asks are
about people of the register, half about others.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from benchmarks.common import percentile, setup_django

TARGET_MS = 1000.0
BATCH = 5000


def _register_write(people: list[Any]) -> None:
    from django.utils import timezone

    from jointcase.agencies.models import Agency, AgencyKind
    from jointcase.cases.models import Case, Cohort, Ideology
    from jointcase.people.models import (
        Address,
        AddressKind,
        Identifier,
        IdentifierType,
        NameKind,
        Person,
        PersonName,
    )

    lead = Agency.objects.create(code="bench-nsd", name="Bench NSD", kind=AgencyKind.PROBATION)
    now = timezone.now()
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        persons = Person.objects.bulk_create(
            Person(
                public_id=uuid.uuid4(),
                date_of_birth=person.date_of_birth,
                display_name=f"{person.surname.upper()}, {person.given_names}",
                created_at=now,
                updated_at=now,
            )
            for person in chunk
        )
        if persons[0].pk is None:  # backends that do not return ids
            ids = dict(
                Person.objects.filter(public_id__in=[p.public_id for p in persons]).values_list(
                    "public_id", "pk"
                )
            )
            for row in persons:
                row.pk = ids[row.public_id]
        PersonName.objects.bulk_create(
            PersonName(
                person=row,
                kind=NameKind.PRIMARY,
                given_names=person.given_names,
                family_name=person.surname,
            )
            for row, person in zip(persons, chunk, strict=True)
        )
        Address.objects.bulk_create(
            Address(
                person=row,
                kind=AddressKind.HOME,
                line1=person.address_line_1,
                town=person.town,
                postcode=person.postcode,
            )
            for row, person in zip(persons, chunk, strict=True)
        )
        identifiers = []
        for row, person in zip(persons, chunk, strict=True):
            for type_, value in (
                (IdentifierType.PNC_ID, person.pnc_id),
                (IdentifierType.CRN, person.crn),
                (IdentifierType.PRISON_NUMBER, person.prison_number),
            ):
                if value:
                    identifiers.append(Identifier(person=row, type=type_, value=value))
        Identifier.objects.bulk_create(identifiers)
        Case.objects.bulk_create(
            Case(
                person=row,
                reference=f"JC-B{start + offset:06d}",
                cohort=Cohort.TACT,
                ideology=Ideology.ISLAMIST,
                lead_agency=lead,
                opened_at=dt.date(2025, 1, 1),
            )
            for offset, row in enumerate(persons)
            if (start + offset) % 2 == 0
        )


def _asker() -> Any:
    from jointcase.accounts.models import Role, RoleAssignment, User
    from jointcase.agencies.models import Agency, AgencyKind

    agency = Agency.objects.create(code="bench-ctu", name="Bench CTU", kind=AgencyKind.POLICE)
    user = User.objects.create(username="bench.asker", agency=agency)
    RoleAssignment.objects.create(user=user, role=Role.CTNM_OFFICER)
    return user


def _measure(report: Callable[..., Any], size: int, samples: int) -> None:
    from django.test import override_settings

    from jointcase.exchange.linkage.synthetic import extract_make, population_make
    from jointcase.exchange.services.known import known_ask, question_clean
    from jointcase.exchange.services.matching import matcher_forget

    people = population_make(size, seed=4040, register_share=1.0)
    started = time.perf_counter()
    _register_write(people)
    report(
        f"known to you? register of {size} people written",
        round(time.perf_counter() - started, 1),
        "s",
    )
    asker = _asker()
    rng = random.Random(11)
    held = rng.sample(people, samples // 2)
    others = extract_make(samples * 2, seed=4042).records[: samples - len(held)]
    questions = [
        {
            "given_names": person.given_names,
            "surname": person.surname,
            "date_of_birth": person.date_of_birth.isoformat(),
        }
        for person in held
    ] + [
        {
            "given_names": row["given_names"],
            "surname": row["surname"],
            "date_of_birth": row["date_of_birth"],
        }
        for row in others
    ]
    rng.shuffle(questions)
    matcher_forget()
    with override_settings(JOINTCASE_KNOWN_RATE_LIMIT=10**9):
        started = time.perf_counter()
        known_ask(actor=asker, question=question_clean(**questions[0]))
        report(
            f"known to you? first ask against {size} people (builds the matcher)",
            round(time.perf_counter() - started, 1),
            "s",
        )
        timings: list[float] = []
        known = 0
        for question in questions:
            started = time.perf_counter()
            answer = known_ask(actor=asker, question=question_clean(**question))
            timings.append((time.perf_counter() - started) * 1000)
            known += answer.known
    label = f"known to you? one ask against {size} people"
    report(f"{label} p50", round(percentile(timings, 50), 1), "ms")
    report(f"{label} p95", round(percentile(timings, 95), 1), "ms", f"<= {TARGET_MS:g}")
    report(f"{label}: answered 'a managed record exists'", f"{known}/{len(questions)}", "asks")


def run(report: Callable[..., Any]) -> None:
    """A throwaway database, the register written, the asks measured, dropped."""
    setup_django()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    logging.getLogger("splink").setLevel(logging.ERROR)
    size = int(os.environ.get("JOINTCASE_BENCH_KNOWN_PEOPLE", "100000"))
    samples = min(int(os.environ.get("JOINTCASE_BENCH_REQUESTS", "200")), 100)
    setup_test_environment()
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=False, aliases={"default"}, serialized_aliases=set()
    )
    try:
        _measure(report, size, samples)
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=False)


if __name__ == "__main__":

    def _print(
        benchmark: str, value: Any, unit: str, target: str = "", baseline: Any = None
    ) -> None:
        print(f"{benchmark}: {value} {unit} {target}")

    run(_print)
