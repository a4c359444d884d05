"""The explainer panel on the campaign page (order 40): state, reads, helpfulness, questions."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from explainers.models import Explainer, ExplainerQuestion, relevant_campaigns
from explainers.views import inbox_deliveries
from people import roles
from people.models import Audience
from rollout.composer import render_stage
from rollout.models import Delivery

QUESTIONS_SHOWN = 20


def explainer_panel(request, campaign) -> dict | None:
    explainer = (
        Explainer.objects.filter(campaign=campaign)
        .annotate(
            read_count=Count("reads", distinct=True),
            helpful_yes=Count("reads", filter=Q(reads__is_helpful=True), distinct=True),
            helpful_no=Count("reads", filter=Q(reads__is_helpful=False), distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .first()
    )
    questions = []
    if explainer is not None:
        questions = list(
            ExplainerQuestion.objects.filter(explainer=explainer).select_related("author")[:QUESTIONS_SHOWN]
        )
    if explainer is not None:
        explainer.campaign = campaign  # state_label reads the embargo; no second fetch
    return {
        "campaign": campaign,
        "explainer": explainer,
        "questions": questions,
        "can_edit": roles.is_ic(request.user),
        "can_answer": campaign.can_edit(request.user),
    }


# --- home-page panels (core.panels.HOME) ---------------------------------------------------------
INBOX_SHOWN = 5
EXPLAINERS_SHOWN = 6


def inbox_home_panel(request, user) -> dict | None:
    """Employees' and presenters' home: unread count and the newest announcements, rendered for them
    (two queries; each item's stage, campaign and explainer come joined)."""
    if roles.can_manage_campaigns(user):
        return None
    now = timezone.now()
    latest = list(inbox_deliveries(user)[:INBOX_SHOWN])
    unread = Delivery.objects.in_app_for(user).unread().count()
    return {"items": [(d, render_stage(d.stage, user, at=now, delivery=d)) for d in latest], "unread": unread}


def explainers_home_panel(request, user) -> dict | None:
    """Explainers of the campaigns that affect this person: published ones to read, and teasers
    (the shareable concept only) of those still under embargo. Three queries."""
    if roles.can_manage_campaigns(user):
        return None
    now = timezone.now()
    campaigns = list(
        relevant_campaigns(user, Audience.ids_for(user))
        .filter(go_live_at__gte=now - timedelta(days=60))
        .select_related("explainer")
        .order_by("go_live_at", "pk")[:EXPLAINERS_SHOWN]
    )
    shown = []
    for c in campaigns:
        explainer = getattr(c, "explainer", None)
        is_open = explainer is not None and explainer.is_published(now)
        shown.append({"campaign": c, "is_open": is_open})
    return {"explainers": shown}
