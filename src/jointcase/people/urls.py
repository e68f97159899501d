from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.lib import converters  # noqa: F401  (registers <id:...>)
from jointcase.people import views

app_name = "people"

urlpatterns: list[URLPattern | URLResolver] = [
    path("new/", views.person_new, name="new"),
    path("<uuid:person_id>/", views.person_detail, name="person"),
    path("<uuid:person_id>/edit/", views.person_edit, name="edit"),
    path("<uuid:person_id>/history/", views.person_history, name="history"),
    path("<uuid:person_id>/names/new/", views.name_add, name="name-add"),
    path("<uuid:person_id>/identifiers/new/", views.identifier_add, name="identifier-add"),
    path("<uuid:person_id>/addresses/new/", views.address_add, name="address-add"),
    path("<uuid:person_id>/contacts/new/", views.contact_add, name="contact-add"),
    path("<uuid:person_id>/vehicles/new/", views.vehicle_add, name="vehicle-add"),
    path("<uuid:person_id>/documents/new/", views.document_add, name="document-add"),
    path("<uuid:person_id>/cases/new/", views.case_open, name="case-open"),
]
