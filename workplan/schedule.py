"""The workback schedule: due dates follow go-live, and overdue deliverables are announced once.

`follow_go_live` is a post_save receiver on Campaign (WorkplanConfig.ready): each deliverable's due
date is go-live + offset_days at go-live's local wall-clock time, so a moved go-live moves them all.

`deliverable_overdue` is a signal other apps (notifications) may connect to; `announce_overdue(now)`
sends it once per deliverable and due date (the tick that finds it claims it with compare-and-set).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from campaigns.models import Campaign
from workplan.models import Deliverable

log = logging.getLogger(__name__)

# sender=Deliverable, deliverable=<Deliverable>, now=<datetime>
deliverable_overdue = Signal()


def follow_go_live(sender, instance: Campaign, created: bool = False, raw: bool = False, **kwargs) -> None:
    if created or raw:
        return
    moved = []
    for deliverable in Deliverable.objects.filter(workstream__campaign=instance).only(
        "pk", "offset_days", "due_at"
    ):
        due_at = deliverable.compute_due_at(instance)
        if due_at != deliverable.due_at:
            deliverable.due_at = due_at
            moved.append(deliverable)
    if moved:
        Deliverable.objects.bulk_update(moved, ["due_at"])
        log.info("Campaign %s: %d deliverables follow go-live", instance.pk, len(moved))


def announce_overdue(now: datetime | None = None) -> int:
    """Send `deliverable_overdue` for each open deliverable that passed its due date since the last
    announcement; returns how many. Safe to run from two workers: each row is claimed once."""
    now = now or timezone.now()
    sent = 0
    due = Deliverable.objects.overdue(now).exclude(overdue_announced_for=F("due_at"))
    for deliverable in due.select_related("workstream__campaign", "workstream__team", "owner"):
        with transaction.atomic():
            claimed = (
                Deliverable.objects.filter(pk=deliverable.pk)
                .exclude(overdue_announced_for=deliverable.due_at)
                .update(overdue_announced_for=deliverable.due_at)
            )
            if claimed != 1:
                continue
        deliverable_overdue.send(sender=Deliverable, deliverable=deliverable, now=now)
        sent += 1
    return sent
