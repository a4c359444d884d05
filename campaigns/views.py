"""Campaign management pages (marketing and IC), home pages and the health check."""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import confirmations
from campaigns.asset_access import may_open
from campaigns.asset_uses import uses_of
from campaigns.forms import CampaignEditor, MoveForm
from campaigns.history import campaign_history
from campaigns.models import Asset, Campaign, Impact
from core import panels
from core.panels import render_panels
from people import roles
from people.models import MarcomTeam

logger = logging.getLogger(__name__)
HOME_LIST_LENGTH = 8  # rows per home-page list; "all of them" links to the full page

CAMPAIGN_PAGE_SIZE = 25  # the list grows with history; each page renders a fixed number
AUDIENCE_IMPACTS_SHOWN = 25
AUDIENCE_IMPACTS_SINCE = timedelta(weeks=4)


def _require_manager(request: HttpRequest) -> None:
    if not roles.can_manage_campaigns(request.user):
        raise PermissionDenied("Campaign management is for marketing and internal communications.")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's home: each app adds the panels this role needs (core.panels.HOME)."""
    return render(
        request,
        "campaigns/home.html",
        {
            "role": roles.primary_role(request.user),
            "panels": render_panels(request, request.user, panels.HOME),
        },
    )


def review_queue_panel(request: HttpRequest, user) -> dict | None:
    """IC's home: what marketing submitted, oldest go-live first (one query)."""
    if not roles.is_ic(user):
        return None
    queue = (
        Campaign.objects.filter(status=Campaign.Status.SUBMITTED)
        .select_related("owner")
        .order_by("go_live_at", "pk")
    )
    return {"queue": list(queue[:HOME_LIST_LENGTH])}


def _query_without_page(request: HttpRequest) -> str:
    """The request's GET parameters except `page`, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("owner")
        .prefetch_related("teams", Prefetch("impacts", Impact.objects.select_related("audience")))
        .order_by("go_live_at", "pk")
    )
    status, team = request.GET.get("status", ""), request.GET.get("team", "")
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    if team:
        campaigns = campaigns.filter(teams__slug=team)
    if request.GET.get("mine"):
        campaigns = campaigns.filter(owner=request.user)
    page = Paginator(campaigns, CAMPAIGN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": page.object_list,
            "page": page,
            "query": _query_without_page(request),
            "status": status,
            "statuses": Campaign.Status.choices,
            "team": team,
            "teams": MarcomTeam.objects.all(),
            "mine": bool(request.GET.get("mine")),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    editor = CampaignEditor(request)
    if request.method == "POST" and editor.is_valid():
        campaign = editor.save()
        _after_save(request, campaign, "Campaign logged.")
        return redirect(campaign)
    return render(request, "campaigns/campaign_form.html", {"editor": editor, "campaign": None})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = Campaign.objects.select_related("owner").for_user(request.user, pk, edit=True)
    editor = CampaignEditor(request, campaign)
    if request.method == "POST" and editor.is_valid():
        campaign = editor.save()
        done = "Changes saved."
        if editor.sent_back_for_review:
            done = (
                "Changes saved. The campaign was approved, so it goes back to IC for review: "
                "nothing more is sent until IC approves it again."
            )
        _after_save(request, campaign, done)
        return redirect(campaign)
    context = {
        "editor": editor,
        "campaign": campaign,
        "goes_back_to_review": campaign.changes_go_back_to_review(request.user),
    }
    return render(request, "campaigns/campaign_form.html", context)


def _after_save(request: HttpRequest, campaign: Campaign, done: str) -> None:
    """Submit if asked, and say what happened (with the 'be focused' nudge when it applies)."""
    if request.POST.get("submit_to_ic") and Campaign.Status.SUBMITTED in campaign.allowed_moves(request.user):
        campaign.move_to(Campaign.Status.SUBMITTED, request.user)
        done = done.rstrip(".") + " and submitted to IC."
    messages.success(request, done)
    warning = campaign.impact_warning()
    if warning:
        messages.warning(request, warning)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Impacts once for the page (its table, the nudge, the rollout's default audiences); the
    # explainer once (its panel and the composer's links).
    campaign = (
        Campaign.objects.select_related("owner", "explainer")
        .prefetch_related(Prefetch("impacts", Impact.objects.select_related("audience")))
        .for_user(request.user, pk)
    )
    impacts = campaign.impacts.all()
    can_edit = campaign.can_edit(request.user)
    allowed = campaign.allowed_moves(request.user)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "impacts": impacts,
            "key_messages": campaign.key_messages.all(),
            "assets": Asset.objects.shown_with(campaign).select_related("campaign"),
            "can_edit": can_edit and campaign.is_editable,
            "can_duplicate": can_edit,
            "moves": [_move_for(campaign, m) for m in MOVES.values() if m.target in allowed],
            "panels": render_panels(request, campaign),
            "summary": render_panels(request, campaign, panels.SUMMARY),
            "now": timezone.now(),
        },
    )


@login_required
def campaign_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to the campaign, newest first: its own page, because it grows with every edit
    while the campaign page stays a fixed size (and a fixed number of queries)."""
    campaign = Campaign.objects.for_user(request.user, pk)
    return render(
        request,
        "campaigns/campaign_history.html",
        {"campaign": campaign, "history": campaign_history(campaign)},
    )


