"""``search_register``, the one search the pages and the API call, and the ranking of its
candidates. It reads through ``jointcase.access.policy.persons_visible_to`` *inside* the
database query, so a person the user may not see is never a candidate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch

from jointcase.access.policy import cases_visible_to, persons_visible_to
from jointcase.people.models import Identifier, Person, PersonName, PersonNameKey
from jointcase.people.search.keys import _word_forms
from jointcase.people.search.limits import CANDIDATE_LIMIT, MIN_NAME_SCORE, RESULT_LIMIT
from jointcase.people.search.query import ParsedQuery, QueryWord, parse_query
from jointcase.people.search.similarity import token_similarity

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from jointcase.accounts.models import User
    from jointcase.people.models import Person


def name_score(words: Sequence[QueryWord], given: str, family: str) -> float:
    """How well a name matches the query's words, in [0, 1] (mean of each word's best match).

    Each query word is compared with every word of the name (and the joined multi-word
    parts), whichever position it is in, so "Smith John" scores like "John Smith".
    """
    if not words:
        return 0.0
    candidates = _word_forms(given) + _word_forms(family)
    if not candidates:
        return 0.0
    total = 0.0
    for word in words:
        total += max(
            token_similarity(form, candidate) for form in word.forms for candidate in candidates
        )
    return total / len(words)


@dataclass
class SearchResult:
    """One person found, with the name that matched and why."""

    person: Any
    score: float
    matched_name: Any = None
    matched_on: str = "name"
    cases: list[Any] = field(default_factory=list)

    @property
    def matched_alias(self) -> Any:
        """The alias that matched, when it was not the person's main name."""
        if self.matched_name is None or getattr(self.matched_name, "kind", "PRIMARY") == "PRIMARY":
            return None
        return self.matched_name


@dataclass
class SearchOutcome:
    query: ParsedQuery
    results: list[SearchResult]

    @property
    def error(self) -> str:
        return self.query.error


def _name_candidates(
    base: QuerySet[Person], parsed: ParsedQuery, *, tier: str = "typo"
) -> QuerySet[Person]:
    """``base`` narrowed to people having a name key for every word (and a listed DOB)."""
    candidates = base.order_by()  # no ORDER BY: the planner drives from the key index
    for word in parsed.words:
        keys = sorted(word.lookup_keys(tier=tier))
        candidates = candidates.filter(
            pk__in=PersonNameKey.objects.filter(key__in=keys).values("person_id")
        )
    if parsed.dates_of_birth:
        candidates = candidates.filter(date_of_birth__in=parsed.dates_of_birth)
    return candidates


def candidate_queries(base: QuerySet[Person], parsed: ParsedQuery) -> list[QuerySet[Person]]:
    """The database queries a search runs over ``base`` (one per way of matching).

    Pages pass ``persons_visible_to(user)`` as ``base``; the benchmark also passes every
    person, to measure what the access filter costs.
    """
    queries: list[QuerySet[Person]] = []
    if parsed.identifiers:
        queries.append(
            base.order_by().filter(
                pk__in=Identifier.objects.filter(value__in=parsed.identifiers).values("person_id")
            )
        )
    if parsed.words or parsed.dates_of_birth:
        queries.append(_name_candidates(base, parsed))
    return queries


def _candidate_ids(base: QuerySet[Person], parsed: ParsedQuery) -> tuple[set[int], set[int]]:
    """(ids matched by an identifier, ids matched by name and/or date of birth)."""
    by_identifier: set[int] = set()
    by_name: set[int] = set()
    queries = candidate_queries(base, parsed)
    if parsed.identifiers:
        by_identifier = set(queries.pop(0).values_list("pk", flat=True)[:CANDIDATE_LIMIT])
    if queries:
        by_name = set(queries[0].values_list("pk", flat=True)[:CANDIDATE_LIMIT])
        if len(by_name) >= CANDIDATE_LIMIT and parsed.words:
            # Too many to rank them all (a common name): take the closest tiers first (the
            # same words, then the same sounds or nicknames), then fill up with the rest.
            chosen: list[int] = []
            for tier in ("exact", "close"):
                if len(chosen) >= CANDIDATE_LIMIT:
                    break
                tier_ids = _name_candidates(base, parsed, tier=tier).exclude(pk__in=chosen)
                chosen.extend(
                    tier_ids.values_list("pk", flat=True)[: CANDIDATE_LIMIT - len(chosen)]
                )
            rest = [pk for pk in by_name if pk not in set(chosen)]
            by_name = set(chosen + rest[: max(CANDIDATE_LIMIT - len(chosen), 0)])
    return by_identifier, by_name


def rank(
    parsed: ParsedQuery, people: Iterable[Person], by_identifier: set[int]
) -> list[SearchResult]:
    """Score each person on their best-matching name; identifier matches first."""
    results: list[SearchResult] = []
    for person in people:
        best_name = None
        best = 0.0
        for name in person.names.all():
            score = name_score(parsed.words, name.given_names, name.family_name)
            primary = name.kind == "PRIMARY"
            if score > best or (score == best and primary and best_name is not None):
                best, best_name = score, name
        if person.pk in by_identifier:
            results.append(SearchResult(person, 2.0 + best, best_name, "identifier"))
        elif not parsed.words:
            results.append(SearchResult(person, 1.0, best_name, "date of birth"))
        elif best >= MIN_NAME_SCORE:
            results.append(SearchResult(person, best, best_name, "name"))
    for result in results:
        if result.matched_name is not None and result.matched_on != "name":
            primaries = [n for n in result.person.names.all() if n.kind == "PRIMARY"]
            result.matched_name = primaries[0] if primaries else result.matched_name
    results.sort(key=lambda r: (-r.score, r.person.display_name, r.person.pk))
    return results


def search_register(*, user: User, text: str, limit: int = RESULT_LIMIT) -> SearchOutcome:
    """People the user may see who match the search box's text, best first, with their cases.

    The access filter (``persons_visible_to``) is part of the database query that finds
    candidates, and only cases the user may see are attached; nothing about people or cases
    outside it (not even how many) reaches the caller.
    """
    parsed = parse_query(text)
    if parsed.is_empty or parsed.error:
        return SearchOutcome(query=parsed, results=[])
    by_identifier, by_name = _candidate_ids(persons_visible_to(user), parsed)
    ids = by_identifier | by_name
    if not ids:
        return SearchOutcome(query=parsed, results=[])
    people = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("names", queryset=PersonName.objects.order_by("kind", "pk")),
        Prefetch("identifiers", queryset=Identifier.objects.order_by("type", "value")),
    )
    results = rank(parsed, people, by_identifier)[:limit]
    cases_by_person: dict[int, list[Any]] = {}
    shown = [result.person.pk for result in results]
    visible_cases = (
        cases_visible_to(user).filter(person_id__in=shown).order_by("-opened_at", "reference")
    )
    for case in visible_cases:
        cases_by_person.setdefault(case.person_id, []).append(case)
    for result in results:
        result.cases = cases_by_person.get(result.person.pk, [])
    return SearchOutcome(query=parsed, results=results)
