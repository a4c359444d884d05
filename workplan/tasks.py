from celery import shared_task

from workplan.schedule import announce_overdue


@shared_task
def announce_overdue_deliverables() -> int:
    """Beat's hourly tick: send `deliverable_overdue` once for each deliverable that passed its due date."""
    return announce_overdue()
