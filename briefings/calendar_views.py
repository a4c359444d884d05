"""Personal calendar feeds: settings, new secret address, revoke, and the feed itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from briefings import ics
from briefings.models import Briefing, CalendarFeed, Invitation
from campaigns.models import Campaign
from rollout.models import Delivery


# --- calendars -------------------------------------------------------------------------------
@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = settings.SITE_URL + feed.get_absolute_url() if feed else None
    return render(request, "briefings/calendar_settings.html", {"feed": feed, "feed_url": url})


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    had = CalendarFeed.objects.filter(user=request.user).exists()
    CalendarFeed.regenerate(request.user)
    messages.success(
        request, "New calendar address created." + (" The old one no longer works." if had else "")
    )
    return redirect("calendar_settings")


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    CalendarFeed.revoke(request.user)
    messages.success(request, "Calendar feed turned off: the address no longer works.")
    return redirect("calendar_settings")


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's briefings and warned-of go-lives, by secret address: no session, 404 for any bad token."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    user = feed.user
    since = timezone.now() - timezone.timedelta(days=90)
    attending = Invitation.objects.filter(briefing=OuterRef("pk"), user=user).exclude(rsvp=Invitation.Rsvp.NO)
    briefings = (
        Briefing.objects.filter(Q(Exists(attending)) | Q(presenter=user), ends_at__gte=since)
        .select_related("campaign")
        .order_by("starts_at", "pk")
    )
    warned = Delivery.objects.filter(
        stage__campaign=OuterRef("pk"), recipient=user, status=Delivery.Status.SENT
    )
    campaigns = (
        Campaign.objects.filter(Exists(warned), go_live_at__gte=since)
        .exclude(status=Campaign.Status.CANCELLED)
        .order_by("go_live_at", "pk")
    )
    response = HttpResponse(ics.feed_calendar(user, briefings, campaigns), content_type=ics.CONTENT_TYPE)
    response["X-Robots-Tag"] = "noindex"
    return response
