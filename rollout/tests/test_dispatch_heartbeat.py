"""A killed chunk is sent again within a minute; a healthy slow one keeps its claim by its heartbeat."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from rollout import dispatch
from rollout.heartbeat import chunk_heartbeat, stage_heartbeat
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of, tick
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db

EARLY = GO_LIVE - timedelta(days=14)


def a_worker_takes_the_chunk(now) -> list[int]:
    """A tick queues the email chunk and a worker claims its rows (status sending), as the mailer does."""
    chunks: list = []
    dispatch.dispatch_due(now, enqueue=chunks.append)
    (chunk,) = chunks
    Delivery.objects.filter(pk__in=chunk).update(status=Delivery.Status.SENDING, claimed_at=now)
    return chunk


def test_stale_time_is_one_minute_by_default():
    assert settings.DISPATCH_STALE_SECONDS == 60


def test_a_killed_chunk_is_sent_again_within_a_minute(running, employee, mailoutbox):
    with time_machine.travel(EARLY, tick=False) as traveller:
        a_worker_takes_the_chunk(timezone.now())  # ... and is SIGKILLed: no more heartbeats
        traveller.shift(timedelta(seconds=59))
        assert tick(timezone.now()).released == 0
        assert not mailoutbox
        traveller.shift(timedelta(seconds=2))
        assert tick(timezone.now()).released == 1
    assert len(mailoutbox) == 1
    assert Delivery.objects.get(channel="email").status == Delivery.Status.SENT
    assert stage_of(running, RolloutStage.Kind.EARLY_WARNING).state == RolloutStage.State.SENT


def test_a_healthy_slow_chunk_is_never_reclaimed(running, employee, mailoutbox):
    with time_machine.travel(EARLY, tick=False) as traveller:
        chunk = a_worker_takes_the_chunk(timezone.now())
        heartbeat = chunk_heartbeat(chunk)
        assert heartbeat.every == 15
        for _ in range(40):  # ten minutes of a chunk stuck on a slow relay, beating as it goes
            traveller.shift(timedelta(seconds=heartbeat.every))
            heartbeat.beat()
            report = tick(timezone.now())
            assert (report.released, report.chunks) == (0, 0)
    assert not mailoutbox
    assert Delivery.objects.get(channel="email").status == Delivery.Status.SENDING


def test_a_stage_whose_resolution_keeps_beating_is_not_reclaimed(running, employee):
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    with time_machine.travel(EARLY, tick=False) as traveller:
        # A tick claimed the stage and is still inserting its (huge) audience's rows.
        RolloutStage.objects.filter(pk=stage.pk).update(state="sending", claimed_at=EARLY, heartbeat_at=EARLY)
        heartbeat = stage_heartbeat(stage.pk)
        for _ in range(8):
            traveller.shift(timedelta(seconds=heartbeat.every))
            heartbeat.beat()
            assert tick(timezone.now()).reclaimed == []
        traveller.shift(timedelta(seconds=61))  # then it dies: the next tick takes it over
        assert tick(timezone.now()).reclaimed == [stage.pk]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_while_the_work_runs_and_stops_after(running, employee):
    # Real time: a thread (with its own database connection) beating every 50 ms.
    chunk = a_worker_takes_the_chunk(timezone.now() - timedelta(minutes=5))
    email = Delivery.objects.get(pk__in=chunk)
    with chunk_heartbeat(chunk, every=0.05):
        wait_for(
            lambda: Delivery.objects.get(pk=email.pk).claimed_at > timezone.now() - timedelta(seconds=5),
            timeout=10,
            what="a heartbeat",
        )
    last = Delivery.objects.get(pk=email.pk).claimed_at
    assert tick(timezone.now()).released == 0
    assert Delivery.objects.get(pk=email.pk).claimed_at == last  # stopped with the work