@dataclass(frozen=True)
class Move:
    action: str  # the URL word
    target: str
    label: str
    needs_comment: bool = False
    is_primary: bool = True
    is_danger: bool = False


# In the order the buttons appear: the step forward first, sending back and cancelling after.
MOVES = {
    m.target: m
    for m in (
        Move("submit", Campaign.Status.SUBMITTED, "Submit to IC"),
        Move("approve", Campaign.Status.APPROVED, "Approve the internal plan"),
        Move("go-live", Campaign.Status.LIVE, "Mark as live"),
        Move("close", Campaign.Status.CLOSED, "Close the campaign"),
        Move(
            "send-back", Campaign.Status.DRAFT, "Send back to marketing", needs_comment=True, is_primary=False
        ),
        Move("cancel", Campaign.Status.CANCELLED, "Cancel the campaign", is_primary=False, is_danger=True),
    )
}
MOVES_BY_ACTION = {m.action: m for m in MOVES.values()}


def _move_for(campaign: Campaign, move: Move) -> Move:
    """An approved campaign going back to review is a step back, not "Submit to IC"."""
    if move.target == Campaign.Status.SUBMITTED and campaign.status == Campaign.Status.APPROVED:
        return replace(move, label="Reopen for IC review", is_primary=False)
    return move


