"""/search/: each person finds what they may see, and nothing embargoed or someone else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, Invitation
from campaigns.models import Campaign, Impact
from conftest import add_impact, make_campaign
from explainers.models import Explainer
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db


def search(client, q: str):
    response = client.get(reverse("search"), {"q": q})
    assert response.status_code == 200
    return response


def found(response, kind: str) -> list[str]:
    """Titles of the hits in the group `kind` ("Campaigns", "Explainers", ...)."""
    for group in response.context["groups"]:
        if group.kind == kind:
            return [hit.title for hit in group.hits]
    return []


def published_explainer(campaign: Campaign, **text) -> Explainer:
    campaign.embargo_until = timezone.now() - timedelta(days=1)
    campaign.status = Campaign.Status.APPROVED
    campaign.save()
    return Explainer.objects.create(
        campaign=campaign, slug=campaign.slug, published_at=timezone.now() - timedelta(hours=1), **text
    )


def test_it_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("search"), {"q": "savings"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_ic_finds_a_campaign_by_a_word_in_its_embargoed_details(client_for, ic, campaign):
    response = search(client_for(ic), "rates")
    assert found(response, "Campaigns") == ["Spring Savings"]


def test_marketing_does_not_find_another_teams_campaign(client_for, other_marketing, campaign):
    assert found(search(client_for(other_marketing), "rates"), "Campaigns") == []


def test_marketing_finds_audiences_and_people_by_the_start_of_a_name(client_for, marketing, sales, employee):
    response = search(client_for(marketing), "Emm")
    assert found(response, "People") == ["Emma Tester"]
    assert found(search(client_for(marketing), "sal"), "Audiences") == ["Sales"]


def test_an_employee_finds_a_published_explainer_of_a_campaign_that_affects_them(
    client_for, employee, campaign
):
    published_explainer(campaign, what_and_why="Branch advisers explain the new mortgage rates.")
    response = search(client_for(employee), "mortgage")
    assert found(response, "Explainers") == ["Spring Savings"]
    assert response.context["groups"][0].hits[0].url == f"/explainers/{campaign.slug}/"


def test_an_employee_finds_nothing_of_an_explainer_before_its_embargo_lifts(client_for, employee, campaign):
    campaign.status = Campaign.Status.APPROVED
    campaign.save()
    Explainer.objects.create(
        campaign=campaign, slug=campaign.slug, what_and_why="mortgage", publishes_at_embargo=True
    )
    response = search(client_for(employee), "mortgage")
    assert response.context["groups"] == []
    assert b"Nothing matches" in response.content


def test_an_employee_finds_no_explainer_of_a_campaign_that_does_not_concern_them(
    client_for, employee_ny, campaign
):
    published_explainer(campaign, what_and_why="mortgage")
    assert found(search(client_for(employee_ny), "mortgage"), "Explainers") == []


def test_an_employee_never_gets_campaigns_audiences_or_people(client_for, employee, campaign, sales):
    response = search(client_for(employee), "Sales Spring Emma")
    assert {g.kind for g in response.context["groups"]} <= {"Explainers", "Briefings"}
    assert found(search(client_for(employee), "rates"), "Campaigns") == []


def test_an_employee_finds_a_briefing_they_are_invited_to_and_not_others(client_for, employee, campaign, ic):
    starts = timezone.now() + timedelta(days=3)
    mine = Briefing.objects.create(
        campaign=campaign,
        title="Savings huddle London",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    Briefing.objects.create(
        campaign=campaign, title="Savings huddle Leeds", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    Invitation.objects.create(briefing=mine, user=employee)
    assert found(search(client_for(employee), "huddle"), "Briefings") == ["Savings huddle London"]


@pytest.mark.parametrize("q", ['"unclosed', "-", "&|!:*", "a" * 5000, "<script>alert(1)</script>", "   "])
def test_odd_input_gets_a_page_not_an_error(client_for, ic, campaign, q):
    response = search(client_for(ic), q)
    assert b"<script>alert(1)" not in response.content


def test_the_page_says_what_was_searched_and_how_many_of_each_kind_matched(client_for, ic, campaign, sales):
    response = search(client_for(ic), "sales")
    assert b'name="q" value="sales"' in response.content
    assert "Results for “sales”: 1 audience." in response.content.decode()


def test_a_group_shows_the_best_ten_and_says_how_many_matched(client_for, ic, marketing):
    for i in range(12):
        make_campaign(marketing, title=f"Rates campaign {i}")
    response = search(client_for(ic), "rates")
    group = response.context["groups"][0]
    assert (group.kind, group.total, len(group.hits)) == ("Campaigns", 12, 10)
    assert b"Showing the best 10 of 12" in response.content


@pytest.mark.parametrize("campaigns", [3, 30])
def test_results_cost_the_same_number_of_queries_however_many_match(
    client_for, ic, marketing, sales, employee, campaigns, django_assert_num_queries
):
    for i in range(campaigns):
        c = make_campaign(marketing, title=f"Rates {i}")
        add_impact(c, sales, Impact.Level.HIGH)
        starts = timezone.now() + timedelta(days=3)
        Briefing.objects.create(
            campaign=c, title=f"Rates briefing {i}", starts_at=starts, ends_at=starts + timedelta(hours=1)
        )
    client = client_for(ic)
    # Per group: the best ten, plus a count once ten are shown (campaigns, explainers, briefings,
    # audiences, people).
    with django_assert_num_queries(layout_queries(ic) + 5 + (2 if campaigns > 10 else 0)):
        search(client, "rates")
