"""The case's Risk tab: the current RoSH matrix, every domain's rating, the next review date,
the case's open required checks (with a link to all of them), and the assessment history.

Thin: the case is read through the register's audited read and purpose gate; the
assessments through ``risk.selectors`` (scoped by ``jointcase.access.assessments``).
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from jointcase.access.assessments import assessment_start_refusal
from jointcase.access.policy import Decision
from jointcase.cases.views import PHASE_BADGES, _case_for, case_tabs
from jointcase.people.views import acting_user
from jointcase.risk.forms.assessments import StartForm
from jointcase.risk.instruments import instruments
from jointcase.risk.selectors.assessments import case_risk_for
from jointcase.risk.views.checks import case_checks_summary


@require_http_methods(["GET"])
def case_risk(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    user = acting_user(request)
    case = _case_for(request, case_id)
    summary, history = case_risk_for(user=user, case=case)
    return render(
        request,
        "risk/case_risk.html",
        {
            "title": f"Risk: {case.person.display_name} ({case.reference})",
            "case": case,
            "tabs": case_tabs(case, "risk"),
            "tab_title": "Risk",
            "phase_badges": PHASE_BADGES,
            "summary": summary,
            "history": history,
            "case_checks": case_checks_summary(user, case),
            # The case was just read through the case rule (404 otherwise): it is seen.
            "can_start": assessment_start_refusal(user, case, case_seen=Decision(True, "case_read"))
            is None,
            "start_form": StartForm(),
            "instrument_titles": {key: i.title for key, i in instruments().items()},
        },
    )
