"""Pages of the supervision app: a case's contacts and a practitioner's contacts due."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.supervision.views import contacts

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    path("contacts/", contacts.contacts_due, name="contacts-due"),
    path("cases/<uuid:case_id>/contacts/", contacts.case_contacts, name="case-contacts"),
    path("cases/<uuid:case_id>/contacts/plan/", contacts.contact_plan_page, name="contact-plan"),
    path(
        "cases/<uuid:case_id>/contacts/record/",
        contacts.contact_record_page,
        name="contact-record",
    ),
    path(
        "cases/<uuid:case_id>/contacts/<uuid:contact_id>/",
        contacts.contact_detail,
        name="contact",
    ),
    path(
        "cases/<uuid:case_id>/contacts/<uuid:contact_id>/outcome/",
        contacts.contact_outcome_page,
        name="contact-outcome",
    ),
    path(
        "cases/<uuid:case_id>/contacts/<uuid:contact_id>/cancel/",
        contacts.contact_cancel_page,
        name="contact-cancel",
    ),
]
