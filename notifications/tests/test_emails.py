"""Notification emails: branded, plain text kept, unsubscribe headers, every attempt recorded, nothing dropped."""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from identity.unsubscribe import unsubscribe_url
from notifications.emails import send_notification_emails
from notifications.models import Notification
from notifications.notify import notify
from notifications.tick import notification_tick
from people.models import EmployeeProfile

pytestmark = pytest.mark.django_db


def tell(user, title="IC approved “Spring Savings”", body="Go ahead <b>now</b>") -> Notification:
    notify([user], kind=Notification.Kind.CAMPAIGN_APPROVED, title=title, body=body, url="/campaigns/1/")
    return Notification.objects.get(recipient=user, title=title)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens once the socket closes


def test_the_email_is_branded_and_keeps_a_plain_text_part(marketing, mailoutbox, settings):
    settings.ORG_NAME, settings.ORG_COLOR = "Northwind Bank", "#0a7d4f"
    note = tell(marketing)
    assert send_notification_emails([note.pk]) == 1
    (message,) = mailoutbox
    html = message.alternatives[0][0]
    assert message.subject == "IC approved “Spring Savings”"
    assert "Go ahead <b>now</b>" in message.body  # plain text as typed
    assert "Northwind Bank" in html and "#0a7d4f" in html and 'role="presentation"' in html
    assert "Go ahead &lt;b&gt;now&lt;/b&gt;" in html  # typed text escaped, never markup
    assert f"/notifications/{note.pk}/" in message.body


def test_optional_mail_carries_one_click_unsubscribe(marketing, mailoutbox):
    send_notification_emails([tell(marketing).pk])
    headers = mailoutbox[0].extra_headers
    assert headers["List-Unsubscribe"] == f"<{unsubscribe_url(marketing)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Message-ID"].startswith("<notification-")


def test_announcement_emails_carry_it_too(campaign, employee, mailoutbox):
    from rollout.composer import build_email
    from rollout.models import RolloutStage

    stage = RolloutStage(
        campaign=campaign, kind="custom", offset_minutes=0, subject="Hi", body="Hello {{ first_name }}"
    )
    stage.send_at = stage.compute_send_at()
    stage.save()
    message = build_email(stage, employee)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(employee)}>"
    assert "Stop these emails" in message.alternatives[0][0]
    assert "List-Unsubscribe" not in build_email(stage, employee, test=True).extra_headers


def test_the_one_click_post_switches_to_in_app_only(client, employee):
    url = unsubscribe_url(employee)
    page = client.get(url)
    assert page.status_code == 200 and "Stop emails" in page.content.decode()
    assert client.post(url).status_code == 200  # no session, no CSRF token: what mail clients send
    assert EmployeeProfile.objects.get(user=employee).preferred_channels == ["in_app"]


def test_a_tampered_unsubscribe_link_is_404(client, employee):
    assert client.post(unsubscribe_url(employee).replace(":", "x", 1)).status_code == 404


def test_a_failed_send_is_recorded_and_retried_with_backoff_then_shown_failed(
    marketing, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_MAX_ATTEMPTS, settings.EMAIL_RETRY_BASE_SECONDS = 2, 60
    note = tell(marketing)
    assert send_notification_emails([note.pk]) == 0
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == ("pending", 1)
    assert "ConnectionRefused" in note.email_last_error
    assert note.email_next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert send_notification_emails([note.pk]) == 0  # not due yet: untouched
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert notification_tick(timezone.now())["emails"] == 1  # the tick queues it again
        send_notification_emails([note.pk])
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts, note.email_next_attempt_at) == ("failed", 2, None)


def test_a_crashed_send_is_picked_up_again_by_the_tick(marketing, settings):
    note = tell(marketing)
    Notification.objects.filter(pk=note.pk).update(email_status="sending", email_claimed_at=timezone.now())
    assert notification_tick(timezone.now())["emails"] == 0  # in flight, not stale
    later = timezone.now() + timedelta(seconds=settings.DISPATCH_STALE_SECONDS + 1)
    assert Notification.objects.email_due(later).filter(pk=note.pk).exists()


def test_an_email_is_sent_once_however_often_it_is_queued(marketing, mailoutbox):
    note = tell(marketing)
    send_notification_emails([note.pk])
    send_notification_emails([note.pk])
    assert len(mailoutbox) == 1
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == ("sent", 1)


def test_someone_who_switched_to_in_app_only_meanwhile_gets_no_email(marketing, mailoutbox):
    note = tell(marketing)
    EmployeeProfile.objects.filter(user=marketing).update(preferred_channels=["in_app"])
    send_notification_emails([note.pk])
    assert mailoutbox == []
    note.refresh_from_db()
    assert note.email_status == "none"


def test_someone_deactivated_meanwhile_gets_no_email(marketing, mailoutbox):
    note = tell(marketing)
    marketing.is_active = False
    marketing.save()
    send_notification_emails([note.pk])
    assert mailoutbox == []


def test_emails_are_queued_only_once_the_event_is_committed(
    campaign, marketing, ic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        campaign.move_to(Campaign.Status.SUBMITTED, marketing)
    assert len(callbacks) == 1  # one task for IC's email, published after commit


def test_every_app_email_uses_the_branded_layout(settings):
    from django.template.loader import get_template

    for name in (
        "rollout/email/stage_body.html",
        "identity/email/link_body.html",
        "briefings/emails/update/body.html",
        "briefings/emails/cancel/body.html",
        "briefings/emails/seat/body.html",
        "briefings/emails/feedback/body.html",
        "planning/email/digest_body.html",
        "email/password_reset.html",
        "notifications/email/body.html",
    ):
        source = get_template(name).template.source
        assert source.startswith('{% extends "email/base.html" %}'), name


def test_the_password_reset_email_is_branded(client, marketing, mailoutbox, settings):
    settings.ORG_NAME = "Northwind Bank"
    client.post(reverse("password_reset"), {"email": marketing.email})
    (message,) = mailoutbox
    assert "Northwind Bank" in message.alternatives[0][0]
    assert "/reset/" in message.body
