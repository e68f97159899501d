"""The case's checks page asks ``access.checks.checks_mine_and_movable`` once for the whole
page instead of deciding each row: it must answer exactly what the single-check rules answer
(``check_responsible_decision``, ``check_due_move_refusal``), for every persona, open and
completed checks alike, and without a query per row."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jointcase.access.checks import (
    check_due_move_refusal,
    check_responsible_decision,
    checks_mine_and_movable,
)
from jointcase.risk.models import CheckOutcome, CheckStatus, RequiredCheck
from tests.register_fixtures import CaseWorld
from tests.risk.conftest import enter_pre_release


def test_the_page_wide_answer_equals_the_single_check_rules(checks_world: CaseWorld) -> None:
    enter_pre_release(checks_world)
    checks = list(RequiredCheck.objects.filter(case=checks_world.case).order_by("pk"))
    assert len(checks) >= 2
    RequiredCheck.objects.filter(pk=checks[0].pk).update(
        status=CheckStatus.COMPLETED,
        outcome=CheckOutcome.NO_TRACE,
        completed_on=timezone.localdate(),
    )
    checks[0].refresh_from_db()

    allowed_somewhere = False
    for name, user in checks_world.personas.all().items():
        mine, movable = checks_mine_and_movable(user, checks)
        for check in checks:
            is_open = check.status == CheckStatus.OPEN
            expected_mine = is_open and check_responsible_decision(user, check).allowed
            expected_move = check_due_move_refusal(user, check) is None
            assert (check.pk in mine) == expected_mine, (name, check.check_type)
            assert (check.pk in movable) == expected_move, (name, check.check_type)
            allowed_somewhere |= expected_move
    assert allowed_somewhere, "the world must let someone move a date, or the test proves little"


def test_the_page_wide_answer_does_not_query_per_row(checks_world: CaseWorld) -> None:
    enter_pre_release(checks_world)
    checks = list(RequiredCheck.objects.filter(case=checks_world.case))
    lead = checks_world.personas.nsd_lead
    with CaptureQueriesContext(connection) as one:
        checks_mine_and_movable(lead, checks[:1])
    with CaptureQueriesContext(connection) as all_of_them:
        checks_mine_and_movable(lead, checks)
    assert len(checks) >= 2
    assert len(all_of_them) == len(one)
