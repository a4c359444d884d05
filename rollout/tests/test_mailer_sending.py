"""A chunk's emails over a real SMTP connection, and the heartbeat that keeps a worker's chunk claimed."""

from __future__ import annotations

import sys
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.db import DatabaseError
from django.db import connection as db_connection

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


# --- The mark of message i overlaps message i+1's MAIL/RCPT/DATA; i+1's final dot waits for it. ---


class Killed(BaseException):
    """An abrupt stop of the worker at one point of the chunk (not an error the mailer handles)."""


def committed() -> tuple[set[str], set[str]]:
    """What a kill would leave: the emails of deliveries marked sent, and of those still being sent,
    read on another connection (another thread), so only what the server has committed counts."""
    result = {}

    def read() -> None:
        try:
            email = Delivery.objects.filter(channel="email")
            result["sent"] = set(email.filter(status="sent").values_list("recipient__email", flat=True))
            result["sending"] = set(email.filter(status="sending").values_list("recipient__email", flat=True))
        finally:
            db_connection.close()  # this thread's own connection

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return result["sent"], result["sending"]


def received_by(relay) -> set[str]:
    return {recipients[0] for _, recipients, _ in relay.received}


@pytest.fixture
def chunk(running, employee, salesforce, relay):
    """A chunk of 8 messages (Emma and 7 Sales people) queued and not yet sent."""
    salesforce(7)
    chunks: list[list[int]] = []
    dispatch.dispatch_due(EARLY, enqueue=chunks.append)
    [ids] = chunks
    assert len(ids) == 8
    return ids


def test_a_kill_at_any_point_of_a_chunk_would_resend_at_most_the_one_message_in_flight(
    chunk, relay, monkeypatch
):
    """Before and after every wait for a mark (after a message's 354, before its content and dot;
    before each query; at the end), the relay holds at most one message not committed as sent."""
    original_wait = mailer._SentMarks.wait
    waits_with_a_mark_on_the_wire = []

    def observed_wait(marks):
        sent, _ = committed()
        assert len(received_by(relay) - sent) <= 1
        had_a_mark = marks.pending is not None
        waits_with_a_mark_on_the_wire.append(had_a_mark)
        original_wait(marks)
        if had_a_mark:  # read: everything the relay took is committed; the next message may be taken
            sent, _ = committed()
            assert received_by(relay) <= sent

    monkeypatch.setattr(mailer._SentMarks, "wait", observed_wait)
    assert mailer.send_email_chunk(chunk, now=EARLY) == 8
    sent, sending = committed()
    assert received_by(relay) == sent and len(sent) == 8 and not sending
    if db_connection.vendor == "postgresql":
        # every mark was put on the wire unanswered and read later (after the next 354, or before a query)
        assert waits_with_a_mark_on_the_wire.count(True) == 8


def test_a_stop_between_the_354_and_the_content_leaves_that_message_untaken(chunk, relay, monkeypatch):
    """Killed while the third message waits for the second one's mark: the relay never takes the
    third (no final dot; it drops the half-sent message), the first two are marked, the rest wait."""
    original_wait = mailer._SentMarks.wait

    def stop_at_the_third_message(marks):
        if sys._getframe(1).f_code.co_name == "_sendmail" and len(relay.received) == 2:  # its 354 came
            monkeypatch.setattr(mailer._SentMarks, "wait", original_wait)
            raise Killed
        original_wait(marks)

    monkeypatch.setattr(mailer._SentMarks, "wait", stop_at_the_third_message)
    with pytest.raises(Killed):
        mailer.send_email_chunk(chunk, now=EARLY)
    sent, sending = committed()
    assert len(relay.received) == 2
    assert received_by(relay) == sent
    assert len(sending) == 6  # claimed, never taken: a stale claim is queued again


def test_a_mark_the_database_refuses_stops_the_chunk_and_is_raised(chunk, relay):
    """PostgreSQL only (the asynchronous mark): the error comes out of the chunk, naming the delivery;
    the next message is never taken, so only the refused one can be sent again."""
    if db_connection.vendor != "postgresql":
        pytest.skip("the mark is asynchronous on PostgreSQL only; SQLite raises from its own execute")
    third = Delivery.objects.filter(pk__in=chunk).order_by("pk")[2]
    table = Delivery._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.id = {third.pk} AND NEW.status = 'sent' THEN RAISE EXCEPTION 'disk full'; END IF; "
            "RETURN NEW; END $$; "
            f"CREATE TRIGGER refuse_mark BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_mark()"
        )
    try:
        with pytest.raises(DatabaseError, match=rf"marking delivery {third.pk} sent failed: .*disk full"):
            mailer.send_email_chunk(chunk, now=EARLY)
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER refuse_mark ON {table}; DROP FUNCTION refuse_mark()")
    sent, sending = committed()
    assert len(relay.received) == 3  # the third was taken (its mark failed), the fourth never
    assert len(sent) == 2 and third.recipient.email in sending and len(sending) == 6
