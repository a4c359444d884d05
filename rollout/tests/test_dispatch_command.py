"""`manage.py dispatch_due` and the Celery task names beat relies on."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of

pytestmark = pytest.mark.django_db


def test_command_runs_one_tick_and_sends_email_in_process(running, employee, mailoutbox):
    out = StringIO()
    with time_machine.travel(GO_LIVE - timedelta(days=14), tick=False):
        call_command("dispatch_due", stdout=out)
    assert "claimed 1" in out.getvalue()
    assert stage_of(running, RolloutStage.Kind.EARLY_WARNING).state == RolloutStage.State.SENT
    assert Delivery.objects.filter(status="sent").count() == 2
    assert len(mailoutbox) == 1


def test_command_with_queue_leaves_email_to_the_workers(
    running, employee, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(GO_LIVE - timedelta(days=14), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        call_command("dispatch_due", "--queue", stdout=StringIO())
    assert len(callbacks) == 1  # one chunk task, published on commit
    assert not mailoutbox
    assert Delivery.objects.get(channel="email").status == "pending"


def test_beat_schedule_names_the_dispatch_task():
    from campaignhub.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE["dispatch-due"]["task"] in app.tasks
    assert "rollout.tasks.send_email_chunk" in app.tasks
