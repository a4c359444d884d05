"""The audience load page, the key-message check, the campaign page's warnings panel, nav and demo."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Impact, KeyMessage
from conftest import add_impact, make_campaign
from planning import demo
from planning.models import CommsItem
from planning.tests.conftest import make_briefing, make_comms, make_stage
from tests.layout_queries import layout_queries

NOW = timezone.datetime(2027, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_heat_map_gives_each_cell_as_text(client_for, ic, sales):
    for n in range(4):
        make_comms(NOW + timedelta(days=1, hours=n), [sales], title=f"Item {n}")
    response = client_for(ic).get(reverse("planning_load"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '4<span class="visually-hidden"> announcements for Sales in the week of 8 March</span>' in body
    assert '<span class="heat-flag">over cap</span>' in body
    assert "Sales, week of 8 Mar: 4 (cap 3)" in body


def test_marketing_may_see_the_load(client_for, marketing):
    assert client_for(marketing).get(reverse("planning_load")).status_code == 200


@pytest.mark.parametrize("persona", ["employee", "presenter"])
def test_employees_and_presenters_may_not_see_the_load(client_for, request, persona):
    assert client_for(request.getfixturevalue(persona)).get(reverse("planning_load")).status_code == 403


def _live(owner, title, audience, messages, days=5):
    c = make_campaign(owner, title=title, go_live_in=timedelta(days=days), status=Campaign.Status.APPROVED)
    add_impact(c, audience, Impact.Level.HIGH)
    for n, text in enumerate(messages):
        KeyMessage.objects.create(campaign=c, position=n, text=text)
    return c


def test_the_key_message_check_puts_overlapping_campaigns_side_by_side(
    client_for, ic, marketing, other_marketing, sales
):
    _live(marketing, "Spring Savings", sales, ["Save more with us"])
    _live(other_marketing, "Summer Loans", sales, ["Borrow for less"], days=6)
    response = client_for(ic).get(reverse("planning_load"))
    (pair,) = response.context["pairs"]
    assert {pair.first.title, pair.second.title} == {"Spring Savings", "Summer Loans"}
    body = response.content.decode()
    assert "Save more with us" in body and "Borrow for less" in body


def test_campaigns_in_different_weeks_or_audiences_are_not_paired(
    client_for, ic, marketing, other_marketing, sales, support
):
    _live(marketing, "Spring Savings", sales, ["A"])
    _live(other_marketing, "Later", sales, ["B"], days=40)
    _live(other_marketing, "Elsewhere", support, ["C"])
    assert client_for(ic).get(reverse("planning_load")).context["pairs"] == []


def test_drafts_are_not_in_the_key_message_check(client_for, ic, marketing, other_marketing, sales):
    _live(marketing, "Spring Savings", sales, ["A"])
    draft = _live(other_marketing, "Draft idea", sales, ["B"])
    Campaign.objects.filter(pk=draft.pk).update(status=Campaign.Status.DRAFT)
    assert client_for(ic).get(reverse("planning_load")).context["pairs"] == []


def test_marketing_sees_no_key_messages_of_campaigns_they_cannot_open(
    client_for, marketing, other_marketing, sales
):
    _live(marketing, "Spring Savings", sales, ["A"])
    _live(other_marketing, "Summer Loans", sales, ["Top secret message"])
    body = client_for(marketing).get(reverse("planning_load")).content.decode()
    assert "Top secret message" not in body and "Summer Loans" not in body


@pytest.mark.parametrize("n", [10, 200])
def test_the_load_page_takes_a_fixed_number_of_queries(
    client_for, ic, marketing, sales, support, django_assert_num_queries, n
):
    for i in range(n):
        c = make_campaign(
            marketing, title=f"C{i}", go_live_in=timedelta(days=i % 60 + 1), status=Campaign.Status.APPROVED
        )
        add_impact(c, sales)
        KeyMessage.objects.create(campaign=c, position=0, text=f"Message {i}")
        make_stage(c, NOW + timedelta(days=i % 50), [sales, support])
        make_briefing(c, NOW + timedelta(days=i % 40), [sales])
        make_comms(NOW + timedelta(days=i % 30), [support], title=f"Item {i}")
    client = client_for(ic)
    client.get(reverse("planning_load"))
    with django_assert_num_queries(
        layout_queries(ic) + 7
    ):  # the layout counts menu badges; the heat map is one GROUP BY
        client.get(reverse("planning_load"))


# --- the campaign page's warnings panel ------------------------------------------------------
def test_the_campaign_page_lists_open_warnings(client_for, ic, campaign, other_campaign, sales):
    make_stage(other_campaign, NOW + timedelta(days=3), [sales])
    make_stage(campaign, NOW + timedelta(days=3, hours=2), [sales], kind="early_warning")
    body = client_for(ic).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "Load warnings" in body
    assert "<strong>Collision:</strong> within 24 hours of another campaign" in body
    assert "Early warning stage" in body and "Secret Summer Launch" in body


def test_the_warnings_panel_hides_embargoed_titles_from_marketing(
    client_for, marketing, campaign, other_campaign, sales
):
    make_stage(other_campaign, NOW + timedelta(days=3), [sales])
    make_stage(campaign, NOW + timedelta(days=3, hours=2), [sales], kind="early_warning")
    body = client_for(marketing).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "within 24 hours of another campaign" in body
    assert "Embargoed campaign" in body and "Secret Summer Launch" not in body


def test_the_warnings_panel_says_so_when_there_is_nothing(client_for, ic, campaign, sales):
    make_stage(campaign, NOW + timedelta(days=3), [sales])
    body = client_for(ic).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "No open warnings" in body


def test_briefings_are_checked_on_the_campaign_page_too(client_for, ic, campaign, other_campaign, sales):
    for n in range(3):
        make_comms(NOW + timedelta(days=5, hours=n), [sales], title=f"Item {n}")
    make_briefing(campaign, NOW + timedelta(days=5, hours=6), [sales], title="Team huddle", presenter=ic)
    body = client_for(ic).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "<strong>Over cap:</strong> week of Mon 15 Mar 2027: Sales 4 announcements (cap 3)." in body
    assert "Briefing “Team huddle”" in body and "3 other items" in body


def test_the_campaign_page_takes_the_same_queries_however_many_campaigns_share_its_weeks(
    client_for, ic, marketing, campaign, sales, support, django_assert_num_queries
):
    make_stage(campaign, NOW + timedelta(days=3), [sales, support], kind="early_warning")
    make_briefing(campaign, NOW + timedelta(days=4), [sales], title="Team huddle", presenter=ic)
    client = client_for(ic)

    def busy(n: int, start: int = 0) -> None:
        for i in range(start, start + n):
            other = make_campaign(marketing, title=f"Other {i}", status=Campaign.Status.APPROVED)
            make_stage(other, NOW + timedelta(days=3, hours=i % 20), [sales, support])
            make_briefing(other, NOW + timedelta(days=4, hours=i % 20), [support], presenter=ic)
            make_comms(NOW + timedelta(days=3, hours=i % 30), [sales], title=f"Item {i}")

    busy(2)
    url = reverse("campaign_detail", args=[campaign.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert "Load warnings" in client.get(url).content.decode()
    busy(40, start=2)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert "<strong>Over cap:</strong>" in body and "<strong>Collision:</strong>" in body


# --- navigation and demo ---------------------------------------------------------------------
def test_the_calendar_is_in_the_menu_for_ic_and_marketing_only(client_for, ic, marketing, employee):
    for user, expected in ((ic, True), (marketing, True), (employee, False)):
        body = client_for(user).get(reverse("home")).content.decode()
        assert (f'href="{reverse("calendar")}"' in body) is expected


def test_demo_seed_is_idempotent(sales):
    out = io.StringIO()
    demo.seed(out)
    demo.seed(out)
    assert CommsItem.objects.count() == len(demo.ITEMS)
    assert "already there" in out.getvalue()
