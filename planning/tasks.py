from celery import shared_task

from planning.digest import send_due_digests


@shared_task
def send_weekly_digests() -> int:
    """Beat's hourly tick: send the digests that are due (Monday 08:00 in each person's zone)."""
    return send_due_digests()
