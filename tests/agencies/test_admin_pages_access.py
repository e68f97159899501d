"""Only agency administrators reach the agency administration pages; everyone else gets 404."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from jointcase.agencies import urls as agency_urls
from tests.agencies.helpers import denials

pytestmark = pytest.mark.django_db

NON_ADMINS = ["nsd_practitioner", "nsd_lead", "ctnm_officer", "auditor", "system_admin"]


def every_agency_url(user_id: int, team_id: int, membership_id: int) -> list[str]:
    values = {"user_id": user_id, "team_id": team_id, "membership_id": membership_id}
    urls = []
    for pattern in agency_urls.urlpatterns:
        names = [
            name
            for name in ("user_id", "team_id", "membership_id")
            if f"<id:{name}>" in str(pattern.pattern)
        ]
        urls.append(
            reverse(f"agencies:{pattern.name}", kwargs={name: values[name] for name in names})
        )
    return urls


def test_the_route_inventory_covers_every_agency_page():
    assert "agencies" in get_resolver().namespace_dict
    assert len(agency_urls.urlpatterns) == 16


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_anyone_but_an_agency_administrator_gets_not_found(client_for, personas, persona):
    from jointcase.agencies.models import Team, TeamMembership

    membership = TeamMembership.objects.filter(team__name="NSD North team 1").first()
    team = Team.objects.get(name="NSD North team 1")
    client = client_for(getattr(personas, persona))
    for url in every_agency_url(personas.nsd_practitioner.pk, team.pk, membership.pk):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x"}).status_code == 404, url
    assert len(denials("agencies.page_denied")) == 32
    assert TeamMembership.objects.get(pk=membership.pk).end is None


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get("/agencies/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_the_agency_administrator_sees_the_navigation_entry(admin_client, client_for, personas):
    assert 'href="/agencies/"' in admin_client.get("/").content.decode()
    assert (
        'href="/agencies/"' not in client_for(personas.nsd_practitioner).get("/").content.decode()
    )


def test_every_agency_page_renders_for_the_administrator(admin_client, personas):
    from jointcase.agencies.models import Team, TeamMembership

    team = Team.objects.get(name="NSD North team 1")
    membership = TeamMembership.objects.filter(team=team).first()
    for url in every_agency_url(personas.nsd_practitioner.pk, team.pk, membership.pk):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "OFFICIAL" in response.content.decode()
