"""Faults: failed sends retry with backoff then fail visibly; stale claims are taken over; no doubles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from rollout import dispatch, mailer
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of, tick

pytestmark = pytest.mark.django_db

EARLY = GO_LIVE - timedelta(days=14)
REFUSING = "rollout.tests.backends.RefusingBackend"


@override_settings(EMAIL_BACKEND=REFUSING, EMAIL_MAX_ATTEMPTS=3, EMAIL_RETRY_BASE_SECONDS=60)
def test_refused_email_is_retried_with_exponential_backoff(running, employee):
    tick(EARLY)
    email = Delivery.objects.get(channel="email")
    assert (email.status, email.attempts) == ("pending", 1)
    assert email.next_attempt_at == EARLY + timedelta(seconds=60)
    assert "451" in email.last_error
    tick(EARLY + timedelta(seconds=59))
    email.refresh_from_db()
    assert email.attempts == 1  # not before its retry time
    tick(EARLY + timedelta(seconds=60))
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.next_attempt_at == EARLY + timedelta(seconds=60 + 120)


@override_settings(EMAIL_BACKEND=REFUSING, EMAIL_MAX_ATTEMPTS=3, EMAIL_RETRY_BASE_SECONDS=60)
def test_email_fails_visibly_after_the_attempt_limit(running, employee, client_for, ic):
    for minutes in (0, 1, 3, 7, 15):
        tick(EARLY + timedelta(minutes=minutes))
    email = Delivery.objects.get(channel="email")
    assert (email.status, email.attempts) == ("failed", 3)
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    assert stage.state == RolloutStage.State.SENT  # the in-app delivery went
    assert stage.state_reason == "1 of 2 deliveries failed."
    page = client_for(ic).get(running.get_absolute_url()).content.decode()
    assert "1 failed" in page
    assert "451 4.7.1 Try again later" in page


def test_worker_killed_mid_send_leaves_a_sending_row_that_a_later_tick_sends_again(
    running, employee, mailoutbox
):
    chunks: list = []
    dispatch.dispatch_due(EARLY, enqueue=chunks.append)
    # A worker took the chunk and died after claiming (status sending), before recording the result.
    Delivery.objects.filter(channel="email").update(status="sending", claimed_at=EARLY)
    tick(EARLY + timedelta(seconds=30))
    assert not mailoutbox  # the claim is still fresh: maybe the worker is only slow
    tick(EARLY + timedelta(minutes=6))
    email = Delivery.objects.get(channel="email")
    assert email.status == "sent"
    assert len(mailoutbox) == 1
    assert stage_of(running, RolloutStage.Kind.EARLY_WARNING).state == RolloutStage.State.SENT


def test_lost_chunk_message_is_queued_again_once_its_claim_is_stale(running, employee, mailoutbox):
    lost: list = []
    dispatch.dispatch_due(EARLY, enqueue=lost.append)  # the broker message never reaches a worker
    assert tick(EARLY + timedelta(minutes=1)).chunks == 0
    assert tick(EARLY + timedelta(minutes=6)).chunks == 1
    assert len(mailoutbox) == 1


def test_stale_stage_resolution_is_reclaimed_and_finished(running, employee):
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    # A tick claimed the stage and died before creating any delivery row.
    RolloutStage.objects.filter(pk=stage.pk).update(state="sending", claimed_at=EARLY, heartbeat_at=EARLY)
    assert tick(EARLY + timedelta(minutes=1)).reclaimed == []
    report = tick(EARLY + timedelta(minutes=6))
    assert report.reclaimed == [stage.pk]
    stage.refresh_from_db()
    assert stage.state == RolloutStage.State.SENT
    assert Delivery.objects.filter(stage=stage).count() == 2


def test_the_same_chunk_run_twice_sends_each_message_once(running, employee, mailoutbox):
    chunks: list = []
    dispatch.dispatch_due(EARLY, enqueue=chunks.append)
    assert mailer.send_email_chunk(chunks[0], now=EARLY) == 1
    assert mailer.send_email_chunk(chunks[0], now=EARLY) == 0
    assert len(mailoutbox) == 1


def test_two_ticks_at_the_same_time_claim_a_stage_once(running, employee):
    first = tick(EARLY)
    second = tick(EARLY)
    assert len(first.claimed) == 1
    assert second.claimed == []


def test_paused_campaign_holds_back_queued_email(running, employee, mailoutbox):
    chunks: list = []
    dispatch.dispatch_due(EARLY, enqueue=chunks.append)
    running.paused_at = EARLY
    running.save(update_fields=["paused_at"])
    assert mailer.send_email_chunk(chunks[0], now=EARLY) == 0
    running.paused_at = None
    running.save(update_fields=["paused_at"])
    tick(EARLY + timedelta(minutes=6))
    assert len(mailoutbox) == 1
