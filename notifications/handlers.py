"""Who hears of each workflow event (core.events), and what their notification says.

Titles and bodies are plain text and name only what the recipient may already see: no embargoed
campaign detail, and never who asked a question.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q

from campaigns.models import Campaign
from core import events
from notifications.models import Notification
from notifications.notify import notify
from people import roles


def active_users():
    return User.objects.filter(is_active=True).select_related("profile")


def ic_people():
    return active_users().filter(Q(groups__name=roles.IC) | Q(is_superuser=True)).distinct()


def owner_and_team(campaign: Campaign):
    return active_users().filter(Q(pk=campaign.owner_id) | Q(marcom_teams__campaigns=campaign)).distinct()


def owner_and_ic(campaign: Campaign):
    return (
        active_users()
        .filter(Q(pk=campaign.owner_id) | Q(groups__name=roles.IC) | Q(is_superuser=True))
        .distinct()
    )


def on_event(kind: str, **data) -> None:
    handler = HANDLERS.get(kind)
    if handler is not None:
        handler(**data)


def campaign_submitted(*, campaign: Campaign, actor=None, **_) -> None:
    notify(
        ic_people(),
        kind=Notification.Kind.CAMPAIGN_SUBMITTED,
        title=f"“{campaign.title}” is waiting for your review",
        url=campaign.get_absolute_url(),
        actor=actor,
    )


def campaign_approved(*, campaign: Campaign, actor=None, comment: str = "", **_) -> None:
    notify(
        owner_and_team(campaign),
        kind=Notification.Kind.CAMPAIGN_APPROVED,
        title=f"IC approved “{campaign.title}”",
        body=comment,
        url=campaign.get_absolute_url(),
        actor=actor,
    )


def campaign_sent_back(*, campaign: Campaign, actor=None, comment: str = "", **_) -> None:
    notify(
        owner_and_team(campaign),
        kind=Notification.Kind.CAMPAIGN_SENT_BACK,
        title=f"IC sent “{campaign.title}” back to draft",
        body=comment,
        url=campaign.get_absolute_url(),
        actor=actor,
    )


def question_asked(*, campaign: Campaign, where: str, url: str, question: str, actor=None, **_) -> None:
    """Owner and IC: they read the campaign in full anyway; the asker is never named."""
    notify(
        owner_and_ic(campaign),
        kind=Notification.Kind.QUESTION_ASKED,
        title=f"New question on {where}",
        body=question,
        url=url,
        actor=actor,
    )


def question_answered(
    *, campaign: Campaign, asker, where: str, url: str, answer: str, actor=None, **_
) -> None:
    """Only the asker, found by the item they asked from; the answer is shown only once the embargo lifted."""
    if asker is None:
        return
    notify(
        active_users().filter(pk=asker.pk),
        kind=Notification.Kind.QUESTION_ANSWERED,
        title=f"Your question on {where} was answered",
        body="" if campaign.is_embargoed() else answer,
        url=url,
        actor=actor,
    )


def briefing_changed(*, briefing, change: str, actor=None, **_) -> None:
    if briefing.presenter_id is None:
        return
    notify(
        active_users().filter(pk=briefing.presenter_id),
        kind=Notification.Kind.BRIEFING_CHANGED,
        title=f"A briefing you present was {change}: {briefing.title}",
        url=briefing.get_absolute_url(),
        actor=actor,
    )


HANDLERS = {
    events.CAMPAIGN_SUBMITTED: campaign_submitted,
    events.CAMPAIGN_APPROVED: campaign_approved,
    events.CAMPAIGN_SENT_BACK: campaign_sent_back,
    events.QUESTION_ASKED: question_asked,
    events.QUESTION_ANSWERED: question_answered,
    events.BRIEFING_CHANGED: briefing_changed,
}
