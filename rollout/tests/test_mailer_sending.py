"""A chunk's emails over a real SMTP connection, and the heartbeat that keeps a worker's chunk claimed."""

from __future__ import annotations

import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from rollout import dispatch, mailer, tasks
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of
from tests.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)

EARLY = GO_LIVE - timedelta(days=14)


class Keeper:
    """Keeps each message's envelope and bytes as the relay received them."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def relay(settings):
    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Änna at CampaignHub <hub@example.com>"
    yield keeper
    controller.stop()


def test_a_chunk_reaches_the_relay_with_each_persons_headers_and_parts(running, employee, relay):
    chunks: list[list[int]] = []
    dispatch.dispatch_due(EARLY, enqueue=chunks.append)
    assert mailer.send_email_chunk(chunks[0], now=EARLY) == 1
    delivery = Delivery.objects.get(channel="email", stage=stage_of(running, RolloutStage.Kind.EARLY_WARNING))
    assert delivery.status == Delivery.Status.SENT
    [(sender, recipients, raw)] = relay.received
    assert (sender, recipients) == ("hub@example.com", [employee.email])
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"] == employee.email
    assert message["From"] == "Änna at CampaignHub <hub@example.com>"
    assert message["Message-ID"].startswith(f"<{delivery.message_id}@")
    assert message["List-Unsubscribe"].strip().startswith("<http")  # folded: it is longer than a line
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = (part.get_content() for part in message.iter_parts())
    assert "Emma" in text and f"/inbox/{delivery.pk}/" in text
    assert "Emma" in html and "Stop these emails" in html
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_a_worker_sends_its_chunk_while_the_heartbeat_thread_keeps_the_claim(running, employee, monkeypatch):
    """The chunk loop itself no longer refreshes its claim: the worker's entry point beats for it."""
    threads_while_sending = []
    monkeypatch.setattr(
        mailer,
        "send_email_chunk",
        lambda ids: threads_while_sending.extend(t.name for t in threading.enumerate()) or len(ids),
    )
    assert tasks.send_email_chunk_now([1, 2]) == 2
    assert any(name.startswith("heartbeat email chunk") for name in threads_while_sending)
    assert not any(t.name.startswith("heartbeat") for t in threading.enumerate())
