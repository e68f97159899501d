"""Meetings and actions routes (mounted at ``meetings/``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.lib import converters  # noqa: F401  (registers <id:...>)
from jointcase.meetings import views

app_name = "meetings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.meeting_list, name="meetings"),
    path("new/", views.meeting_new, name="meeting-new"),
    path("<uuid:meeting_id>/", views.meeting_detail, name="meeting"),
    path("<uuid:meeting_id>/pack.pdf", views.meeting_pack, name="meeting-pack"),
    path("<uuid:meeting_id>/minutes/new/", views.section_add, name="section-add"),
    path("<uuid:meeting_id>/invite/", views.invite, name="invite"),
    path("<uuid:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<uuid:meeting_id>/actions/new/", views.meeting_action_new, name="meeting-action-new"),
    path("<uuid:meeting_id>/decisions/new/", views.decision_add, name="decision-add"),
    path("<uuid:meeting_id>/status/", views.meeting_status, name="meeting-status"),
    path("<uuid:meeting_id>/edit/", views.meeting_edit, name="meeting-edit"),
    path(
        "<uuid:meeting_id>/invitations/<uuid:invitation_id>/remove/",
        views.invitation_remove,
        name="invitation-remove",
    ),
    path("cases/<uuid:case_id>/plan/", views.risk_plan, name="risk-plan"),
    path("actions/mine/", views.my_actions, name="my-actions"),
    path("actions/team/", views.team_actions, name="team-actions"),
    path("actions/agency/", views.agency_actions, name="agency-actions"),
    path("actions/<uuid:action_id>/", views.action_detail, name="action"),
    path("actions/<uuid:action_id>/complete/", views.action_complete, name="action-complete"),
    path("actions/<uuid:action_id>/reassign/", views.action_reassign, name="action-reassign"),
    path("actions/<uuid:action_id>/status/", views.action_status, name="action-status"),
    path("actions/<uuid:action_id>/due/", views.action_due, name="action-due"),
    path("cases/<uuid:case_id>/actions/new/", views.case_action_new, name="case-action-new"),
]
