"""The default plan and re-planning: send times follow go-live, embargo holds, DST-safe day offsets."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest

from campaigns.models import Campaign
from conftest import make_campaign
from rollout.models import RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of, tick

pytestmark = pytest.mark.django_db
Kind, State = RolloutStage.Kind, RolloutStage.State
DAY = 24 * 60


def test_new_campaign_gets_the_default_plan(campaign):
    plan = list(campaign.stages.values_list("kind", "offset_minutes", "channels", "state"))
    assert plan == [
        (Kind.EARLY_WARNING, -14 * DAY, ["in_app", "email"], State.PLANNED),
        (Kind.BRIEFING_INVITATION, -7 * DAY, ["in_app", "email"], State.PLANNED),
        (Kind.REMINDER, -1 * DAY, ["in_app", "email"], State.PLANNED),
        (Kind.GO_LIVE, 0, ["in_app", "email"], State.PLANNED),
        (Kind.FOLLOW_UP, 7 * DAY, ["in_app", "email"], State.PLANNED),
    ]
    assert not any(s.audiences.exists() for s in campaign.stages.all())


def test_go_live_stage_asks_for_acknowledgement(campaign):
    assert stage_of(campaign, Kind.GO_LIVE).requires_acknowledgement


def test_moving_go_live_moves_unsent_stages(running):
    running.go_live_at = running.embargo_until = GO_LIVE + timedelta(days=3)
    running.save()
    assert stage_of(running, Kind.REMINDER).send_at == GO_LIVE + timedelta(days=2)


def test_moving_go_live_keeps_sent_stages_where_they_went(running, employee):
    tick(GO_LIVE - timedelta(days=14))
    running.go_live_at = running.embargo_until = GO_LIVE + timedelta(days=3)
    running.save()
    assert stage_of(running, Kind.EARLY_WARNING).send_at == GO_LIVE - timedelta(days=14)


def _custom(campaign, offset_minutes: int, body: str = "{{ details }}") -> RolloutStage:
    return RolloutStage.objects.create(
        campaign=campaign, offset_minutes=offset_minutes, channels=["in_app"], subject="s", body=body
    )


def test_stage_that_would_leak_after_embargo_moves_is_held_with_reason(running):
    running.embargo_until = GO_LIVE - timedelta(days=1)
    running.save()
    stage = _custom(running, -2 * 60)
    running.embargo_until = GO_LIVE
    running.save()
    stage.refresh_from_db()
    assert stage.state == State.HELD
    assert "embargoed details" in stage.state_reason


def test_held_stage_is_released_when_the_embargo_allows_it_again(running):
    stage = _custom(running, -2 * 60)
    running.save()
    assert RolloutStage.objects.get(pk=stage.pk).state == State.HELD
    running.embargo_until = GO_LIVE - timedelta(days=1)
    running.save()
    assert RolloutStage.objects.get(pk=stage.pk).state == State.PLANNED


def test_held_stage_is_never_sent(running, employee):
    stage = _custom(running, -2 * 60)
    running.save()
    tick(GO_LIVE - timedelta(hours=1))
    assert not stage.deliveries.exists()
    assert RolloutStage.objects.get(pk=stage.pk).state == State.HELD


def test_default_plan_of_a_campaign_with_early_embargo_has_nothing_held(marketing):
    campaign = make_campaign(marketing, embargo_until=GO_LIVE - timedelta(days=20), go_live_at=GO_LIVE)
    assert not campaign.stages.filter(state=State.HELD).exists()


def test_day_offsets_keep_local_wall_clock_time_across_dst(marketing):
    london = zoneinfo.ZoneInfo("Europe/London")
    go_live = datetime(2026, 3, 29, 9, 0, tzinfo=london)  # clocks went forward at 01:00 that morning
    campaign = make_campaign(marketing, go_live_at=go_live, time_zone="Europe/London")
    reminder = stage_of(campaign, Kind.REMINDER).send_at.astimezone(london)
    assert (reminder.date().isoformat(), reminder.hour, reminder.minute) == ("2026-03-28", 9, 0)
    assert go_live - stage_of(campaign, Kind.REMINDER).send_at == timedelta(hours=23)


def test_cancelled_campaign_stage_states_say_why(running):
    running.status = Campaign.Status.CANCELLED
    running.save()
    assert set(running.stages.values_list("state_reason", flat=True)) == {"Cancelled with the campaign."}
