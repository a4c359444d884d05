"""The explainer panel on the campaign page (order 40): state, reads, helpfulness, questions."""

from __future__ import annotations

from django.db.models import Count, Q

from explainers.models import Explainer, ExplainerQuestion
from people import roles

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
