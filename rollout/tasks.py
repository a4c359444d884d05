"""Celery tasks: thin wrappers over rollout.dispatch (tests call the plain functions directly)."""

from __future__ import annotations

from celery import shared_task

from rollout import dispatch, mailer
from rollout.heartbeat import chunk_heartbeat


def enqueue_email_chunk(delivery_ids: list[int]) -> None:
    """One broker message per chunk, published once the claiming transaction has committed."""
    send_email_chunk.delay_on_commit(delivery_ids)


@shared_task(name="rollout.tasks.dispatch_due")
def dispatch_due() -> str:
    """Beat's tick, on its own queue (settings.CELERY_TASK_ROUTES) so email never delays it.

    Claims in the database make a duplicate or concurrent tick harmless."""
    return str(dispatch.dispatch_due(enqueue=enqueue_email_chunk))


# No autoretry: a failed message is recorded on its Delivery with next_attempt_at, and a later tick
# queues it again. A broker-side retry would be an ETA task, which Redis may run twice.
@shared_task(name="rollout.tasks.send_email_chunk")
def send_email_chunk(delivery_ids: list[int]) -> int:
    return send_email_chunk_now(delivery_ids)


def send_email_chunk_now(delivery_ids: list[int]) -> int:
    """Send one chunk in this process, its claim kept fresh by a heartbeat however long it takes."""
    with chunk_heartbeat(delivery_ids):
        return mailer.send_email_chunk(delivery_ids)
