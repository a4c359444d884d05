"""Planning pages: the comms calendar (and its .ics feed), the audience load, readiness and comms items.

Who may see them: IC and marketing. Presenters and employees get 403: they have their inbox and
briefings pages, and a calendar of everything planned is the riskiest place for an embargo to leak.
Marketing sees every entry, but a campaign they cannot open shows as "Embargoed campaign" until its
embargo lifts (with its concept once an early warning reached them), and has no link.
"""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from people import roles
from people.models import Audience, CalendarFeed
from planning import calendar_feed, charts, conflicts, entries, load
from planning.forms import CalendarFilterForm, CommsItemForm, ReadinessThresholdForm
from planning.models import CommsItem, ReadinessThreshold
from planning.readiness import readiness_for, readiness_trend
from rollout.models import RolloutStage

MONTH_CELL_LIMIT = 4  # entries drawn per day in the month grid; the rest are behind "N more"
READINESS_PAGE_SIZE = 10  # each campaign is a table of its audiences
LIST_PAGE_SIZE = 100  # calendar list entries a page
KEY_MESSAGE_PAIRS_SHOWN = 25


def _require_planner(request: HttpRequest) -> None:
    if not roles.can_manage_campaigns(request.user):
        raise PermissionDenied("Planning views are for internal communications and marketing.")


def _require_ic(request: HttpRequest) -> None:
    if not roles.is_ic(request.user):
        raise PermissionDenied("Only internal communications can do this.")


def _get_comms_item_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> CommsItem:
    _require_planner(request)
    if edit:
        _require_ic(request)
    return get_object_or_404(CommsItem.objects.prefetch_related("audiences"), pk=pk)


# --- calendar --------------------------------------------------------------------------------
@dataclass
class Day:
    day: date
    in_period: bool
    entries: list = field(default_factory=list)  # the entries drawn (the first MONTH_CELL_LIMIT in a month)
    count: int = 0  # all the entries on this day

    @property
    def shown(self) -> list:
        return self.entries[:MONTH_CELL_LIMIT]

    @property
    def hidden_count(self) -> int:
        return max(0, self.count - MONTH_CELL_LIMIT)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


def _period(view: str, anchor: date) -> tuple[date, date, date, date, str]:
    """(first day shown, day after the last, previous anchor, next anchor, heading)."""
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        sunday = monday + timedelta(days=6)
        heading = f"Week {monday.isocalendar().week}: {monday:%-d %b} to {sunday:%-d %b %Y}"
        return (
            monday,
            monday + timedelta(days=7),
            monday - timedelta(days=7),
            monday + timedelta(days=7),
            heading,
        )
    first = anchor.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    prev_anchor = (first - timedelta(days=1)).replace(day=1)
    next_anchor = last + timedelta(days=1)
    if view == "list":
        return first, next_anchor, prev_anchor, next_anchor, f"{first:%B %Y}"
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=7 - last.weekday())
    return grid_start, grid_end, prev_anchor, next_anchor, f"{first:%B %Y}"


