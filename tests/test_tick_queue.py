"""The tick has its own queue and worker: a stage due while a large email fan-out drains goes out on time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Impact
from conftest import make_user
from people.models import Audience
from rollout.models import Delivery, RolloutStage
from tests.conftest import EMAIL_QUEUE, TICK_QUEUE, add_people, wait_for

pytestmark = pytest.mark.worker

INTERVAL = 2  # seconds between beat's ticks in this test
# Beat publishes a tick every INTERVAL; the tick worker then takes the message from the broker
# (Redis hands it over at once, the filesystem broker polls every 0.25 s) and starts the tick.
PICKUP = timedelta(seconds=0.75)


def campaign_for(owner, department: str, *, go_live_in: timedelta) -> RolloutStage:
    """An approved campaign whose plan is one email stage at go-live, to everyone in `department`."""
    audience = Audience.objects.create(name=department, department=department)
    campaign = Campaign.objects.create(
        title=f"{department} launch",
        owner=owner,
        concept="Concept",
        details="Details",
        go_live_at=timezone.now() + go_live_in,
        status=Campaign.Status.APPROVED,
    )
    Impact.objects.create(campaign=campaign, audience=audience, level=Impact.Level.HIGH)
    campaign.stages.all().delete()
    return RolloutStage.objects.create(
        campaign=campaign, offset_minutes=0, channels=["email"], subject="News", body="Hello {{ first_name }}"
    )


def claimed_at(stage: RolloutStage):
    return RolloutStage.objects.values_list("claimed_at", flat=True).get(pk=stage.pk)


def test_a_small_stage_due_while_a_large_email_fanout_drains_is_claimed_within_one_tick(
    celery_processes, smtp_server, settings
):
    settings.DISPATCH_CHUNK_SIZE = 20
    smtp_server.delay = 0.05  # a slow relay: 300 messages keep one email worker busy for 15 s or more
    owner = make_user("owner")
    add_people(300, department="Sales", prefix="seller")
    add_people(20, department="Support", prefix="agent")
    large = campaign_for(owner, "Sales", go_live_in=timedelta(0))
    celery_processes.worker("mail", queues=(EMAIL_QUEUE,))
    celery_processes.worker("tick", queues=(TICK_QUEUE,))
    celery_processes.beat("beat", interval=INTERVAL)
    wait_for(
        lambda: smtp_server.count >= 20, timeout=60, what=f"the fan-out started\n{celery_processes.logs()}"
    )

    small = campaign_for(owner, "Support", go_live_in=timedelta(seconds=INTERVAL))
    wait_for(
        lambda: claimed_at(small) is not None,
        timeout=30,
        what=f"the small stage claimed\n{celery_processes.logs()}",
    )

    small.refresh_from_db()
    assert small.claimed_at - small.send_at <= timedelta(seconds=INTERVAL) + PICKUP
    wait_for(
        lambda: not Delivery.objects.exclude(status="sent").exists(),
        timeout=120,
        what="every email of both stages sent",
    )
    # It was claimed while most of the large fan-out's email was still to go, not after it.
    assert Delivery.objects.filter(stage=large, sent_at__gt=small.claimed_at).count() > 100
    assert smtp_server.count == 320
    assert set(smtp_server.message_id_counts().values()) == {1}
