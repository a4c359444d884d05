"""Every change to a campaign is recorded (who, when, what: old → new) and shown on its page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.history import campaign_history
from campaigns.models import Campaign, Impact
from campaigns.tests.conftest import campaign_post_data, edit_post_data
from conftest import add_impact
from people.models import Audience, MarcomTeam

pytestmark = pytest.mark.django_db


def _edit(client, campaign: Campaign, **changes):
    response = client.post(f"/campaigns/{campaign.pk}/edit/", edit_post_data(campaign, **changes))
    assert response.status_code == 302, response.context["editor"].error_links
    campaign.refresh_from_db()


def _history_text(client, campaign: Campaign) -> str:
    html = client.get(reverse("campaign_history", args=[campaign.pk])).content.decode()
    return html[html.index('id="history-h"') :]


def test_creating_a_campaign_is_the_first_history_entry(client_for, marketing):
    client = client_for(marketing)
    client.post("/campaigns/new/", campaign_post_data())
    campaign = Campaign.objects.get()
    text = _history_text(client, campaign)
    assert "Logged the campaign" in text
    assert "Mia Tester" in text
    assert "Added key message 1: “Switching is free”" in text


def test_field_change_shows_who_old_and_new(client_for, marketing, campaign):
    client = client_for(marketing)
    _edit(client, campaign, title="Autumn Savings")
    entry = campaign_history(campaign)[0]
    assert entry.who == "Mia Tester"
    line = next(line for line in entry.lines if line.label == "Title")
    assert (line.old, line.new) == ("Spring Savings", "Autumn Savings")
    text = _history_text(client, campaign)
    assert "Spring Savings" in text and "Autumn Savings" in text


def test_go_live_change_is_shown_in_the_viewers_zone(client_for, marketing, campaign):
    with time_machine.travel("2030-01-10 12:00Z", tick=False):
        campaign.go_live_at = campaign.embargo_until = timezone.now() + timedelta(days=30)
        campaign.save()
        client = client_for(marketing)
        _edit(client, campaign, go_live_at="2030-06-01T10:00")
        line = next(line for line in campaign_history(campaign)[0].lines if line.label == "Go-live")
    assert line.new == "1 Jun 2030, 09:00 UTC"  # computed outside the request: site zone (UTC)


def test_status_moves_show_with_the_comment(client_for, ic, campaign):
    campaign.status = Campaign.Status.SUBMITTED
    campaign.save()
    client = client_for(ic)
    client.post(f"/campaigns/{campaign.pk}/send-back/", {"comment": "Too broad"})
    text = _history_text(client, campaign)
    assert "Status → Draft: Too broad" in text
    assert "Ian Tester" in text


def test_impact_changes_are_visible(client_for, marketing, campaign, support):
    client = client_for(marketing)
    data = edit_post_data(campaign)
    data["impacts-0-level"] = "medium"
    data.update({"impacts-TOTAL_FORMS": "2", "impacts-1-audience": support.pk, "impacts-1-level": "low"})
    client.post(f"/campaigns/{campaign.pk}/edit/", data)
    text = _history_text(client, campaign)
    assert "Added audience Support (low impact)" in text
    assert "Audience sales: level" in text
    assert "High" in text and "Medium" in text


def test_key_message_edit_shows_old_and_new_text(client_for, marketing, campaign):
    campaign.set_key_messages(["First", "Second"])
    client = client_for(marketing)
    _edit(client, campaign, **{"messages-1-text": "Second, sharper"})
    text = _history_text(client, campaign)
    assert "Key message 2: text" in text
    assert "Second, sharper" in text


def test_team_change_is_recorded_as_a_reason(client_for, marketing, campaign):
    client = client_for(marketing)
    _edit(client, campaign, teams=[MarcomTeam.objects.get(slug="pr").pk])
    assert "Teams added: PR" in _history_text(client, campaign)


def test_unchanged_save_adds_no_entry(client_for, marketing, campaign):
    client = client_for(marketing)
    before = len(campaign_history(campaign))
    _edit(client, campaign)
    assert len(campaign_history(campaign)) == before


def _grow(campaign: Campaign, ic, n: int, start: int = 0) -> None:
    """n more history rows on each kind, and n more impacts."""
    for i in range(start, start + n):
        campaign.objectives = f"Objective {i}"
        campaign.save()
        campaign.set_key_messages([f"Message {i}", "Stays"])
        add_impact(
            campaign, Audience.objects.create(name=f"Audience {i}", department=f"D{i}"), Impact.Level.LOW
        )
        campaign.move_to(Campaign.Status.SUBMITTED, ic)
        campaign.move_to(Campaign.Status.DRAFT, ic, f"Round {i}")


def _count_queries(client, campaign: Campaign) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(campaign.get_absolute_url()).status_code == 200
    return len(ctx.captured_queries)


def test_campaign_page_query_count_does_not_grow_with_history(
    client_for, ic, campaign, django_assert_num_queries
):
    client = client_for(ic)
    _grow(campaign, ic, 1)
    few = _count_queries(client, campaign)
    _grow(campaign, ic, 25, start=1)
    with django_assert_num_queries(few):
        client.get(campaign.get_absolute_url())
    # Every panel (rollout, briefings, explainer, readiness, warnings) and the rollout's stage
    # history included: a fixed cost.
    assert few <= 40  # tests/test_campaign_page_at_a_glance.py pins it exactly


def test_the_history_has_its_own_page_linked_from_the_campaign_page(
    client_for, marketing, employee, campaign
):
    """It grows with every edit, so it is not drawn on the campaign page, which stays fixed-size."""
    client = client_for(marketing)
    _edit(client, campaign, title="Autumn Savings")
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert reverse("campaign_history", args=[campaign.pk]) in page
    assert "Spring Savings" not in page  # the old title is only on the history page
    assert "Spring Savings" in _history_text(client, campaign)
    assert client_for(employee).get(reverse("campaign_history", args=[campaign.pk])).status_code == 403
