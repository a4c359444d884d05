"""The rollout timeline on the campaign page, and IC's stage editing, preview, test send, pause/resume.

IC plans the rollout; marketing sees the timeline read-only (the panel) and may preview stages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.models import Campaign
from people import roles
from rollout import composer, plan, sending, timeline
from rollout import history as stage_history
from rollout.forms import StageForm
from rollout.models import Delivery, RolloutStage


def _get_stage_for_user(request: HttpRequest, pk: int, stage_pk: int, *, edit: bool = False) -> RolloutStage:
    campaign = Campaign.objects.for_user(request.user, pk, edit=edit, ic_only=edit)
    stage = get_object_or_404(RolloutStage, pk=stage_pk, campaign=campaign)
    stage.campaign = campaign
    if edit and not stage.is_unsent:
        raise PermissionDenied("Only stages that have not been sent can be changed.")
    return stage


def rollout_panel_context(request: HttpRequest, campaign: Campaign) -> dict | None:
    """The timeline panel (3 queries whatever the number of stages or deliveries; 4 when some failed)."""
    if not roles.can_manage_campaigns(request.user):
        return None
    stages = list(campaign.stages.with_counts().prefetch_related("audiences").order_by("send_at", "pk"))
    # The latest failed deliveries, read only when a stage's counts say there are some.
    failures = (
        list(
            Delivery.objects.filter(stage__campaign=campaign, status=Delivery.Status.FAILED)
            .select_related("recipient", "stage")
            .order_by("-pk")[:10]
        )
        if any(stage.failed_count for stage in stages)
        else []
    )
    default_audiences = RolloutStage.default_audiences(campaign)
    now = timezone.now()
    notes = sending.overdue_notes(campaign, stages, {a.pk for a in default_audiences}, now)
    for stage in stages:
        stage.campaign = campaign  # the composer reads it; no fetch per stage
        stage.overdue_note = notes.get(stage.pk, "")
        # As the signed-in person would read it at its send time: the embargo applies as it will then.
        stage.sample_subject = composer.render_subject(stage, request.user, at=stage.sent_at or stage.send_at)
    return {
        "campaign": campaign,
        "stages": stages,
        "timeline": timeline.draw(request, campaign, stages, now, timezone.get_current_timezone()),
        "default_audiences": [a.name for a in default_audiences],
        "failures": failures,
        "can_plan": roles.is_ic(request.user) and campaign.is_editable,
    }


def _stage_form_page(request: HttpRequest, campaign: Campaign, stage: RolloutStage | None) -> HttpResponse:
    form = StageForm(request.POST or None, instance=stage, campaign=campaign)
    sends_now = None
    if request.method == "POST" and form.is_valid():
        saved, sends_now = sending.send_or_ask(
            campaign, lambda: _save_stage(form, campaign), confirmed=bool(request.POST.get("confirm"))
        )
        if not sends_now:
            messages.success(request, f"Stage “{saved.get_kind_display()}” saved ({saved.offset_label}).")
            return redirect(campaign.get_absolute_url() + "#rollout-h")
    context = {"campaign": campaign, "form": form, "stage": stage, "plan": sends_now}
    return render(request, "rollout/stage_form.html", context)


def _save_stage(form: StageForm, campaign: Campaign) -> RolloutStage:
    form.instance._change_reason = stage_history.audiences_note(form.instance, form.cleaned_data["audiences"])
    saved = form.save()
    plan.replan(campaign)  # an edit may now need holding, or no longer need it
    return saved


@login_required
def stage_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_form_page(
        request, Campaign.objects.for_user(request.user, pk, edit=True, ic_only=True), None
    )


@login_required
def stage_edit(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    stage = _get_stage_for_user(request, pk, stage_pk, edit=True)
    return _stage_form_page(request, stage.campaign, stage)


@login_required
@require_http_methods(["GET", "POST"])
def stage_delete(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    """GET asks first (what goes, and what that means); only the POST removes, and only an unsent stage."""
    campaign = Campaign.objects.for_user(request.user, pk, edit=True, ic_only=True)
    stage = get_object_or_404(
        RolloutStage.objects.with_counts().prefetch_related("audiences"), pk=stage_pk, campaign=campaign
    )
    stage.campaign = campaign
    back = campaign.get_absolute_url() + "#rollout-h"
    if request.method == "POST":
        if not stage.is_unsent:
            raise PermissionDenied("Only stages that have not been sent can be removed.")
        stage.delete()
        messages.success(request, f"Stage “{stage.get_kind_display()}” removed.")
        return redirect(back)
    return render(
        request,
        "confirm_remove.html",
        {
            "heading": f"Remove the stage “{stage.get_kind_display()}”?",
            "campaign": campaign,
            "facts": _stage_facts(stage),
            "consequences": _stage_removal_consequences(stage),
            "refusal": _stage_removal_refusal(stage),
            "action_url": request.path,
            "button": "Remove this stage",
            "cancel_url": back,
        },
    )


def _stage_facts(stage: RolloutStage) -> list[tuple[str, str]]:
    when = timezone.localtime(stage.sent_at or stage.send_at).strftime("%a %d %b %Y, %H:%M %Z")
    audiences = ", ".join(a.name for a in stage.audiences.all()) or "Medium and high impact audiences"
    return [
        ("Stage", f"{stage.get_kind_display()} ({stage.offset_label})"),
        ("Sent" if stage.sent_at else "Sends", when),
        ("To", audiences),
        ("Subject", stage.subject),
    ]


def _stage_removal_refusal(stage: RolloutStage) -> str:
    """Why a stage stays (the rule of stage_delete's POST), in words; "" when it may go."""
    if stage.is_unsent:
        return ""
    reached = stage.sent_count + stage.failed_count + stage.pending_count
    return (
        f"It is {stage.get_state_display().lower()} and went to {reached} "
        f"{'person' if reached == 1 else 'people'} ({stage.sent_count} delivered). Stages that have "
        "been sent stay on the timeline with their deliveries, as the record of what employees were told."
    )


def _stage_removal_consequences(stage: RolloutStage) -> list[str]:
    if not stage.is_unsent:
        return []
    return [
        "Nothing has been sent for this stage yet, and nothing will be: its audiences get no message from it.",
        "The campaign's change history records that the stage was removed; it cannot be brought back, "
        "only planned again.",
    ]


@login_required
def stage_preview(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    """The stage as one recipient will read it at its send time (details only if the embargo has lifted)."""
    stage = _get_stage_for_user(request, pk, stage_pk)
    users = get_user_model().objects.select_related("profile")
    candidates = list(stage.recipients().select_related("profile").order_by("first_name", "username")[:200])
    recipient, error = request.user, ""
    chosen = request.GET.get("recipient", "")
    if chosen:
        found = users.filter(pk=chosen).first() if chosen.isdigit() else None
        if found is None:
            error = "Choose a person from the list."
        else:
            recipient = found
    if all(u.pk != recipient.pk for u in candidates):
        candidates.insert(0, recipient)
    at = stage.sent_at or stage.send_at
    rendered = composer.render_stage(stage, recipient, at=at)
    return render(
        request,
        "rollout/stage_preview.html",
        {
            "campaign": stage.campaign,
            "stage": stage,
            "recipient": recipient,
            "candidates": candidates,
            "rendered": rendered,
            "at": at,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def stage_test_send(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    """Email the stage, as it will read at its send time, to the signed-in IC person only."""
    stage = _get_stage_for_user(request, pk, stage_pk)
    if not roles.is_ic(request.user):
        raise PermissionDenied("Only internal communications send test messages.")
    if not request.user.email:
        messages.error(request, "Your account has no email address to send the test to.")
    else:
        composer.build_email(stage, request.user, at=stage.sent_at or stage.send_at, test=True).send()
        stage_history.record_test_send(stage, request.user, request.user.email)
        messages.success(request, f"Test of “{stage.get_kind_display()}” sent to {request.user.email}.")
    return redirect(stage.campaign.get_absolute_url() + "#rollout-h")


@login_required
@require_POST
def campaign_pause(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = Campaign.objects.for_user(request.user, pk, edit=True, ic_only=True)
    if not campaign.is_paused:
        plan.pause(campaign)
        messages.success(request, "Rollout paused: nothing more is sent until you resume.")
    return redirect(campaign.get_absolute_url() + "#rollout-h")


@login_required
@require_POST
def campaign_resume(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = Campaign.objects.for_user(request.user, pk, edit=True, ic_only=True)
    if campaign.is_paused:
        _, sends_now = sending.send_or_ask(
            campaign, lambda: plan.resume(campaign), confirmed=bool(request.POST.get("confirm"))
        )
        if sends_now:  # stages fell due while paused: say what goes out, and ask
            campaign.refresh_from_db()
            return sending.confirmation_page(
                request,
                campaign,
                sends_now,
                heading="Resume the rollout and send now?",
                button="Resume and send now",
                cancel_url=campaign.get_absolute_url() + "#rollout-h",
            )
        messages.success(
            request, "Rollout resumed. If several stages fell due meanwhile, only the latest is sent."
        )
    return redirect(campaign.get_absolute_url() + "#rollout-h")
