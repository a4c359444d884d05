"""Changes to the rollout show in the campaign's change history: who, when, what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rollout.models import RolloutStage
from rollout.tests.engine import stage_of
from rollout.tests.test_rollout_views import stage_data

pytestmark = pytest.mark.django_db
Kind = RolloutStage.Kind


def _history_text(client, campaign) -> str:
    html = client.get(reverse("campaign_history", args=[campaign.pk])).content.decode()
    return html[html.index('id="history-h"') :]


def test_stage_edit_appears_in_change_history(client_for, ic, marketing, campaign):
    reminder = stage_of(campaign, Kind.REMINDER)
    client = client_for(ic)
    data = stage_data(kind=Kind.REMINDER, days=2, hours=0, minutes=0, subject="Nearly there")
    assert client.post(reverse("stage_edit", args=[campaign.pk, reminder.pk]), data).status_code == 302
    text = _history_text(client_for(marketing), campaign)
    assert "Ian Tester" in text
    assert "Stage “Reminder”: send time" in text
    assert "1 day before go-live" in text and "2 days before go-live" in text
    assert "Nearly there" in text


def test_added_and_removed_stages_appear_in_change_history(client_for, ic, campaign):
    client = client_for(ic)
    client.post(reverse("stage_add", args=[campaign.pk]), stage_data())
    follow_up = stage_of(campaign, Kind.FOLLOW_UP)
    client.post(reverse("stage_delete", args=[campaign.pk, follow_up.pk]))
    text = _history_text(client, campaign)
    assert "Added stage “Custom” (2 days 3 hours 30 minutes before go-live)" in text
    assert "Removed stage “Follow-up” (7 days after go-live)" in text


def test_test_send_appears_in_change_history(client_for, ic, campaign):
    client = client_for(ic)
    reminder = stage_of(campaign, Kind.REMINDER)
    client.post(reverse("stage_test_send", args=[campaign.pk, reminder.pk]))
    assert "Sent a test of stage “Reminder” to ian@example.com" in _history_text(client, campaign)


def test_pause_and_resume_appear_in_change_history(client_for, ic, campaign):
    client = client_for(ic)
    client.post(reverse("campaign_pause", args=[campaign.pk]))
    client.post(reverse("campaign_resume", args=[campaign.pk]), {"confirm": "1"})
    text = _history_text(client, campaign)
    assert "Rollout paused" in text and "Rollout resumed" in text


def test_stage_audience_change_appears_in_change_history(client_for, ic, campaign, support):
    reminder = stage_of(campaign, Kind.REMINDER)
    client = client_for(ic)
    data = stage_data(kind=Kind.REMINDER, days=1, hours=0, minutes=0, audiences=[support.pk])
    client.post(reverse("stage_edit", args=[campaign.pk, reminder.pk]), data)
    assert "Stage “Reminder”: audiences medium and high impact audiences → Support" in _history_text(
        client, campaign
    )


def test_campaign_page_queries_do_not_grow_with_stage_history(client_for, ic, campaign):
    client = client_for(ic)
    reminder = stage_of(campaign, Kind.REMINDER)

    def edit(n: int) -> None:
        for i in range(n):
            data = stage_data(kind=Kind.REMINDER, days=1, hours=i, minutes=0, subject=f"Edit {i}")
            client.post(reverse("stage_edit", args=[campaign.pk, reminder.pk]), data)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(campaign.get_absolute_url())
        return len(ctx.captured_queries)

    edit(1)
    few = count()
    edit(10)
    assert count() == few
