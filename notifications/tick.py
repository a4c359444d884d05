"""The periodic notifications: explainers published, stages and other items overdue, emails due.

Beat runs `notifications.tasks.notification_tick` every DISPATCH_INTERVAL_SECONDS. Each check is
keyed (Notification.key), so running it twice, or on two beats, tells nobody twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from campaigns.models import Campaign
from core import events
from explainers.models import Explainer
from notifications.handlers import active_users
from notifications.models import Notification
from notifications.notify import notify, queue_emails
from rollout.models import Delivery, RolloutStage

LOOK_BACK = timedelta(days=2)  # a tick missed for this long still tells people; older events are news no more
OVERDUE_AFTER = timedelta(minutes=10)  # a stage still planned this long after its send time needs its owner
OVERDUE_LOOK_BACK = timedelta(days=7)


def notify_published_explainers(now: datetime) -> int:
    """Everyone warned early about a campaign hears when its explainer is readable in full."""
    since = now - LOOK_BACK
    told = 0
    explainers = (
        Explainer.objects.published(now)
        .filter(Q(campaign__embargo_until__gte=since) | Q(published_at__gte=since))
        .select_related("campaign")
    )
    for explainer in explainers:
        warned = (
            active_users()
            .filter(
                deliveries__stage__campaign=explainer.campaign_id,
                deliveries__stage__kind=RolloutStage.Kind.EARLY_WARNING,
                deliveries__status=Delivery.Status.SENT,
            )
            .distinct()
        )
        told += notify(
            warned,
            kind=Notification.Kind.EXPLAINER_PUBLISHED,
            title=f"Now you can read the full story: {explainer.campaign.title}",
            url=explainer.get_absolute_url(),
            key=f"explainer-published:{explainer.pk}",
        )
    return told


def overdue_stages(now: datetime) -> list[events.OverdueItem]:
    """Stages still planned well after their send time: their campaign's owner should know why."""
    stages = (
        RolloutStage.objects.filter(
            state=RolloutStage.State.PLANNED,
            send_at__lte=now - OVERDUE_AFTER,
            send_at__gte=now - OVERDUE_LOOK_BACK,
        )
        .exclude(campaign__status__in=[Campaign.Status.CANCELLED, Campaign.Status.CLOSED])
        .select_related("campaign__owner__profile")
    )
    return [
        events.OverdueItem(
            key=f"stage-overdue:{stage.pk}:{stage.send_at.isoformat()}",
            owners=(stage.campaign.owner,),
            title=f"Overdue: the {stage.get_kind_display().lower()} of “{stage.campaign.title}” has not gone out",
            url=stage.campaign.get_absolute_url() + "#rollout-h",
            due_at=stage.send_at,
        )
        for stage in stages
    ]


def notify_overdue(now: datetime) -> int:
    told = 0
    for item in events.overdue_items(now):
        owners = active_users().filter(pk__in=[owner.pk for owner in item.owners])
        told += notify(owners, kind=Notification.Kind.OVERDUE, title=item.title, url=item.url, key=item.key)
    return told


def queue_due_emails(now: datetime) -> int:
    """Retries whose backoff has passed, and emails a lost broker message or a crash left behind."""
    ids = list(Notification.objects.email_due(now).values_list("pk", flat=True)[:5000])
    queue_emails(ids)
    return len(ids)


def notification_tick(now: datetime) -> dict[str, int]:
    return {
        "published": notify_published_explainers(now),
        "overdue": notify_overdue(now),
        "emails": queue_due_emails(now),
    }
