"""Demo notifications, so the bell has something to show (seed_demo runs it last: INSTALLED_APPS order).

Idempotent: each is keyed, so a second run tells nobody again.
"""

from __future__ import annotations

from campaigns.models import Campaign
from explainers.models import Explainer
from notifications.handlers import active_users, ic_people, owner_and_team
from notifications.models import Notification
from notifications.notify import notify


def seed(stdout) -> None:
    told = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.SUBMITTED):
        told += notify(
            ic_people(),
            kind=Notification.Kind.CAMPAIGN_SUBMITTED,
            title=f"“{campaign.title}” is waiting for your review",
            url=campaign.get_absolute_url(),
            key=f"demo:submitted:{campaign.pk}",
        )
    for campaign in Campaign.objects.filter(status=Campaign.Status.APPROVED):
        told += notify(
            owner_and_team(campaign),
            kind=Notification.Kind.CAMPAIGN_APPROVED,
            title=f"IC approved “{campaign.title}”",
            body=campaign.review_comment or "Approved: the rollout starts as planned.",
            url=campaign.get_absolute_url(),
            key=f"demo:approved:{campaign.pk}",
        )
    explainer = Explainer.objects.published().select_related("campaign").first()
    if explainer is not None:
        told += notify(
            active_users().filter(username="employee"),
            kind=Notification.Kind.EXPLAINER_PUBLISHED,
            title=f"Now you can read the full story: {explainer.campaign.title}",
            url=explainer.get_absolute_url(),
            key=f"explainer-published:{explainer.pk}",
        )
    stdout.write(f"Notifications: {told} created.")
