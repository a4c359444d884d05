"""Pause means pause: email chunks in flight stop within a few messages, and resuming sends no burst.

A real SMTP server (aiosmtpd) receives the mail; the pause is made from its thread, on its own
database connection, while a chunk is sending, as a person clicking "Pause" would.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from campaigns.models import Campaign
from rollout import dispatch, mailer, plan
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of, tick
from tests.conftest import RecordingHandler, free_port

pytestmark = pytest.mark.django_db(transaction=True)

Kind, State = RolloutStage.Kind, RolloutStage.State
EARLY = GO_LIVE - timedelta(days=14)
INVITATION = GO_LIVE - timedelta(days=7)
PAUSE_AFTER = 5  # messages
HANDFUL = mailer.PAUSE_CHECK_EVERY  # a chunk notices a pause at most this many messages later


class PausingHandler(RecordingHandler):
    """Records mail; once `pause_after` messages have arrived, pauses the campaign (another connection)."""

    def __init__(self) -> None:
        super().__init__()
        self.campaign_id: int | None = None
        self.pause_after: int | None = None
        self.received_when_paused: int | None = None

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if (
            self.pause_after is not None
            and self.received_when_paused is None
            and self.count >= self.pause_after
        ):
            await asyncio.to_thread(self._pause)
        return reply

    def _pause(self) -> None:
        try:
            plan.pause(Campaign.objects.get(pk=self.campaign_id))
            self.received_when_paused = self.count
        finally:
            connection.close()  # this thread's own connection

    def received_by(self) -> Counter:
        with self.lock:
            return Counter(rcpt for rcpts, _, _ in self.messages for rcpt in rcpts)


@pytest.fixture
def smtp(settings):
    handler = PausingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


@pytest.fixture
def fanout(running, employee, salesforce, smtp, settings):
    """Mia's campaign reaches 41 Sales people; its early warning is due and its email chunks queued."""
    settings.DISPATCH_CHUNK_SIZE = 20
    people = [employee, *salesforce(40)]
    chunks: list[list[int]] = []
    dispatch.dispatch_due(EARLY, enqueue=chunks.append)
    smtp.campaign_id = running.pk
    return people, chunks


def paused_mid_fanout(smtp, chunks) -> None:
    """Workers run every queued chunk; the campaign is paused when the 5th message arrives."""
    smtp.pause_after = PAUSE_AFTER
    for chunk in chunks:
        mailer.send_email_chunk(chunk, now=EARLY)
    assert smtp.received_when_paused == PAUSE_AFTER


def test_it_stops_a_chunk_in_flight_within_a_handful_of_messages(fanout, smtp, running):
    people, chunks = fanout
    paused_mid_fanout(smtp, chunks)
    assert smtp.count <= PAUSE_AFTER + HANDFUL
    email = Delivery.objects.filter(stage=stage_of(running, Kind.EARLY_WARNING), channel="email")
    assert email.filter(status="sent").count() == smtp.count
    unsent = email.exclude(status="sent")
    assert unsent.count() == len(people) - smtp.count
    # Given back untried: waiting for the resume, not failed, not claimed by anyone.
    assert set(unsent.values_list("status", "attempts", "claimed_at", "last_error")) == {
        ("pending", 0, None, "")
    }


def test_it_sends_nothing_more_while_paused(fanout, smtp, running):
    _, chunks = fanout
    paused_mid_fanout(smtp, chunks)
    sent = smtp.count
    assert tick(EARLY + timedelta(hours=1)).chunks == 0
    assert tick(EARLY + timedelta(days=1)).chunks == 0
    assert smtp.count == sent


def test_it_sends_the_interrupted_remainder_at_resume_when_no_later_stage_is_due(fanout, smtp, running):
    people, chunks = fanout
    paused_mid_fanout(smtp, chunks)
    plan.resume(Campaign.objects.get(pk=running.pk))
    tick(EARLY + timedelta(days=1))
    assert smtp.received_by() == Counter({person.email: 1 for person in people})
    assert stage_of(running, Kind.EARLY_WARNING).state == State.SENT


def test_it_skips_the_interrupted_remainder_when_a_later_stage_reaches_the_same_people(
    fanout, smtp, running, client_for, ic
):
    people, chunks = fanout
    paused_mid_fanout(smtp, chunks)
    before_resume = smtp.received_by()
    plan.resume(Campaign.objects.get(pk=running.pk))
    tick(INVITATION)  # the briefing invitation fell due while paused
    in_the_resume_burst = smtp.received_by() - before_resume
    assert in_the_resume_burst == Counter({person.email: 1 for person in people}), "two messages at once"
    assert {subject for _, _, subject in smtp.messages[len(smtp.messages) - len(people) :]} == {
        "You are invited to a briefing on Spring Savings"
    }
    early = stage_of(running, Kind.EARLY_WARNING)
    skipped = Delivery.objects.filter(stage=early, channel="email", status="cancelled")
    assert skipped.count() == len(people) - sum(before_resume.values())
    assert "later “Briefing invitation” stage" in skipped.first().last_error
    assert early.state == State.SENT
    assert f"{skipped.count()} email(s) still waiting" in early.state_reason
    page = client_for(ic).get(running.get_absolute_url()).content.decode()
    assert f"{skipped.count()} email(s) still waiting" in page
