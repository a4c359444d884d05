"""Telling people: one row per person and event, and their email queued once the row is committed."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification, wants_email

log = logging.getLogger(__name__)

EMAIL_CHUNK = 100  # notification emails per task: one SMTP connection each


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    title: str,
    url: str,
    body: str = "",
    key: str = "",
    actor: User | None = None,
) -> int:
    """Tell each active recipient (never the actor) once; returns how many were told now.

    Pass recipients with `profile` selected: the email preference is read from it. With a key, a
    person already told under that key is skipped (and the unique constraint settles a race).
    """
    now = timezone.now()
    people = {u.pk: u for u in recipients if u.is_active and (actor is None or u.pk != actor.pk)}
    if key:
        told = Notification.objects.filter(key=key, recipient_id__in=people).values_list(
            "recipient_id", flat=True
        )
        for pk in told:
            people.pop(pk, None)
    if not people:
        return 0
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            title=title[:300],
            body=body,
            url=url,
            key=key,
            created_at=now,
            email_status=Notification.EmailStatus.PENDING
            if wants_email(user)
            else Notification.EmailStatus.NOT_WANTED,
            email_next_attempt_at=now if wants_email(user) else None,
        )
        for user in people.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    pending = Notification.objects.filter(
        recipient_id__in=people,
        kind=kind,
        created_at=now,
        email_status=Notification.EmailStatus.PENDING,
    ).values_list("pk", flat=True)
    queue_emails(list(pending))
    log.info("notified %s people of %s (%s)", len(rows), kind, key or url)
    return len(rows)


def queue_emails(ids: list[int]) -> None:
    """Hand the emails to the workers after commit; the tick re-queues any the broker lost."""
    from notifications import tasks  # tasks import this module's callers; keep the cycle out

    for start in range(0, len(ids), EMAIL_CHUNK):
        chunk = ids[start : start + EMAIL_CHUNK]
        transaction.on_commit(lambda chunk=chunk: tasks.send_notification_emails.delay(chunk))
