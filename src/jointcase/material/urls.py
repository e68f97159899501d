"""Material routes (mounted at the root: ``path("", include("jointcase.material.urls"))``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.lib import converters  # noqa: F401  (registers <id:...>)
from jointcase.material import views

app_name = "material"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<uuid:case_id>/material/", views.case_material, name="case-material"),
    path("cases/<uuid:case_id>/material/new/", views.item_add, name="item-add"),
    path("cases/<uuid:case_id>/notes/new/", views.note_add, name="note-add"),
    path(
        "cases/<uuid:case_id>/material/break-glass/", views.breakglass_open, name="breakglass-open"
    ),
    path("material/<uuid:item_id>/", views.item_detail, name="item"),
    path("material/<uuid:item_id>/label/", views.label_change, name="label-change"),
    path("material/<uuid:item_id>/tearlines/new/", views.tearline_add, name="tearline-add"),
    path("material/<uuid:item_id>/approve/", views.tearline_approve, name="tearline-approve"),
    path("material/<uuid:item_id>/request/", views.request_access, name="request-access"),
    path("material/<uuid:item_id>/share/", views.onward_share, name="onward-share"),
    path("material/<uuid:item_id>/export/", views.export, name="export"),
    path("material/<uuid:item_id>/destroy/", views.destroy, name="destroy"),
    path("material/<uuid:item_id>/retention/", views.retention_change, name="retention"),
    path("material/files/<uuid:file_id>/", views.download, name="download"),
    path("material/grants/<id:grant_id>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("material/requests/", views.share_inbox, name="inbox"),
    path("material/requests/mine/", views.my_requests, name="my-requests"),
    path("material/requests/<id:request_id>/", views.share_decide, name="share-decide"),
    path("material/break-glass/", views.breakglass_start, name="breakglass-start"),
    path("material/break-glass/review/", views.breakglass_queue, name="breakglass-queue"),
    path(
        "material/break-glass/<id:break_glass_id>/review/",
        views.breakglass_review,
        name="breakglass-review",
    ),
]
