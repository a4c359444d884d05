"""Campaign management pages (marketing and IC), home pages and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from campaigns import roles
from campaigns.models import Campaign
from campaigns.panels import render_panels


def _require_manager(request: HttpRequest) -> None:
    if not roles.can_manage_campaigns(request.user):
        raise PermissionDenied("Campaign management is for marketing and internal communications.")


def _get_campaign_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> Campaign:
    """The campaign if this person may see it (or edit it, with edit=True); 403/404 otherwise."""
    _require_manager(request)
    campaign = get_object_or_404(Campaign.objects.select_related("owner"), pk=pk)
    if not Campaign.objects.visible_to(request.user).filter(pk=pk).exists():
        raise PermissionDenied("This campaign belongs to another team.")
    if edit and not campaign.can_edit(request.user):
        raise PermissionDenied("You may not edit this campaign.")
    return campaign


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = roles.primary_role(request.user)
    now = timezone.now()
    context: dict = {"role": role}
    if role in (roles.IC, roles.MARKETING):
        visible = Campaign.objects.visible_to(request.user).select_related("owner")
        if role == roles.IC:
            context["review_queue"] = list(visible.filter(status=Campaign.Status.SUBMITTED))
            context["next_go_lives"] = list(visible.upcoming(now)[:10])
        else:
            context["my_campaigns"] = list(
                visible.exclude(status=Campaign.Status.CLOSED).order_by("go_live_at")
            )
    return render(request, "campaigns/home.html", context)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("owner")
        .prefetch_related("teams", "impacts__audience")
        .order_by("go_live_at", "pk")
    )
    status = request.GET.get("status", "")
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    return render(
        request,
        "campaigns/campaign_list.html",
        {"campaigns": campaigns, "status": status, "statuses": Campaign.Status.choices},
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk)
    impacts = campaign.impacts.select_related("audience")
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "impacts": impacts,
            "key_messages": campaign.key_messages.all(),
            "assets": campaign.assets.all(),
            "can_edit": campaign.can_edit(request.user),
            "moves": campaign.allowed_moves(request.user),
            "panels": render_panels(request, campaign),
        },
    )


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise (for load balancers and make run)."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure means "not healthy"; the message is the useful part
        return f"error: {exc.__class__.__name__}"


def _check_broker() -> str:
    from campaignhub.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
