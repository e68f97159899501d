"""The page layout: GOV.UK chrome, landmarks, the protective marking and the home page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template import engines
from django.test import Client, RequestFactory

from jointcase.home.marking import marking_for_request

pytestmark = pytest.mark.django_db


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _render(source: str) -> str:
    return engines["jinja2"].env.from_string(source).render()


def test_the_static_header_is_exactly_what_the_generic_header_macro_renders():
    from_macro = _render(
        '{% from "govuk_frontend_jinja/components/generic-header/macro.html"'
        " import govukGenericHeader %}"
        '{{ govukGenericHeader({"url": url("home:home"), "logoText": service_name}) }}'
    )
    assert _squash(_render('{% include "home/_service_header.html" %}')) == _squash(from_macro)


def test_the_header_names_the_service_without_the_crown_or_the_govuk_logotype():
    body = Client().get("/sign-in/").content.decode()
    header = body[body.index('<header class="govuk-template__header"') : body.index("</header>")]
    assert 'homepage-link"> JointCase </a>' in _squash(header)
    assert 'href="/"' in header
    for govuk_brand in ("govuk-header__logotype", "GOV.UK", "<svg", "https://www.gov.uk"):
        assert govuk_brand not in header


def test_the_footer_carries_the_handling_statement_not_the_open_government_licence():
    body = _squash(Client().get("/sign-in/").content.decode())
    footer = body[body.index('<footer class="govuk-template__footer"') : body.index("</footer>")]
    assert "Handling this information" in footer
    assert f"marked OFFICIAL to {settings.SYSTEM_HIGH}" in footer
    assert "Every read is audited" in footer
    assert "according to the protective marking" in footer
    assert 'href="/accessibility/"' in footer
    assert 'href="/privacy/"' in footer
    for wrong in ("Open Government Licence", "Crown copyright", "govuk-footer__crown", "<svg"):
        assert wrong not in footer


def test_every_page_has_the_landmarks_skip_link_and_two_marking_banners():
    body = Client().get("/sign-in/").content.decode()
    for landmark in (
        '<header class="govuk-template__header"',
        '<main class="govuk-main-wrapper"',
        '<footer class="govuk-template__footer"',
    ):
        assert landmark in body
    assert body.index("jc-marking--top") < body.index("govuk-skip-link") < body.index("<main")
    assert body.index("</footer>") < body.index("jc-marking--bottom")
    assert body.count('<strong class="jc-marking__text">OFFICIAL</strong>') == 2


def test_the_signed_in_home_page_shows_the_user_their_agency_and_navigation(personas, client_for):
    user = personas.nsd_practitioner
    body = client_for(user).get("/").content.decode()
    assert f"Welcome, {user.first_name}" in body
    assert "moj-identity-bar" in body
    assert user.agency.name in body
    assert 'aria-current="page"' in body  # "Home" is the current navigation item
    assert "Sign out" in body


def test_only_agency_administrators_are_offered_agency_administration(personas, client_for):
    admin_page = client_for(personas.agency_admin).get("/").content.decode()
    practitioner_page = client_for(personas.nsd_practitioner).get("/").content.decode()
    assert "Agency administration" in admin_page
    assert "Agency administration" not in practitioner_page


def test_the_banner_shows_the_highest_classification_noted_on_the_page():
    request = RequestFactory().get("/")
    marking = marking_for_request(request)
    marking.note("OFFICIAL-SENSITIVE")
    marking.note("SECRET")
    marking.note("OFFICIAL")
    assert marking_for_request(request).highest == "SECRET"
    assert marking.css_modifier == "secret"


def test_a_badge_in_a_macro_imported_without_context_still_raises_the_banner():
    request = RequestFactory().get("/")
    template = engines["jinja2"].from_string(
        '{% from "components/marking.html" import marking_badge, marking_banner %}'
        '{{ marking_badge("SECRET") }}'
    )
    from jointcase.home.marking import CURRENT_MARKING

    token = CURRENT_MARKING.set(marking_for_request(request))
    try:
        html = template.render({}, request)
    finally:
        CURRENT_MARKING.reset(token)
    assert "jc-badge--secret" in html
    assert marking_for_request(request).highest == "SECRET"


def test_health_answers_ok_without_signing_in():
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_static_files_and_frontend_assets_are_served_and_cacheable():
    client = Client()
    css = client.get("/static/govuk/govuk-frontend.min.css")
    font = client.get("/assets/images/favicon.svg")
    assert css.status_code == 200
    assert font.status_code == 200
    assert "no-store" not in css.get("Cache-Control", "")
    assert css["X-Content-Type-Options"] == "nosniff"
