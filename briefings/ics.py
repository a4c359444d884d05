"""Calendar files (RFC 5545) for briefings and a person's feed, built with the icalendar library.

Times carry their zone (DTSTART;TZID=Europe/London) with a VTIMEZONE covering the events' dates, so
clients place them correctly across DST. Descriptions hold the shareable concept only: never the
embargoed details, whoever downloads the file and whenever.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from briefings.models import Briefing
from campaigns.models import Campaign

PRODID = "-//CampaignHub//Briefings//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "campaignhub"


def briefing_uid(briefing: Briefing) -> str:
    return f"briefing-{briefing.uid}@{_host()}"


def go_live_uid(campaign: Campaign) -> str:
    return f"go-live-{campaign.pk}@{_host()}"


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _finish(cal: Calendar, moments: list[datetime]) -> bytes:
    """Add one VTIMEZONE per zone used, covering the events' span (kept short for small files)."""
    if moments:
        first = min(moments).date() - timedelta(days=1)
        last = max(moments).date() + timedelta(days=1)
        cal.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1))
    return cal.to_ical()


def briefing_event(briefing: Briefing, *, attendee=None) -> Event:
    event = Event()
    event.add("uid", briefing_uid(briefing))
    event.add("sequence", briefing.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", briefing.local_starts_at)
    event.add("dtend", briefing.local_ends_at)
    event.add("summary", briefing.title)
    if briefing.place or briefing.online_url:
        event.add("location", briefing.place or briefing.online_url)
    url = settings.SITE_URL + briefing.get_absolute_url()
    event.add("url", url)
    lines = [f"Team briefing on {briefing.campaign.title}.", "", briefing.campaign.concept]
    if briefing.online_url:
        lines += ["", f"Join online: {briefing.online_url}"]
    lines += ["", f"Answer and details: {url}"]
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if briefing.is_cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText("CampaignHub")
    event.add("organizer", organizer)
    if attendee is not None and attendee.email:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params["cn"] = vText(attendee.get_full_name() or attendee.get_username())
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["rsvp"] = vText("FALSE")
        event.add("attendee", address)
    return event


def briefing_calendar(briefing: Briefing, *, attendee=None, method: str = "PUBLISH") -> bytes:
    """One session as a calendar file: PUBLISH to download, REQUEST to invite or update, CANCEL to cancel."""
    cal = _calendar(method)
    cal.add_component(briefing_event(briefing, attendee=attendee))
    return _finish(cal, [briefing.starts_at, briefing.ends_at])


def go_live_event(campaign: Campaign) -> Event:
    """A go-live the person was warned of: the campaign title and concept only."""
    event = Event()
    event.add("uid", go_live_uid(campaign))
    event.add("dtstamp", timezone.now())
    local = campaign.go_live_at.astimezone(zoneinfo.ZoneInfo(campaign.time_zone)).replace(microsecond=0)
    event.add("dtstart", local)
    event.add("dtend", local + timedelta(minutes=30))
    tentative = " (tentative)" if campaign.is_go_live_tentative else ""
    event.add("summary", f"Go-live: {campaign.title}{tentative}")
    event.add("description", campaign.concept)
    event.add("transp", "TRANSPARENT")  # a milestone, not a meeting: does not block time
    event.add("status", "TENTATIVE" if campaign.is_go_live_tentative else "CONFIRMED")
    return event


def feed_calendar(user, briefings: Iterable[Briefing], campaigns: Iterable[Campaign]) -> bytes:
    cal = _calendar("PUBLISH", name="CampaignHub briefings")
    moments: list[datetime] = []
    for briefing in briefings:
        cal.add_component(briefing_event(briefing))
        moments += [briefing.starts_at, briefing.ends_at]
    for campaign in campaigns:
        cal.add_component(go_live_event(campaign))
        moments.append(campaign.go_live_at)
    return _finish(cal, moments)
