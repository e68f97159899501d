"""Pages of the workforce app: caseloads and capacity, allocation, prison training and POM
involvement."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.workforce.views import allocation, caseload, training

app_name = "workforce"

urlpatterns: list[URLPattern | URLResolver] = [
    # Prison training and POM involvement.
    path("workforce/training/", training.overview, name="training-overview"),
    path("workforce/training/mine/", training.mine, name="training-mine"),
    path("workforce/training/record/", training.record, name="training-record"),
    path(
        "workforce/training/establishments/<slug:code>/",
        training.establishment,
        name="training-establishment",
    ),
    # Caseloads, capacity and allocation (docs/workforce.md).
    path("workforce/caseload/", caseload.caseload_mine, name="caseload"),
    path("workforce/caseload/team/", caseload.team_caseload, name="caseload-team"),
    path(
        "workforce/caseload/people/<int:user_id>/",
        caseload.caseload_person,
        name="caseload-person",
    ),
    path(
        "workforce/caseload/people/<int:user_id>/capacity/",
        caseload.capacity_edit,
        name="capacity-edit",
    ),
    path("workforce/capacity/", caseload.capacity, name="capacity"),
    path("workforce/allocation/", allocation.allocation_queue, name="allocation-queue"),
    path(
        "workforce/allocation/cases/<uuid:case_id>/",
        allocation.allocation_case,
        name="allocation-case",
    ),
    path(
        "workforce/allocation/<uuid:allocation_id>/",
        allocation.allocation_result,
        name="allocation",
    ),
    path(
        "workforce/allocation/<uuid:allocation_id>/handover/<int:action_id>/",
        allocation.handover_tick,
        name="handover-tick",
    ),
]
