"""Notification emails: built from the branded base template, sent one by one, each attempt recorded.

Mirrors the rollout mailer's rules (RELIABILITY.md): a row is claimed with compare-and-set before the
send, marked sent right after the server accepts it, and a transient failure is retried with
backoff by the tick until EMAIL_MAX_ATTEMPTS, then shown as failed with the server's reply.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from identity.unsubscribe import unsubscribe_headers, unsubscribe_url
from notifications.models import Notification, wants_email
from people.models import user_zone

log = logging.getLogger(__name__)


def message_id(notification: Notification) -> str:
    host = urlparse(settings.SITE_URL).hostname or "campaignhub.localhost"
    return f"<notification-{notification.message_id}@{host}>"


def build_message(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    context = {
        "notification": notification,
        "user": user,
        "url": settings.SITE_URL + reverse("notification_open", args=[notification.pk]),
        "account_url": settings.SITE_URL + reverse("account"),
        "unsubscribe_url": unsubscribe_url(user),
    }
    with timezone.override(user_zone(user)):
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        text = render_to_string("notifications/email/body.txt", context)
        html = render_to_string("notifications/email/body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line: a newline would start a new header
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": message_id(notification)} | unsubscribe_headers(user),
    )
    message.attach_alternative(html, "text/html")
    return message


def _claim(pk: int, now) -> bool:
    return (
        Notification.objects.email_due(now)
        .filter(pk=pk)
        .update(email_status=Notification.EmailStatus.SENDING, email_claimed_at=now)
        == 1
    )


def _record_failure(notification: Notification, error: str) -> None:
    attempts = notification.email_attempts + 1
    gave_up = attempts >= settings.EMAIL_MAX_ATTEMPTS
    delay = timedelta(seconds=settings.EMAIL_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    Notification.objects.filter(pk=notification.pk).update(
        email_status=Notification.EmailStatus.FAILED if gave_up else Notification.EmailStatus.PENDING,
        email_attempts=attempts,
        email_last_error=error[:2000],
        email_next_attempt_at=None if gave_up else timezone.now() + delay,
        email_claimed_at=None,
    )
    log.warning(
        "notification %s email attempt %s failed%s: %s",
        notification.pk,
        attempts,
        " (gave up)" if gave_up else "",
        error,
    )


def send_notification_emails(ids: list[int]) -> int:
    """Send each due email among ids over one connection; returns how many the server accepted."""
    sent = 0
    connection = None
    try:
        for pk in ids:
            if not _claim(pk, timezone.now()):
                continue  # sent, not yet due, or another worker has it
            notification = Notification.objects.select_related("recipient__profile").get(pk=pk)
            user = notification.recipient
            if not user.is_active or not wants_email(user):
                # Deactivated, or switched to "in CampaignHub only" since: recorded, not sent.
                Notification.objects.filter(pk=pk).update(
                    email_status=Notification.EmailStatus.NOT_WANTED, email_claimed_at=None
                )
                continue
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                accepted = connection.send_messages([build_message(notification)])
            except (SMTPException, OSError) as exc:
                _record_failure(notification, f"{type(exc).__name__}: {exc}")
                connection = None  # a broken connection is reopened for the next message
                continue
            if accepted != 1:
                _record_failure(notification, "the mail server did not accept the message")
                continue
            Notification.objects.filter(pk=pk).update(
                email_status=Notification.EmailStatus.SENT,
                email_attempts=notification.email_attempts + 1,
                emailed_at=timezone.now(),
                email_last_error="",
                email_next_attempt_at=None,
                email_claimed_at=None,
            )
            sent += 1
    finally:
        if connection is not None:
            try:
                connection.close()
            except (SMTPException, OSError):
                log.warning("closing the SMTP connection failed", exc_info=True)
    return sent
