"""Nothing goes out by surprise: an action that sends now says what, to how many, on which channels, and asks."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from campaigns.models import Campaign
from rollout import dispatch, plan
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of, tick
from rollout.tests.test_rollout_views import stage_data

pytestmark = pytest.mark.django_db
Kind, State = RolloutStage.Kind, RolloutStage.State
# Go-live in 10 days: the early warning (14 days before) is 4 days overdue, the rest still ahead.
NOW = GO_LIVE - timedelta(days=10)


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def submitted(running) -> Campaign:
    running.status = Campaign.Status.SUBMITTED
    running.save(update_fields=["status"])
    return running


def _approve(client, campaign: Campaign, **extra):
    return client.post(reverse("campaign_move", args=[campaign.pk, "approve"]), {"comment": "Fine", **extra})


def test_approving_with_an_overdue_early_warning_asks_first_and_names_people_and_channels(
    client_for, ic, submitted, employee, at_now
):
    response = _approve(client_for(ic), submitted)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sends now: Early warning to 1 person, in-app and email" in page
    assert 'name="confirm"' in page
    assert f'href="{submitted.get_absolute_url()}"' in page  # Cancel goes back
    submitted.refresh_from_db()
    assert submitted.status == Campaign.Status.SUBMITTED  # nothing changed
    tick(NOW)
    assert not Delivery.objects.exists()  # nothing sent


def test_approving_with_confirm_approves_and_the_next_tick_sends(client_for, ic, submitted, employee, at_now):
    response = _approve(client_for(ic), submitted, confirm="1")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Campaign.Status.APPROVED
    assert submitted.review_comment == "Fine"
    tick(NOW)
    assert stage_of(submitted, Kind.EARLY_WARNING).state == State.SENT


def test_approving_with_nothing_overdue_does_not_ask(client_for, ic, submitted, employee):
    with time_machine.travel(GO_LIVE - timedelta(days=20), tick=False):
        response = _approve(client_for(ic), submitted)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Campaign.Status.APPROVED


def test_confirmation_follows_the_overdue_rule(client_for, ic, submitted, employee):
    """Two stages overdue to the same people: only the latest is named as sending, the earlier as skipped."""
    with time_machine.travel(GO_LIVE - timedelta(days=3), tick=False):
        page = _approve(client_for(ic), submitted).content.decode()
    assert "Sends now: Briefing invitation to 1 person, in-app and email" in page
    assert "Early warning to" not in page
    assert "Skipped: Early warning" in page


def test_resume_asks_before_sending_overdue_stages(client_for, ic, running, employee, at_now):
    client = client_for(ic)
    client.post(reverse("campaign_pause", args=[running.pk]))
    response = client.post(reverse("campaign_resume", args=[running.pk]))
    assert response.status_code == 200
    assert "Sends now: Early warning to 1 person, in-app and email" in response.content.decode()
    running.refresh_from_db()
    assert running.is_paused
    tick(NOW)
    assert not Delivery.objects.exists()

    assert client.post(reverse("campaign_resume", args=[running.pk]), {"confirm": "1"}).status_code == 302
    running.refresh_from_db()
    assert not running.is_paused


def test_adding_a_stage_in_the_past_asks_first(client_for, ic, running, employee, at_now):
    tick(NOW)  # the overdue early warning has gone: only the new stage is news
    client = client_for(ic)
    data = stage_data(days=11, hours=0, minutes=0, channels=["in_app"])
    response = client.post(reverse("stage_add", args=[running.pk]), data)
    assert response.status_code == 200
    assert "Sends now: Custom to 1 person, in-app" in response.content.decode()
    assert not running.stages.filter(kind=Kind.CUSTOM).exists()

    response = client.post(reverse("stage_add", args=[running.pk]), {**data, "confirm": "1"})
    assert response.status_code == 302
    assert running.stages.get(kind=Kind.CUSTOM).send_at == GO_LIVE - timedelta(days=11)


def test_moving_a_stage_into_the_past_asks_first(client_for, ic, running, employee, at_now):
    tick(NOW)
    reminder = stage_of(running, Kind.REMINDER)
    url = reverse("stage_edit", args=[running.pk, reminder.pk])
    data = stage_data(kind=Kind.REMINDER, days=12, hours=0, minutes=0)
    response = client_for(ic).post(url, data)
    assert response.status_code == 200
    assert "Sends now: Reminder to 1 person, in-app and email" in response.content.decode()
    reminder.refresh_from_db()
    assert reminder.offset_minutes == -24 * 60


def test_adding_a_future_stage_does_not_ask(client_for, ic, running, employee, at_now):
    tick(NOW)
    response = client_for(ic).post(reverse("stage_add", args=[running.pk]), stage_data(days=2))
    assert response.status_code == 302


def test_overdue_stage_shows_overdue_not_planned(client_for, ic, submitted, at_now):
    page = client_for(ic).get(submitted.get_absolute_url()).content.decode()
    panel = page[page.index('<ol class="timeline">') :]  # the stage list, after the picture
    early = panel[panel.index("Early warning") : panel.index("Briefing invitation")]
    assert "Overdue: sends at the next tick once approved" in early
    assert "Planned" not in early


def test_overdue_stage_of_an_approved_campaign_sends_at_the_next_tick(client_for, ic, running, at_now):
    page = client_for(ic).get(running.get_absolute_url()).content.decode()
    panel = page[page.index('id="rollout-h"') :]
    assert "Overdue: sends at the next tick" in panel
    assert "once approved" not in panel


def _interrupt_early_warning(campaign: Campaign, at) -> None:
    """The early warning went in-app, its email is still waiting (no worker took it), then IC paused."""
    dispatch.dispatch_due(at, enqueue=lambda ids: None)
    plan.pause(campaign)


def test_resume_names_the_waiting_email_of_an_interrupted_stage(client_for, ic, running, employee):
    at = GO_LIVE - timedelta(days=14)
    _interrupt_early_warning(running, at)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        page = client_for(ic).post(reverse("campaign_resume", args=[running.pk])).content.decode()
    assert "Sends now: the rest of Early warning: 1 email" in page


def test_resume_follows_the_overdue_rule_for_an_interrupted_stage(client_for, ic, running, employee):
    at = GO_LIVE - timedelta(days=14)
    _interrupt_early_warning(running, at)
    with time_machine.travel(GO_LIVE - timedelta(days=6), tick=False):
        page = client_for(ic).post(reverse("campaign_resume", args=[running.pk])).content.decode()
    assert "Sends now: Briefing invitation to 1 person, in-app and email" in page
    assert "Skipped: the rest of Early warning" in page
    assert "the rest of Early warning: 1 email" not in page


def test_approving_through_the_api_with_an_overdue_early_warning_answers_409_and_changes_nothing(
    client_for, ic, submitted, employee, at_now
):
    url = reverse("campaign-move", args=[submitted.pk])
    response = client_for(ic).post(url, {"status": "approved"}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["sends_now"] == ["Early warning to 1 person, in-app and email"]
    submitted.refresh_from_db()
    assert submitted.status == Campaign.Status.SUBMITTED


def test_approving_through_the_api_with_confirm_approves(client_for, ic, submitted, employee, at_now):
    url = reverse("campaign-move", args=[submitted.pk])
    response = client_for(ic).post(
        url, {"status": "approved", "confirm": True}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == Campaign.Status.APPROVED
