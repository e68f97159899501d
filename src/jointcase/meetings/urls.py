"""Meetings and actions routes (mounted at ``meetings/``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.lib import converters  # noqa: F401  (registers <id:...>)
from jointcase.meetings import views

app_name = "meetings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.meeting_list, name="meetings"),
    path("new/", views.meeting_new, name="meeting-new"),
    path("<id:meeting_id>/", views.meeting_detail, name="meeting"),
    path("<id:meeting_id>/pack.pdf", views.meeting_pack, name="meeting-pack"),
    path("<id:meeting_id>/minutes/new/", views.section_add, name="section-add"),
    path("<id:meeting_id>/invite/", views.invite, name="invite"),
    path("<id:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<id:meeting_id>/actions/new/", views.meeting_action_new, name="meeting-action-new"),
    path("<id:meeting_id>/decisions/new/", views.decision_add, name="decision-add"),
    path("<id:meeting_id>/status/", views.meeting_status, name="meeting-status"),
    path("<id:meeting_id>/edit/", views.meeting_edit, name="meeting-edit"),
    path(
        "<id:meeting_id>/invitations/<id:invitation_id>/remove/",
        views.invitation_remove,
        name="invitation-remove",
    ),
    path("cases/<id:case_id>/plan/", views.risk_plan, name="risk-plan"),
    path("actions/mine/", views.my_actions, name="my-actions"),
    path("actions/team/", views.team_actions, name="team-actions"),
    path("actions/agency/", views.agency_actions, name="agency-actions"),
    path("actions/<id:action_id>/", views.action_detail, name="action"),
    path("actions/<id:action_id>/complete/", views.action_complete, name="action-complete"),
    path("actions/<id:action_id>/reassign/", views.action_reassign, name="action-reassign"),
    path("actions/<id:action_id>/status/", views.action_status, name="action-status"),
    path("actions/<id:action_id>/due/", views.action_due, name="action-due"),
    path("cases/<id:case_id>/actions/new/", views.case_action_new, name="case-action-new"),
]
