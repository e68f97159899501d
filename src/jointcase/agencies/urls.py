from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.agencies import views
from jointcase.lib import converters  # noqa: F401  (registers <id:...>)

app_name = "agencies"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.users_list, name="admin-users"),
    path("users/new/", views.user_create, name="admin-user-create"),
    path("users/<id:user_id>/", views.user_detail, name="admin-user"),
    path("users/<id:user_id>/details/", views.user_edit, name="admin-user-edit"),
    path("users/<id:user_id>/roles/", views.user_roles, name="admin-user-roles"),
    path("users/<id:user_id>/vetting/", views.user_vetting, name="admin-user-vetting"),
    path("users/<id:user_id>/caveats/", views.user_caveats, name="admin-user-caveats"),
    path("users/<id:user_id>/disable/", views.user_disable, name="admin-user-disable"),
    path("users/<id:user_id>/enable/", views.user_enable, name="admin-user-enable"),
    path(
        "users/<id:user_id>/reset-second-factor/",
        views.user_mfa_reset,
        name="admin-user-mfa-reset",
    ),
    path(
        "users/<id:user_id>/enrolment-link/",
        views.user_enrolment_link,
        name="admin-user-enrolment-link",
    ),
    path("teams/", views.teams_list, name="admin-teams"),
    path("teams/new/", views.team_create, name="admin-team-create"),
    path("teams/<id:team_id>/", views.team_detail, name="admin-team"),
    path("teams/<id:team_id>/members/add/", views.team_member_add, name="admin-team-member-add"),
    path(
        "teams/<id:team_id>/members/<id:membership_id>/end/",
        views.team_member_end,
        name="admin-team-member-end",
    ),
]
