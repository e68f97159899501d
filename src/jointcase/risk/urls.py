"""Pages of the risk app: assessments and required checks."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.risk.views import assessments, case_risk, checks

app_name = "risk"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<uuid:case_id>/risk/", case_risk.case_risk, name="case-risk"),
    path(
        "cases/<uuid:case_id>/risk/assessments/new/",
        assessments.assessment_new,
        name="assessment-new",
    ),
    path("assessments/<uuid:assessment_id>/", assessments.assessment_detail, name="assessment"),
    path(
        "assessments/<uuid:assessment_id>/edit/",
        assessments.assessment_edit,
        name="assessment-edit",
    ),
    path(
        "assessments/<uuid:assessment_id>/sections/<slug:section_code>/",
        assessments.assessment_section,
        name="assessment-section",
    ),
    path(
        "assessments/<uuid:assessment_id>/complete/",
        assessments.assessment_complete_view,
        name="assessment-complete",
    ),
    path(
        "assessments/<uuid:assessment_id>/countersign/",
        assessments.assessment_countersign_view,
        name="assessment-countersign",
    ),
    path(
        "assessments/<uuid:assessment_id>/return/",
        assessments.assessment_return_view,
        name="assessment-return",
    ),
    path("checks/", checks.checks_due, name="checks-due"),
    path("checks/compliance/", checks.compliance, name="checks-compliance"),
    path("cases/<uuid:case_id>/checks/", checks.case_checks, name="case-checks"),
    path(
        "cases/<uuid:case_id>/checks/<uuid:check_id>/complete/",
        checks.check_complete_page,
        name="check-complete",
    ),
    path(
        "cases/<uuid:case_id>/checks/<uuid:check_id>/due-date/",
        checks.check_due_move_page,
        name="check-due-move",
    ),
    path("cases/<uuid:case_id>/changes/new/", checks.change_record_page, name="change-record"),
]
