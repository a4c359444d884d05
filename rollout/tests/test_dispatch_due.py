"""The dispatch tick: due stages go out once, on time, to the right people, on the right channels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from campaigns.models import Campaign
from rollout import dispatch, mailer
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, deliveries_of, stage_of, tick

pytestmark = pytest.mark.django_db

Kind, State = RolloutStage.Kind, RolloutStage.State
EARLY = GO_LIVE - timedelta(days=14)


def test_stage_is_not_sent_before_its_send_time(running):
    tick(EARLY - timedelta(seconds=1))
    assert not Delivery.objects.exists()
    assert stage_of(running, Kind.EARLY_WARNING).state == State.PLANNED


def test_due_stage_creates_in_app_and_email_delivery_for_each_recipient(running, employee, mailoutbox):
    tick(EARLY)
    stage = stage_of(running, Kind.EARLY_WARNING)
    assert stage.state == State.SENT
    assert sorted(deliveries_of(stage).values_list("channel", "status")) == [
        ("email", "sent"),
        ("in_app", "sent"),
    ]
    assert [m.to for m in mailoutbox] == [[employee.email]]


def test_second_tick_sends_nothing_again(running, mailoutbox):
    tick(EARLY)
    tick(EARLY + timedelta(seconds=30))
    assert Delivery.objects.count() == 2
    assert len(mailoutbox) == 1


def test_draft_campaign_sends_nothing(campaign, employee):
    tick(campaign.go_live_at)
    assert not Delivery.objects.exists()


def test_paused_campaign_sends_nothing(running, employee):
    running.paused_at = EARLY
    running.save(update_fields=["paused_at"])
    tick(EARLY + timedelta(hours=1))
    assert not Delivery.objects.exists()


def test_overdue_stages_after_go_live_moves_earlier_send_only_latest(running, employee):
    running.go_live_at = running.embargo_until = EARLY + timedelta(hours=12)  # reminder overdue too
    running.save()
    tick(EARLY + timedelta(hours=1))
    states = dict(running.stages.values_list("kind", "state"))
    assert states[Kind.EARLY_WARNING] == State.SKIPPED
    assert states[Kind.BRIEFING_INVITATION] == State.SKIPPED
    assert states[Kind.REMINDER] == State.SENT
    assert "only the latest overdue stage is sent" in stage_of(running, Kind.EARLY_WARNING).state_reason
    assert set(Delivery.objects.values_list("stage__kind", flat=True)) == {Kind.REMINDER}


def test_resume_after_pause_sends_only_the_latest_overdue_stage(running, employee):
    running.paused_at = EARLY - timedelta(days=1)
    running.save(update_fields=["paused_at"])
    tick(GO_LIVE - timedelta(days=2))
    running.paused_at = None
    running.save(update_fields=["paused_at"])
    report = tick(GO_LIVE - timedelta(days=2))
    assert [stage_of(running, Kind.BRIEFING_INVITATION).pk] == report.claimed
    assert stage_of(running, Kind.EARLY_WARNING).state == State.SKIPPED


def test_worker_down_for_days_sends_one_stage_per_campaign_per_tick(running, employee):
    report = tick(GO_LIVE + timedelta(days=8))
    assert report.claimed == [stage_of(running, Kind.FOLLOW_UP).pk]
    assert len(report.skipped) == 4


def test_approved_campaign_goes_live_at_go_live(running):
    tick(GO_LIVE)
    running.refresh_from_db()
    assert running.status == Campaign.Status.LIVE
    assert running.history.first().history_change_reason.startswith("Status → Live")


def test_cancelling_cancels_unsent_stages_and_pending_email(running, employee):
    chunks: list = []
    dispatch.dispatch_due(EARLY, enqueue=chunks.append)  # email queued, not yet sent
    running.status = Campaign.Status.CANCELLED
    running.save(update_fields=["status"])
    states = set(running.stages.values_list("state", flat=True))
    assert states == {State.CANCELLED}
    email = Delivery.objects.get(channel="email")
    assert email.status == Delivery.Status.CANCELLED
    assert mailer.send_email_chunk(chunks[0], now=EARLY) == 0


def test_late_joiner_gets_only_the_latest_stage_sent_to_their_audience_once(running, employee, salesforce):
    tick(EARLY)
    tick(GO_LIVE - timedelta(days=7))
    (late,) = salesforce(1)
    tick(GO_LIVE - timedelta(days=6))
    tick(GO_LIVE - timedelta(days=5))
    kinds = sorted(Delivery.objects.filter(recipient=late).values_list("stage__kind", "channel"))
    assert kinds == [(Kind.BRIEFING_INVITATION, "email"), (Kind.BRIEFING_INVITATION, "in_app")]


def test_recipients_are_resolved_at_send_time_from_impacts(running, employee, employee_ny, support):
    from conftest import add_impact

    add_impact(running, support, "medium")
    tick(EARLY)
    assert set(Delivery.objects.values_list("recipient__username", flat=True)) == {"emma", "noah"}


def test_low_impact_audience_is_not_in_the_default_audiences(running, employee, employee_ny, support):
    from conftest import add_impact

    add_impact(running, support, "low")
    tick(EARLY)
    assert set(Delivery.objects.values_list("recipient__username", flat=True)) == {"emma"}


def test_preferred_channels_limit_the_channels(running, employee):
    employee.profile.preferred_channels = ["in_app"]
    employee.profile.save()
    tick(EARLY)
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["in_app"]


def test_stage_is_sent_with_no_recipients_and_says_so(running, employee):
    employee.profile.department = "Finance"
    employee.profile.save()
    tick(EARLY)
    stage = stage_of(running, Kind.EARLY_WARNING)
    assert stage.state == State.SENT
    assert "Nobody" in stage.state_reason


def test_email_content_is_rendered_at_send_time_in_recipient_zone(running, employee):
    tick(EARLY)
    (message,) = mail.outbox
    assert "Hello Emma" in message.body
    assert "10:00 BST" in message.body  # go-live 09:00 UTC in London summer time


def test_stages_due_together_for_different_audiences_are_all_sent(running, employee, employee_ny, support):
    """Two briefing sessions invited within one tick: each audience gets its own invitation."""
    at = GO_LIVE - timedelta(days=3)
    tick(at)  # the plan's backlog goes first
    for audience, minutes in ((running.impacts.get().audience, 1), (support, 2)):
        stage = RolloutStage.objects.create(
            campaign=running,
            kind=RolloutStage.Kind.BRIEFING_INVITATION,
            offset_minutes=-3 * 24 * 60 + minutes,
            channels=["in_app"],
            subject="Join us",
            body="Hi",
        )
        stage.audiences.add(audience)
    report = tick(at + timedelta(minutes=5))
    assert len(report.claimed) == 2
    assert report.skipped == []
    recipients = set(
        Delivery.objects.filter(stage__subject="Join us").values_list("recipient__username", flat=True)
    )
    assert recipients == {employee.username, employee_ny.username}
