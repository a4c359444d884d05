"""A late joiner gets the latest stage sent to their audience, but never the details under embargo."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, tick

pytestmark = pytest.mark.django_db


def test_it_holds_a_details_stage_from_a_late_joiner_while_the_embargo_is_back_in_force(
    running, employee, salesforce
):
    details = RolloutStage.objects.create(
        campaign=running, offset_minutes=-60, channels=["in_app"], subject="Now public", body="{{ details }}"
    )
    running.embargo_until = GO_LIVE - timedelta(hours=2)
    running.save()
    tick(details.send_at)  # the embargo had lifted: Emma gets the details
    running.embargo_until = GO_LIVE  # then the embargo is extended to go-live
    running.save()
    (late,) = salesforce(1)
    tick(details.send_at + timedelta(minutes=1))
    assert not Delivery.objects.filter(recipient=late).exists()
    tick(GO_LIVE - timedelta(minutes=1))
    assert not Delivery.objects.filter(recipient=late, stage=details).exists()
    tick(GO_LIVE)  # the embargo lifts with go-live, whose stage reaches everyone, the late joiner too
    assert set(Delivery.objects.filter(recipient=late).values_list("stage__kind", flat=True)) == {"go_live"}