@login_required
@require_POST
def campaign_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    move = MOVES_BY_ACTION.get(action)
    if move is None:
        raise Http404("No such action.")
    # Not edit=True: may_move checks the role, and a closed campaign answers "cannot move" in place.
    campaign = Campaign.objects.select_related("owner").for_user(request.user, pk)
    if not campaign.may_move(request.user, move.target):
        raise PermissionDenied("Your role may not make that move on this campaign.")
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["comment"]))
        return redirect(campaign)
    comment = form.cleaned_data["comment"].strip()
    if move.needs_comment and not comment:
        messages.error(request, "Say why you are sending it back: the comment is required.")
        return redirect(campaign)
    try:
        _, plan = confirmations.send_or_ask(
            campaign,
            lambda: campaign.move_to(move.target, request.user, comment),
            confirmed=bool(request.POST.get("confirm")),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(campaign)
    if plan:  # approving would send overdue stages at once: say what, and ask
        campaign.refresh_from_db()
        return render(
            request,
            "confirm_send.html",
            {
                "heading": f"{move.label} and send now?",
                "campaign": campaign,
                "plan": plan,
                "action_url": request.path,
                "hidden": [("comment", comment)],
                "button": f"{move.label.split(' ')[0]} and send now",
                "cancel_url": campaign.get_absolute_url(),
            },
        )
    messages.success(request, f"Campaign is now {campaign.get_status_display().lower()}.")
    return redirect(campaign)


@login_required
@require_http_methods(["GET", "POST"])
def asset_delete(request: HttpRequest, pk: int, asset_pk: int) -> HttpResponse:
    """GET asks first (where the asset shows, and that it goes from there too); only the POST removes."""
    campaign = Campaign.objects.for_user(request.user, pk, edit=True)
    asset = get_object_or_404(Asset, pk=asset_pk, campaign=campaign)
    if request.method == "POST":
        asset.delete()
        messages.success(request, f"Removed asset “{asset.caption}”.")
        return redirect(campaign)
    elsewhere = [use for use, _ in uses_of(asset)[1:]]  # the first is this campaign itself
    consequences = [f"It also disappears from: {use.place} “{use.title}”." for use in elsewhere]
    consequences.append(
        "Employees, presenters and other campaigns no longer see it. This cannot be undone: "
        "to show it again, upload it again."
    )
    return render(
        request,
        "confirm_remove.html",
        {
            "heading": f"Remove the asset “{asset.caption}”?",
            "campaign": campaign,
            "facts": [("Asset", asset.caption), ("Type", asset.get_kind_display())],
            "consequences": consequences,
            "refusal": "",
            "action_url": request.path,
            "button": "Remove this asset",
            "cancel_url": campaign.get_absolute_url(),
        },
    )


@login_required
def asset_file(request: HttpRequest, pk: int, asset_pk: int) -> HttpResponse:
    """An uploaded asset, to those who may see it: the campaign's managers, or a page that shows it."""
    asset = get_object_or_404(Asset.objects.exclude(file=""), pk=asset_pk, campaign_id=pk)
    if not may_open(request.user, asset):
        if roles.can_manage_campaigns(request.user):
            raise PermissionDenied("This campaign belongs to another team.")  # as on the campaign page
        raise Http404("No such asset.")  # employees do not learn that an embargoed campaign exists
    if not asset.file.storage.exists(asset.file.name):
        logger.warning("asset %s of campaign %s: file %s is missing", asset.pk, pk, asset.file.name)
        raise Http404("The file of this asset is missing.")
    return _asset_response(asset)


def _asset_response(asset: Asset) -> HttpResponse:
    """Images and PDFs open in the browser, office documents download; never content-sniffed."""
    filename = Path(asset.file.name).name
    as_attachment = asset.kind not in (Asset.Kind.IMAGE, Asset.Kind.PDF)
    if settings.MEDIA_ACCEL_REDIRECT_PREFIX or settings.MEDIA_X_SENDFILE:
        response = HttpResponse(content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
        if settings.MEDIA_ACCEL_REDIRECT_PREFIX:
            response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX + quote(asset.file.name)
        else:
            response["X-Sendfile"] = asset.file.path
    else:
        response = FileResponse(
            asset.file.storage.open(asset.file.name, "rb"), as_attachment=as_attachment, filename=filename
        )
    response["X-Content-Type-Options"] = "nosniff"
    # Browsers may keep it, shared caches not; revalidate so a removed asset stops showing.
    patch_cache_control(response, private=True, no_cache=True)
    return response


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


def audience_impacts_panel(request: HttpRequest, audience) -> dict:
    """The audience page's "Campaigns that affect it": only campaigns this person may see, from
    four weeks before today on, the next AUDIENCE_IMPACTS_SHOWN by go-live (years of history
    would otherwise make this the longest list on the page)."""
    since = timezone.now() - AUDIENCE_IMPACTS_SINCE
    impacts = list(
        Impact.objects.filter(
            audience=audience,
            campaign__in=Campaign.objects.visible_to(request.user),
            campaign__go_live_at__gte=since,
        )
        .select_related("campaign")
        .order_by("campaign__go_live_at", "campaign__pk")[: AUDIENCE_IMPACTS_SHOWN + 1]
    )
    return {
        "impacts": impacts[:AUDIENCE_IMPACTS_SHOWN],
        "has_more": len(impacts) > AUDIENCE_IMPACTS_SHOWN,
        "since": since,
    }
