"""Real Celery workers, a real SMTP server: every stage reaches everyone once, through kills and races."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Impact
from conftest import make_user
from people.models import Audience
from rollout import dispatch
from rollout.models import Delivery, RolloutStage
from rollout.tasks import enqueue_email_chunk
from tests.conftest import add_people, wait_for

pytestmark = pytest.mark.worker


def running_campaign(
    owner, offsets_minutes: list[int], *, channels=("in_app", "email"), go_live_in=timedelta(hours=1)
):
    """An approved campaign for Sales whose plan is just stages at the given offsets from go-live."""
    sales = Audience.objects.create(name="Sales", department="Sales")
    campaign = Campaign.objects.create(
        title="Branch launch",
        owner=owner,
        concept="Concept",
        details="Details",
        go_live_at=timezone.now() + go_live_in,
        status=Campaign.Status.APPROVED,
    )
    Impact.objects.create(campaign=campaign, audience=sales, level=Impact.Level.HIGH)
    campaign.stages.all().delete()
    for n, offset in enumerate(offsets_minutes):
        RolloutStage.objects.create(
            campaign=campaign,
            offset_minutes=offset,
            channels=list(channels),
            subject=f"Stage {n}: {{{{ campaign_title }}}}",
            body="Hello {{ first_name }}",
        )
    return campaign


def tick(now) -> dispatch.TickReport:
    """A tick in this process at an explicit time; email chunks go to the real workers via the broker."""
    return dispatch.dispatch_due(now, enqueue=enqueue_email_chunk)


def unsent_email(stage) -> int:
    return Delivery.objects.filter(stage=stage, channel="email").exclude(status="sent").count()


def test_stages_minutes_apart_reach_every_recipient_once(celery_processes, smtp_server, settings):
    owner = make_user("owner")
    people = add_people(30)
    campaign = running_campaign(owner, [-10, -5, 0])
    celery_processes.worker("w1")
    for stage in campaign.stages.order_by("send_at"):
        report = tick(stage.send_at)
        assert report.claimed == [stage.pk]
        wait_for(
            lambda s=stage: RolloutStage.objects.get(pk=s.pk).state == "sent", timeout=60, what="stage sent"
        )
    assert Delivery.objects.filter(status="sent").count() == 3 * 2 * len(people)
    assert smtp_server.count == 3 * len(people)
    assert set(smtp_server.message_id_counts().values()) == {1}
    received = {(rcpt, subject) for rcpt, _, subject in smtp_server.messages}
    assert len(received) == 3 * len(people)
    assert smtp_server.connections == 3  # one chunk per stage, one connection per chunk


def test_sigkilled_worker_mid_fanout_finishes_after_restart_without_loss_or_double(
    celery_processes, smtp_server, settings
):
    settings.DISPATCH_CHUNK_SIZE = 100
    owner = make_user("owner")
    people = add_people(1200)
    campaign = running_campaign(owner, [0], go_live_in=timedelta(0))
    stage = campaign.stages.get()
    worker = celery_processes.worker("w1")
    # Real time here: the claims it records are what the recovery tick below judges stale.
    started = tick(timezone.now())
    assert started.chunks == 12
    wait_for(lambda: smtp_server.count >= 200, timeout=60, what="200 emails before the kill")
    celery_processes.kill(worker)  # SIGKILL: no shutdown, the chunk in hand and its message are lost
    sent_before_restart = smtp_server.count
    assert sent_before_restart < len(people), "the worker finished before we could kill it"
    celery_processes.worker("w2")
    # A tick past the stale threshold gives the dead worker's rows back and queues them again.
    report = tick(timezone.now() + timedelta(seconds=settings.DISPATCH_STALE_SECONDS + 1))
    assert report.released >= 1
    wait_for(lambda: unsent_email(stage) == 0, timeout=120, what="every email sent after the restart")
    tick(timezone.now())
    assert Delivery.objects.filter(stage=stage, channel="email", status="sent").count() == len(people)
    assert Delivery.objects.filter(stage=stage, channel="in_app", status="sent").count() == len(people)
    recipients = {rcpt[0] for rcpt, _, _ in smtp_server.messages}
    assert recipients == {p.email for p in people}  # nothing lost
    doubles = {mid: n for mid, n in smtp_server.message_id_counts().items() if n > 1}
    assert sum(n - 1 for n in doubles.values()) <= 1  # at most the one message in flight per killed process
    assert RolloutStage.objects.get(pk=stage.pk).state == "sent"


def test_two_workers_and_two_beats_send_each_message_once(celery_processes, smtp_server, settings):
    settings.DISPATCH_CHUNK_SIZE = 50
    owner = make_user("owner")
    people = add_people(300)
    campaign = running_campaign(owner, [0], go_live_in=timedelta(seconds=5))
    stage = campaign.stages.get()
    celery_processes.worker("w1")
    celery_processes.worker("w2")
    celery_processes.beat("b1")
    celery_processes.beat("b2")
    wait_for(
        lambda: RolloutStage.objects.get(pk=stage.pk).state == "sent",
        timeout=90,
        what=f"the stage sent by beat-driven ticks\n{celery_processes.logs()}",
    )
    assert smtp_server.count == len(people)
    assert set(smtp_server.message_id_counts().values()) == {1}
    assert Delivery.objects.filter(stage=stage).count() == 2 * len(people)


@pytest.mark.parametrize("reply", ["451 4.7.1 Greylisted, try again later", "554 5.7.1 Rejected"])
def test_refusing_smtp_is_retried_with_backoff_then_fails_visibly(
    reply, celery_processes, smtp_server, settings, client
):
    settings.EMAIL_MAX_ATTEMPTS = 3
    smtp_server.refuse = reply
    owner = make_user("owner")
    ic = make_user("ian", group="IC")
    add_people(5)
    campaign = running_campaign(owner, [0], channels=("email",))
    stage = campaign.stages.get()
    celery_processes.worker("w1")
    now = stage.send_at
    tick(now)
    for attempt in (1, 2, 3):
        wait_for(
            lambda a=attempt: Delivery.objects.filter(stage=stage, attempts=a, claimed_at=None).count() == 5,
            timeout=60,
            what=f"attempt {attempt} recorded",
        )
        retry_at = Delivery.objects.filter(stage=stage).values_list("next_attempt_at", flat=True).first()
        if attempt < 3:
            assert tick(retry_at - timedelta(seconds=1)).chunks == 0  # not before the backoff is over
            assert tick(retry_at).chunks == 1
    tick(timezone.now())
    failed = Delivery.objects.filter(stage=stage, status="failed")
    assert failed.count() == 5
    assert reply[:3] in failed.first().last_error
    assert smtp_server.refused == 15
    stage.refresh_from_db()
    assert stage.state == RolloutStage.State.FAILED
    client.force_login(ic)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "5 of 5 deliveries failed." in page
    assert reply[4:] in page
