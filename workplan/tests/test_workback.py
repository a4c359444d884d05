"""Workback due dates: go-live + offset days at go-live's wall-clock time, moving with go-live."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from workplan import schedule
from workplan.models import Deliverable
from workplan.tests.conftest import add_deliverable

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_due_date_is_go_live_minus_the_offset(launch):
    release = add_deliverable(launch, "content", "Press release draft", offset_days=-21)
    local_go_live = launch.go_live_at.astimezone(LONDON)
    assert release.due_at.astimezone(LONDON) == (
        local_go_live.replace(tzinfo=None) - timedelta(days=21)
    ).replace(tzinfo=LONDON)
    assert release.offset_label == "21 days before go-live"


def test_due_dates_move_when_go_live_moves(launch):
    release = add_deliverable(launch, "content", "Press release draft", offset_days=-21)
    launch.go_live_at += timedelta(days=10)
    launch.embargo_until = launch.go_live_at
    launch.save()
    release.refresh_from_db()
    assert release.due_at == release.compute_due_at(launch)
    assert (
        release.due_at.astimezone(LONDON).date()
        == (launch.go_live_at.astimezone(LONDON) - timedelta(days=21)).date()
    )


def test_workback_keeps_the_local_wall_clock_time_across_the_clock_change(launch):
    """Go-live 09:00 London summer time; 14 days earlier is 09:00 London winter time (one hour later in UTC)."""
    launch.go_live_at = datetime(2027, 4, 5, 9, 0, tzinfo=LONDON)
    launch.embargo_until = launch.go_live_at
    launch.save()
    release = add_deliverable(launch, "content", "Press release draft", offset_days=-14)
    assert release.due_at.astimezone(LONDON) == datetime(2027, 3, 22, 9, 0, tzinfo=LONDON)
    assert release.due_at == datetime(2027, 3, 22, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    # Go-live moves back across the change: the due date still reads 09:00 in London.
    launch.go_live_at = datetime(2027, 3, 29, 9, 0, tzinfo=LONDON)
    launch.embargo_until = launch.go_live_at
    launch.save()
    release.refresh_from_db()
    assert release.due_at.astimezone(LONDON) == datetime(2027, 3, 15, 9, 0, tzinfo=LONDON)


def test_overdue_and_at_risk_come_first(launch):
    done = add_deliverable(launch, "content", "Done early", offset_days=-29, status=Deliverable.Status.DONE)
    overdue = add_deliverable(launch, "content", "Late", offset_days=-31)
    at_risk = add_deliverable(launch, "content", "Soon", offset_days=-28)
    later = add_deliverable(launch, "content", "Later", offset_days=-1)
    now = timezone.now()
    assert [d.urgency(now) for d in (overdue, at_risk, later, done)] == [0, 1, 2, 3]
    assert list(Deliverable.objects.overdue(now)) == [overdue]


def test_a_deliverable_due_before_its_dependency_is_flagged(launch):
    creatives = add_deliverable(
        launch, "design", "Creatives", type="ad_creative", channel="paid", offset_days=-5
    )
    paid_social = add_deliverable(
        launch, "content", "Paid social", type="social_post", channel="paid", offset_days=-10
    )
    paid_social.depends_on.add(creatives)
    assert paid_social.dependencies_due_later() == [creatives]
    creatives.offset_days = -12
    creatives.save()
    assert paid_social.dependencies_due_later() == []


def test_overdue_is_announced_once_per_due_date(launch):
    late = add_deliverable(launch, "content", "Late", offset_days=-31)
    heard = []

    def listener(sender, deliverable, now, **kwargs):
        heard.append(deliverable.pk)

    schedule.deliverable_overdue.connect(listener)
    try:
        assert schedule.announce_overdue() == 1
        assert schedule.announce_overdue() == 0
        # Go-live moves later, so it is due again in future; when that passes it is announced again.
        launch.go_live_at += timedelta(days=3)
        launch.embargo_until = launch.go_live_at
        launch.save()
        with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
            assert schedule.announce_overdue() == 1
    finally:
        schedule.deliverable_overdue.disconnect(listener)
    assert heard == [late.pk, late.pk]


def test_beat_ticks_the_overdue_announcement_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["workplan-overdue-deliverables"]
    assert entry["task"] == "workplan.tasks.announce_overdue_deliverables"
    assert entry["schedule"] == timedelta(hours=1)


def test_the_task_announces_through_the_plain_function(launch):
    from workplan.tasks import announce_overdue_deliverables

    add_deliverable(launch, "content", "Late", offset_days=-31)
    assert announce_overdue_deliverables() == 1
