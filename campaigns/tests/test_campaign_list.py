"""The campaign list: what each person sees, filters, and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, Impact
from campaigns.views import CAMPAIGN_PAGE_SIZE
from conftest import add_impact, make_campaign
from people.models import Audience, MarcomTeam
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db

# Beyond the layout (session, user, profile, menu): team filter options, the count for the pager,
# one page of campaigns, their teams, their impacts with audiences
LIST_QUERIES = 5


def _make_campaigns(owner, n: int, start: int = 0) -> None:
    teams = list(MarcomTeam.objects.all()[:2])
    audience = Audience.objects.get_or_create(name="Everyone in Sales", department="Sales")[0]
    for i in range(start, start + n):
        c = make_campaign(owner, title=f"Campaign {i}")
        c.teams.set(teams)
        add_impact(c, audience, Impact.Level.MEDIUM)


@pytest.mark.parametrize("n", [5, 120])
def test_campaign_list_runs_a_fixed_number_of_queries(
    client_for, ic, marketing, n, django_assert_num_queries
):
    _make_campaigns(marketing, n)
    client = client_for(ic)
    with django_assert_num_queries(layout_queries(ic) + LIST_QUERIES):
        response = client.get("/campaigns/")
    assert response.content.decode().count(">Campaign ") == min(n, CAMPAIGN_PAGE_SIZE)


def test_campaign_list_shows_one_page_at_a_time_keeping_the_filters(client_for, ic, marketing):
    _make_campaigns(marketing, CAMPAIGN_PAGE_SIZE + 3)
    client = client_for(ic)
    first = client.get("/campaigns/?status=draft").content.decode()
    assert f"{CAMPAIGN_PAGE_SIZE + 3} campaigns" in first and "Page 1 of 2" in first
    assert 'href="?status=draft&amp;page=2"' in first
    second = client.get("/campaigns/?status=draft&page=2").content.decode()
    assert second.count(">Campaign ") == 3 and "Page 2 of 2" in second


def test_campaign_list_queries_do_not_grow_for_marketing(client_for, marketing, django_assert_num_queries):
    client = client_for(marketing)
    _make_campaigns(marketing, 5)
    with CaptureQueriesContext(connection) as small:
        client.get("/campaigns/")
    _make_campaigns(marketing, 45, start=5)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/campaigns/")


def test_list_filters_by_status(client_for, ic, marketing):
    make_campaign(marketing, title="Drafty")
    make_campaign(marketing, title="Submitted one", status=Campaign.Status.SUBMITTED)
    html = client_for(ic).get("/campaigns/?status=submitted").content.decode()
    assert "Submitted one" in html
    assert "Drafty" not in html


def test_list_filters_by_team(client_for, ic, marketing):
    make_campaign(marketing, title="PR push").teams.add(MarcomTeam.objects.get(slug="pr"))
    make_campaign(marketing, title="Event push").teams.add(MarcomTeam.objects.get(slug="events"))
    html = client_for(ic).get("/campaigns/?team=pr").content.decode()
    assert "PR push" in html
    assert "Event push" not in html


def test_list_filters_to_my_campaigns(client_for, ic, marketing):
    make_campaign(marketing, title="Mia campaign")
    make_campaign(ic, title="Ian campaign")
    html = client_for(ic).get("/campaigns/?mine=1").content.decode()
    assert "Ian campaign" in html
    assert "Mia campaign" not in html


def test_unknown_status_filter_is_ignored(client_for, ic, campaign):
    response = client_for(ic).get("/campaigns/?status=bogus")
    assert response.status_code == 200
    assert campaign.title in response.content.decode()