def _matches(entry: entries.Entry, filters: dict, teams: dict[int, set[int]]) -> bool:
    if filters.get("audience") and filters["audience"].pk not in entry.audience_ids:
        return False
    if filters.get("team") and entry.kind == "deliverable":
        if filters["team"].pk not in entry.team_ids:  # the team doing it, or sharing it
            return False
    elif filters.get("team") and (
        not entry.campaign_id or filters["team"].pk not in teams.get(entry.campaign_id, ())
    ):
        return False
    if filters.get("channel") and filters["channel"] not in entry.channels:
        return False
    return not (filters.get("campaign") and entry.campaign_id != filters["campaign"].pk)


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    form = CalendarFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else getattr(form, "cleaned_data", {})
    view = filters.get("view") or "month"
    anchor = filters.get("date") or timezone.localdate()
    tz = timezone.get_current_timezone()
    first, after, prev_anchor, next_anchor, heading = _period(view, anchor)
    # The month grid shows no audiences, so it needs them only to filter by one.
    with_audiences = view != "month" or bool(filters.get("audience"))
    start_at, end_at = load.local_midnight(first, tz), load.local_midnight(after, tz)
    viewer = entries.Viewer.for_user(request.user)
    narrowed = any(filters.get(k) for k in ("audience", "team", "channel", "campaign"))
    page = None
    day_counts: dict[date, int] | None = None
    if view in ("month", "list") and not narrowed:
        # Unfiltered, the database picks what is drawn (the first few a day, or one page) and counts
        # the rest; only those entries are fetched in full.
        period = entries.PeriodKeys(start_at, end_at, tz, viewer)
        if view == "list":
            page = Paginator(period, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
            keys, entry_count = page.object_list, page.paginator.count
        else:
            keys, day_counts = period.first_of_each_day(MONTH_CELL_LIMIT)
            entry_count = sum(day_counts.values())
        found = entries.collect(
            start_at, end_at, with_audiences=with_audiences, with_deliverables=True, keys=set(keys)
        )
        drawn_entries = found.items
        campaign_choices = period.campaign_choices()
    else:
        found = entries.collect(
            start_at, end_at, with_teams=True, with_audiences=with_audiences, with_deliverables=True
        )
        matched = [
            e
            for e in found.items
            # a workplan is for the people who may see the campaign, embargo or not
            if not (e.kind == "deliverable" and not viewer.can_open(e.campaign_id))
            and _matches(e, filters, found.campaign_teams)
        ]
        entry_count = len(matched)
        drawn_entries = matched
        if view == "list":  # a month of a busy calendar is a thousand entries: a page at a time
            page = Paginator(matched, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
            drawn_entries = page.object_list
        # Offer the campaigns in this period by name (only those this person may open); any other
        # campaign they may open is still accepted from a link.
        campaign_choices = [
            (c.pk, c.title)
            for c in sorted(
                (c for c in found.campaigns.values() if viewer.can_open(c.pk)), key=lambda c: c.title.lower()
            )
        ]
        selected = filters.get("campaign")
        if selected and selected.pk not in {pk for pk, _ in campaign_choices}:
            campaign_choices.insert(0, (selected.pk, selected.title))
    audience_names = dict(Audience.objects.values_list("pk", "name")) if with_audiences else {}
    audience_text: dict[frozenset, str] = {}

    def shown_entry(entry: entries.Entry) -> entries.ShownEntry:
        s = entries.show(entry, found.campaigns, viewer)
        if entry.audience_ids not in audience_text:
            audience_text[entry.audience_ids] = ", ".join(
                sorted(audience_names.get(a, "?") for a in entry.audience_ids)
            )
        s.audience_text = audience_text[entry.audience_ids] or "—"
        s.local = entry.at.astimezone(tz)
        s.time_text = f"{s.local:%H:%M}"
        if entry.ends_at:
            end = entry.ends_at.astimezone(tz)
            s.time_text += f" to {end:%H:%M}" if end.date() == s.local.date() else f" to {end:%-d %b %H:%M}"
        s.channel_text = ", ".join(entry.channel_labels) or "—"
        return s

    # Entries per local day; only those drawn are dressed for display (a month cell draws
    # MONTH_CELL_LIMIT and counts the rest).
    by_day: dict[date, list[entries.Entry]] = defaultdict(list)
    for entry in drawn_entries:
        by_day[entry.at.astimezone(tz).date()].append(entry)
    form.fields["campaign"].choices = [("", "All campaigns in this period"), *campaign_choices]
    drawn = MONTH_CELL_LIMIT if view == "month" else None
    days = [
        Day(first + timedelta(days=n), view != "month" or (first + timedelta(days=n)).month == anchor.month)
        for n in range((after - first).days)
    ]
    for d in days:
        on_day = by_day.get(d.day, [])
        d.count = len(on_day) if day_counts is None else day_counts.get(d.day, 0)
        d.entries = [shown_entry(e) for e in on_day[:drawn]]
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]

    kept = {k: v for k, v in request.GET.items() if k not in ("date", "view", "page") and v}

    def link(**params) -> str:
        return "?" + urlencode({**kept, **params})

    return render(
        request,
        "planning/calendar.html",
        {
            "form": form,
            "view": view,
            "heading": heading,
            "weeks": weeks,
            "days": [d for d in days if d.entries],
            "entry_count": entry_count,
            "page": page,
            "page_query": urlencode(
                {**kept, "view": view, **({"date": anchor.isoformat()} if "date" in request.GET else {})}
            ),
            "prev_url": link(view=view, date=prev_anchor.isoformat()),
            "next_url": link(view=view, date=next_anchor.isoformat()),
            "today_url": link(view=view),
            "view_urls": [(v, label, link(view=v, date=anchor.isoformat())) for v, label in form.VIEWS],
            "week_url": lambda d: link(view="week", date=d.isoformat()),
            "is_ic": viewer.is_ic,
            "feed": CalendarFeed.of(request.user, CalendarFeed.Kind.PLANNING) if viewer.is_ic else None,
        },
    )


def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The calendar as iCalendar, for IC: by the secret feed address (?token=) or a signed-in session."""
    token = request.GET.get("token", "")
    if token:
        user = CalendarFeed.owner_of(token, CalendarFeed.Kind.PLANNING)
        if user is None:
            raise Http404("No such calendar feed.")
    elif request.user.is_authenticated:
        user = request.user
    else:
        return redirect_to_login(request.get_full_path())
    if not roles.is_ic(user):
        raise PermissionDenied("The calendar feed is for internal communications.")
    body = calendar_feed.render_ics(user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="campaignhub-calendar.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def calendar_feed_reset(request: HttpRequest) -> HttpResponse:
    """Create the feed address, or replace it (the old one stops working at once)."""
    _require_ic(request)
    CalendarFeed.regenerate(request.user, CalendarFeed.Kind.PLANNING)
    messages.success(request, "Your calendar feed address is ready. Any older address no longer works.")
    return redirect("calendar")


# --- load ------------------------------------------------------------------------------------
@login_required
def load_view(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    weeks = load.weeks_around(now, tz)
    rows = load.heat_map(weeks, tz)
    viewer = entries.Viewer.for_user(request.user, now)
    pairs, has_more_pairs = load.key_message_pairs(weeks, viewer, tz, KEY_MESSAGE_PAIRS_SHOWN)
    this_monday = load.week_start(now, tz)
    return render(
        request,
        "planning/load.html",
        {
            "weeks": weeks,
            "this_monday": this_monday,
            "calendar_url": reverse("calendar"),
            "rows": rows,
            "default_cap": settings.PLANNING_WEEKLY_CAP,
            "pairs": pairs,
            "has_more_pairs": has_more_pairs,
            "over": load.over_cap(rows, [w for w in weeks if w >= this_monday]),
        },
    )


# --- readiness -------------------------------------------------------------------------------
@login_required
def readiness_list(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    upcoming = (
        Campaign.objects.visible_to(request.user)
        .upcoming()
        .only("pk", "title", "status", "go_live_at", "is_go_live_tentative", "owner_id")
        .order_by("go_live_at", "pk")
    )
    page = Paginator(upcoming, READINESS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/readiness.html",
        {"page": page, "results": readiness_for(list(page.object_list)), "is_ic": roles.is_ic(request.user)},
    )


@login_required
def readiness_targets(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = Campaign.objects.for_user(request.user, pk, ic_only=True)
    threshold = ReadinessThreshold.objects.filter(campaign=campaign).first() or ReadinessThreshold(
        campaign=campaign
    )
    form = ReadinessThresholdForm(request.POST or None, instance=threshold)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Readiness targets saved.")
        return redirect(campaign)
    return render(request, "planning/readiness_targets.html", {"campaign": campaign, "form": form})


def _readiness_of(campaign: Campaign):
    """The campaign page asks three times (summary, panel, charts): compute once per request."""
    if not hasattr(campaign, "_readiness"):
        campaign._readiness = readiness_for([campaign])[0]
    return campaign._readiness


def readiness_panel(request: HttpRequest, campaign: Campaign) -> dict | None:
    r = _readiness_of(campaign)
    return {"r": r, "funnels": charts.funnels(r), "can_edit": roles.is_ic(request.user), "campaign": campaign}


@login_required
def campaign_charts(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's charts: readiness funnel per audience and its trend, each sent stage's reach.

    A page of its own (linked from the campaign page's sections), so the campaign page keeps its
    query budget; the funnel also shows in the readiness panel, from numbers it already has."""
    campaign = Campaign.objects.for_user(request.user, pk)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    r = _readiness_of(campaign)
    return render(
        request,
        "planning/campaign_charts.html",
        {
            "campaign": campaign,
            "r": r,
            "funnels": charts.funnels(r),
            "trend": charts.trend(readiness_trend(campaign, now, tz), tz),
            "reach": charts.reach(RolloutStage.objects.reach_by_day(campaign, tz), tz),
        },
    )


def warnings_panel(request: HttpRequest, campaign: Campaign) -> dict | None:
    if not campaign.is_editable:
        return None
    viewer = entries.Viewer.for_user(request.user)
    return {"warnings": conflicts.campaign_warnings(campaign, viewer, timezone.get_current_timezone())}


# --- comms items -----------------------------------------------------------------------------
@login_required
def comms_item_list(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    items = CommsItem.objects.filter(starts_at__gte=timezone.now() - timedelta(days=28)).prefetch_related(
        "audiences"
    )
    return render(
        request, "planning/comms_item_list.html", {"items": items, "is_ic": roles.is_ic(request.user)}
    )


@login_required
def comms_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_comms_item_for_user(request, pk)
    return render(
        request, "planning/comms_item_detail.html", {"item": item, "is_ic": roles.is_ic(request.user)}
    )


def _comms_item_form(request: HttpRequest, item: CommsItem) -> HttpResponse:
    form = CommsItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        is_new = item.pk is None
        if is_new:
            form.instance.created_by = request.user
        item = form.save()
        messages.success(request, f"“{item.title}” {'added to' if is_new else 'updated on'} the calendar.")
        return redirect("comms_item_detail", item.pk)
    return render(request, "planning/comms_item_form.html", {"form": form, "item": item})


@login_required
def comms_item_create(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    _require_ic(request)
    return _comms_item_form(request, CommsItem())


@login_required
def comms_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _comms_item_form(request, _get_comms_item_for_user(request, pk, edit=True))


@login_required
@require_POST
def comms_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_comms_item_for_user(request, pk, edit=True)
    item.delete()
    messages.success(request, f"“{item.title}” removed from the calendar.")
    return redirect("comms_item_list")
