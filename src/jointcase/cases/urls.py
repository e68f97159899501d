from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.cases import views
from jointcase.lib import converters  # noqa: F401  (registers <id:...>)

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_cases, name="my-cases"),
    path("team/", views.team_cases, name="team-cases"),
    path("search/", views.search, name="search"),
    path("<uuid:case_id>/", views.case_overview, name="case"),
    path("<uuid:case_id>/person/", views.case_person, name="case-person"),
    path("<uuid:case_id>/sentence/", views.case_sentence, name="case-sentence"),
    path("<uuid:case_id>/notification/", views.case_notification, name="case-notification"),
    path("<uuid:case_id>/team/", views.case_team, name="case-team"),
    path("<uuid:case_id>/timeline/", views.case_timeline, name="case-timeline"),
    path("<uuid:case_id>/history/", views.case_history, name="case-history"),
    path("<uuid:case_id>/edit/", views.case_edit, name="edit"),
    path("<uuid:case_id>/mappa/new/", views.mappa_add, name="mappa-add"),
    path("<uuid:case_id>/placements/new/", views.placement_add, name="placement-add"),
    path("<uuid:case_id>/sentences/new/", views.sentence_add, name="sentence-add"),
    path("<uuid:case_id>/licences/new/", views.licence_add, name="licence-add"),
    path(
        "<uuid:case_id>/licences/<id:licence_id>/conditions/new/",
        views.condition_add,
        name="condition-add",
    ),
    path("<uuid:case_id>/recalls/new/", views.recall_add, name="recall-add"),
    path("<uuid:case_id>/exits/new/", views.exit_add, name="exit-add"),
    path("<uuid:case_id>/team/new/", views.team_member_add, name="team-member-add"),
    path("<uuid:case_id>/team/<id:member_id>/end/", views.team_member_end, name="team-member-end"),
    path("<uuid:case_id>/exclusions/new/", views.exclusion_add, name="exclusion-add"),
]
