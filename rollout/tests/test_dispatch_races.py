"""Concurrent ticks, each on its own database connection: a stage is claimed once and nobody waits.

Meaningful on PostgreSQL (row locks, SKIP LOCKED, compare-and-set under READ COMMITTED), which CI
runs. On SQLite the IMMEDIATE transactions serialise writers, so the same outcome must hold there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection

from rollout import dispatch
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of, tick

pytestmark = pytest.mark.django_db(transaction=True)

EARLY = GO_LIVE - timedelta(days=14)
TIMEOUT = 10  # seconds; only reached when a tick blocks, i.e. when the test is failing


def race(tick_once: Callable[[], dispatch.TickReport]) -> list[dispatch.TickReport]:
    """Run two ticks in two threads (two connections), released together; re-raise what either raised."""
    start = threading.Barrier(2, timeout=TIMEOUT)
    reports: list[dispatch.TickReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            reports.append(tick_once())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a tick never finished (deadlock?)"
    if errors:
        raise errors[0]
    return reports


def test_it_claims_a_due_stage_once_when_two_ticks_race_and_neither_waits(
    running, employee, monkeypatch, mailoutbox
):
    holder: list[int] = []
    other_finished = threading.Event()
    other_finished_while_held: list[bool] = []
    decide = dispatch.leak_reason

    def decide_while_holding_the_claim(stage, campaign):
        """The first tick to decide keeps its claim transaction open until the other tick is done."""
        if not holder:
            holder.append(threading.get_ident())
            # PostgreSQL: the other tick skips the locked stage and finishes meanwhile.
            # SQLite: it cannot start its write transaction before this one commits, so no wait.
            if connection.vendor == "postgresql":
                other_finished_while_held.append(other_finished.wait(timeout=TIMEOUT))
        return decide(stage, campaign)

    def tick_once() -> dispatch.TickReport:
        report = tick(EARLY)
        if holder and holder[0] != threading.get_ident():
            other_finished.set()
        return report

    monkeypatch.setattr(dispatch, "leak_reason", decide_while_holding_the_claim)
    reports = race(tick_once)
    assert sorted(len(report.claimed) for report in reports) == [0, 1]
    assert all(other_finished_while_held), "a tick waited for the other's claim (no SKIP LOCKED?)"
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    assert stage.state == RolloutStage.State.SENT
    assert Delivery.objects.filter(stage=stage).count() == 2
    assert [message.to for message in mailoutbox] == [[employee.email]]


def test_it_lets_exactly_one_of_two_racing_ticks_take_over_a_stale_stage(
    running, employee, monkeypatch, mailoutbox
):
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    # A tick claimed the stage and died before resolving its recipients.
    RolloutStage.objects.filter(pk=stage.pk).update(state="sending", claimed_at=EARLY, heartbeat_at=EARLY)
    both_saw_it_stale = threading.Barrier(2, timeout=TIMEOUT)
    take_over = dispatch.take_over_stale_stage

    def take_over_once_both_saw_it(*args):
        both_saw_it_stale.wait()
        return take_over(*args)

    monkeypatch.setattr(dispatch, "take_over_stale_stage", take_over_once_both_saw_it)
    reports = race(lambda: tick(EARLY + timedelta(minutes=6)))
    assert sorted(report.reclaimed for report in reports) == [[], [stage.pk]]
    stage.refresh_from_db()
    assert stage.state == RolloutStage.State.SENT
    assert [message.to for message in mailoutbox] == [[employee.email]]
