"""Celery tasks: thin wrappers over briefings.notices, enqueued on commit by the views."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from briefings import notices


@shared_task(
    bind=True, autoretry_for=(SMTPException, OSError), retry_backoff=60, retry_jitter=True, max_retries=5
)
def send_briefing_notice(self, briefing_id: int, kind: str) -> int:
    return notices.send_briefing_notice(briefing_id, kind)


@shared_task(
    bind=True, autoretry_for=(SMTPException, OSError), retry_backoff=60, retry_jitter=True, max_retries=5
)
def send_seat_notice(self, invitation_id: int) -> int:
    return notices.send_seat_notice(invitation_id)


@shared_task(
    bind=True, autoretry_for=(SMTPException, OSError), retry_backoff=60, retry_jitter=True, max_retries=5
)
def send_feedback_requests(self, briefing_id: int) -> int:
    return notices.send_feedback_requests(briefing_id)
