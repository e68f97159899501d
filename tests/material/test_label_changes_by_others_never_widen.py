"""The label rule as a property: on generated worlds, a label change by someone who is not of
the originator agency is accepted only if every user who may read the item after the change
could read it before.

The oracle is the access filter (``material_visible_to``), evaluated over every user of the
world before and after the service call; the code under test is the service
(``material_label_change``) and its widening decision. Worlds mix agencies on the case, an
agency whose member left yesterday, users off the case under break-glass or a case grant,
item grants, clearances and caveats (and, in every agency, a fully cleared probe who left the
case and one under break-glass), and every kind of proposed label: higher or lower
classification, caveats added or dropped, "every agency on the case" to a list and back,
lists with agencies on and off the case, ORCON set or cleared. Each example is built inside a
transaction that is rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from jointcase.access.acting import NotPermitted
from jointcase.access.labels import Classification
from jointcase.access.material import material_decision, material_visible_to
from jointcase.accounts.models import User
from jointcase.agencies.models import (
    Agency,
    AgencyKind,
    Caveat,
    CaveatAuthorisation,
    Vetting,
    VettingLevel,
)
from jointcase.cases.models import (
    Case,
    CaseAccessGrant,
    CaseRole,
    CaseTeamMember,
    Cohort,
    Ideology,
)
from jointcase.material.models import BreakGlass, ItemKind, MaterialGrant, MaterialItem
from jointcase.material.services import labels as label_services
from jointcase.people.models import Person

pytestmark = pytest.mark.django_db

N_AGENCIES, N_CAVEATS = 4, 2
LEVELS = [
    Classification.OFFICIAL,
    Classification.OFFICIAL_SENSITIVE,
    Classification.SECRET,
]
#: How a user relates to the case: current member, member who left, break-glass, case grant,
#: item grant, nothing.
RELATIONS = ["member", "left", "break_glass", "case_grant", "item_grant", "none"]
OUTCOMES: dict[str, int] = {}


@dataclass
class World:
    # (agency, vetting, caveats held, relation) of each other user
    users: list[tuple[int, str, frozenset[int], str]]
    actor_agency: int  # never 0: agency 0 is the originator
    old: tuple[str, frozenset[int], frozenset[int], bool]  # classification, caveats, list, orcon
    new: tuple[str, frozenset[int], frozenset[int], bool]


def _label() -> st.SearchStrategy[tuple[str, frozenset[int], frozenset[int], bool]]:
    agencies = st.integers(0, N_AGENCIES - 1)
    return st.tuples(
        st.sampled_from(LEVELS),
        st.frozensets(st.integers(0, N_CAVEATS - 1), max_size=N_CAVEATS),
        st.sampled_from([frozenset(), frozenset()]) | st.frozensets(agencies, max_size=3),
        st.booleans(),
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    old = draw(_label())
    old = (old[0], old[1], old[2], False)  # an ORCON item refuses every non-originator anyway
    new = draw(
        st.one_of(
            _label(),
            # Mostly small moves from the old label, where the boundaries are.
            st.tuples(
                st.sampled_from([old[0], *LEVELS]),
                st.sampled_from([old[1], old[1] | {0}, old[1] - {0}, frozenset()]),
                st.sampled_from(
                    [old[2], frozenset(), old[2] | {1}, old[2] | {3}, old[2] - {1}, frozenset({1})]
                ),
                st.booleans(),
            ),
        )
    )
    users = draw(
        st.lists(
            st.tuples(
                st.integers(0, N_AGENCIES - 1),
                st.sampled_from([VettingLevel.SC, VettingLevel.BPSS, VettingLevel.DV]),
                st.frozensets(st.integers(0, N_CAVEATS - 1), max_size=N_CAVEATS),
                st.sampled_from(RELATIONS),
            ),
            min_size=1,
            max_size=6,
        )
    )
    return World(users=users, actor_agency=draw(st.integers(1, 2)), old=old, new=new)


def _user(
    index: int,
    agency: Agency,
    vetting: str,
    caveats: list[Caveat],
    today: dt.date,
) -> User:
    user = User.objects.create(username=f"lw{index}", agency=agency)
    Vetting.objects.create(
        user=user,
        level=vetting,
        granted_on=today - dt.timedelta(days=9),
        expires_on=today + dt.timedelta(days=9),
    )
    for caveat in caveats:
        CaveatAuthorisation.objects.create(
            user=user,
            caveat=caveat,
            granted_on=today - dt.timedelta(days=9),
            expires_on=today + dt.timedelta(days=9),
        )
    return user


def _build(world: World, now: dt.datetime) -> tuple[User, list[User], MaterialItem]:
    today = timezone.localdate(now)
    agencies = [
        Agency.objects.create(code=f"lw-{i}", name=f"LW agency {i}", kind=AgencyKind.POLICE)
        for i in range(N_AGENCIES)
    ]
    caveats = [Caveat.objects.create(code=f"LW-CAVEAT-{i}", name=f"c{i}") for i in range(N_CAVEATS)]
    case = Case.objects.create(
        person=Person.objects.create(),
        reference="LW-1",
        cohort=Cohort.TACT,
        ideology=Ideology.OTHER,
        lead_agency=agencies[0],
    )

    def member(user: User, *, left: bool = False) -> None:
        CaseTeamMember.objects.create(
            case=case,
            user=user,
            role=CaseRole.CTNM_OFFICER,
            agency=user.agency,
            start=today - dt.timedelta(days=10),
            end=today - dt.timedelta(days=1) if left else None,
        )

    # The originator's officer and the actor (cleared, holding every caveat) are on the case.
    originator = _user(0, agencies[0], VettingLevel.DV, caveats, today)
    member(originator)
    actor = _user(1, agencies[world.actor_agency], VettingLevel.DV, caveats, today)
    member(actor)
    # Probes: in every agency, a DV user holding every caveat who left the case and one off it
    # under break-glass, so any agency a change reaches has someone to notice (a probe on the
    # case would put every agency on it); then the generated users, who vary clearance,
    # caveats and relation.
    probes = [
        (agency_i, VettingLevel.DV, frozenset(range(N_CAVEATS)), relation)
        for agency_i in range(N_AGENCIES)
        for relation in ("left", "break_glass")
    ]
    others = []
    for index, (agency_i, vetting, held, relation) in enumerate([*probes, *world.users], start=2):
        user = _user(index, agencies[agency_i], vetting, [caveats[i] for i in held], today)
        if relation in ("member", "left"):
            member(user, left=relation == "left")
        elif relation == "break_glass":
            BreakGlass.objects.create(
                case=case,
                user=user,
                reason="r",
                starts_at=now - dt.timedelta(minutes=1),
                expires_at=now + dt.timedelta(minutes=30),
            )
        elif relation == "case_grant":
            CaseAccessGrant.objects.create(
                case=case,
                user=user,
                reason="r",
                starts_at=now - dt.timedelta(hours=1),
                expires_at=now + dt.timedelta(hours=1),
            )
        others.append((user, relation))
    level, item_caveats, releasable, orcon = world.old
    item = MaterialItem.objects.create(
        case=case,
        kind=ItemKind.NOTE,
        title="Labelled note",
        classification=level,
        originator=agencies[0],
        orcon=orcon,
        created_at=now,
    )
    item.caveats.set([caveats[i] for i in item_caveats])
    listed = {agencies[i] for i in releasable}
    if listed:
        listed.add(agencies[0])  # as the service stores it: the originator keeps its material
    item.releasable_to.set(listed)
    for user, relation in others:
        if relation == "item_grant":
            MaterialGrant.objects.create(
                item=item,
                user=user,
                starts_at=now - dt.timedelta(minutes=1),
                expires_at=now + dt.timedelta(days=1),
            )
    users = [originator, actor, *(user for user, _relation in others)]
    return actor, users, item


def _readers(users: list[User], item: MaterialItem) -> set[int]:
    """Who may read ``item``, by the access filter (fresh instances, as in a new request)."""
    return {
        user.pk
        for user in users
        if material_visible_to(User.objects.get(pk=user.pk)).filter(pk=item.pk).exists()
    }


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(world=worlds())
def test_a_label_change_by_a_non_originator_never_lets_anyone_new_read(world: World) -> None:
    now = timezone.now()
    with transaction.atomic():
        actor, users, item = _build(world, now)
        assume(material_decision(actor, item).allowed)  # a reader who may use the form
        before = _readers(users, item)
        level, new_caveats, new_list, orcon = world.new
        agencies = {a.code: a for a in Agency.objects.filter(code__startswith="lw-")}
        try:
            label_services.material_label_change(
                actor=actor,
                item=MaterialItem.objects.get(pk=item.pk),
                classification=level,
                caveats=[f"LW-CAVEAT-{i}" for i in new_caveats],
                releasable_to=[agencies[f"lw-{i}"].code for i in new_list],
                orcon=orcon,
                reason="Generated change",
            )
        except NotPermitted:
            outcome = "refused (widens)"
        except ValidationError:
            outcome = "invalid"
        else:
            outcome = "accepted"
        after = _readers(users, item)
        if outcome == "accepted":
            assert after <= before, (after - before, world)
        else:
            assert after == before, world
        OUTCOMES[outcome] = OUTCOMES.get(outcome, 0) + 1
        event(f"label change: {outcome}")
        transaction.set_rollback(True)


def test_the_generated_label_changes_were_both_accepted_and_refused() -> None:
    """Runs after the property: both outcomes were seen, many times."""
    if not OUTCOMES:
        pytest.skip("the property did not run in this session")
    print(f"\nlabel change property: {OUTCOMES}")  # noqa: T201
    assert OUTCOMES.get("accepted", 0) >= 5, OUTCOMES
    assert OUTCOMES.get("refused (widens)", 0) >= 5, OUTCOMES
