"""Celery tasks: thin wrappers over notifications.emails and notifications.tick."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from notifications import emails, tick


# No autoretry: a failure is recorded on the row with its next attempt time, and the tick queues
# it again (a broker-side retry would be an ETA task, which Redis may run twice).
@shared_task(name="notifications.tasks.send_notification_emails")
def send_notification_emails(ids: list[int]) -> int:
    return emails.send_notification_emails(ids)


@shared_task(name="notifications.tasks.notification_tick")
def notification_tick() -> str:
    return str(tick.notification_tick(timezone.now()))
