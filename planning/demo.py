"""Demo data for planning: a few other comms items (idempotent, by title)."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from people.models import Audience
from planning.models import CommsItem

ITEMS = [
    (
        "CEO town hall",
        "Quarterly results and questions for the leadership team.",
        5,
        1,
        CommsItem.Channel.EVENT,
    ),
    (
        "Benefits enrolment opens",
        "Choose next year's benefits by the end of the month.",
        9,
        21,
        CommsItem.Channel.EMAIL,
    ),
    (
        "Planned system outage notice",
        "The CRM is down on Saturday 02:00-06:00 for an upgrade.",
        12,
        0,
        CommsItem.Channel.IN_APP,
    ),
    ("Security awareness reminder", "Phishing tests run this month.", -3, 0, CommsItem.Channel.CHAT),
]


def seed(stdout) -> None:
    audiences = list(Audience.objects.order_by("pk")[:3])
    today = timezone.localdate()
    created = 0
    for title, description, in_days, lasting_days, channel in ITEMS:
        starts_at = timezone.make_aware(timezone.datetime.combine(today + timedelta(days=in_days), time(10)))
        item, is_new = CommsItem.objects.get_or_create(
            title=title,
            defaults={
                "description": description,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(days=lasting_days) if lasting_days else None,
                "channel": channel,
            },
        )
        if is_new:
            item.audiences.set(audiences)
            created += 1
    stdout.write(f"planning: {created} comms item(s) created, {len(ITEMS) - created} already there.\n")
