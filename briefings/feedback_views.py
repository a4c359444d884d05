"""Attendees' feedback, and marketing's summary, CSV export and answers."""

from __future__ import annotations

import csv
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from briefings.forms import AnswerForm, FeedbackForm
from briefings.models import Feedback
from briefings.views import _get_briefing_for_user
from campaigns.models import Campaign


# --- feedback --------------------------------------------------------------------------------
@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk)
    invitation = briefing.invitation_for(request.user)
    if invitation is None or not invitation.has_attended:
        raise PermissionDenied("Feedback is for the people who attended this briefing.")
    existing = Feedback.mine(briefing, request.user)
    form = FeedbackForm(
        request.POST if request.method == "POST" else None, initial=FeedbackForm.initial_for(existing)
    )
    if request.method == "POST" and form.is_valid():
        Feedback.submit(briefing, request.user, **form.cleaned_data)
        messages.success(
            request,
            "Thank you: your feedback is saved."
            + (" You can change it any time." if existing is None else " We updated your earlier answer."),
        )
        return redirect(briefing)
    return render(
        request, "briefings/feedback_form.html", {"briefing": briefing, "form": form, "existing": existing}
    )


def _summary(campaign: Campaign) -> dict:
    rows = list(
        Feedback.objects.for_campaign(campaign)
        .select_related("briefing", "user", "answered_by")
        .order_by("briefing__starts_at", "submitted_on", "id")
    )
    per_briefing: dict[int, dict] = {}
    for f in rows:
        entry = per_briefing.setdefault(f.briefing_id, {"briefing": f.briefing, "count": 0, "total": 0})
        entry["count"] += 1
        entry["total"] += f.feeling
    for entry in per_briefing.values():
        entry["average"] = round(entry["total"] / entry["count"], 1)
    distribution = [(n, sum(1 for f in rows if f.feeling == n)) for n in range(1, 6)]
    return {
        "rows": rows,
        "count": len(rows),
        "average": round(sum(f.feeling for f in rows) / len(rows), 1) if rows else None,
        "per_briefing": list(per_briefing.values()),
        "distribution": distribution,
        "comments": [f for f in rows if f.support],
        "unanswered": [f for f in rows if f.question and not f.answer],
        "answered": [f for f in rows if f.question and f.answer],
    }


@login_required
def feedback_summary(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = Campaign.objects.for_user(request.user, campaign_pk)
    context = _summary(campaign) | {"campaign": campaign, "answer_forms": {}}
    return render(request, "briefings/feedback_summary.html", context)


def _csv_cell(value) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def feedback_csv(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = Campaign.objects.for_user(request.user, campaign_pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="feedback-{campaign.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "briefing",
            "briefing date",
            "submitted on",
            "feeling (1-5)",
            "how I can support it",
            "question",
            "answer",
            "respondent",
        ]
    )
    for f in _summary(campaign)["rows"]:
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    f.briefing.title,
                    timezone.localtime(f.briefing.starts_at).date(),
                    f.submitted_on,
                    f.feeling,
                    f.support,
                    f.question,
                    f.answer,
                    f.respondent_label,
                )
            ]
        )
    return response


@login_required
@require_POST
def feedback_answer(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    item = get_object_or_404(Feedback.objects.select_related("briefing__campaign"), pk=pk)
    campaign = Campaign.objects.for_user(request.user, item.briefing.campaign_id)
    if not campaign.can_edit(request.user):
        raise PermissionDenied("Only the campaign's marketing team or IC answer questions.")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        context = _summary(campaign) | {"campaign": campaign, "answer_forms": {item.pk: form}}
        return render(request, "briefings/feedback_summary.html", context)
    item.answer_with(form.cleaned_data["answer"], request.user)
    messages.success(
        request, "Answer saved: the person who asked is told, and it can appear in the explainer's FAQ."
    )
    return redirect("feedback_summary", campaign.pk)
