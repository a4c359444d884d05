"""The comms calendar as an iCalendar feed (IC only).

IC may see embargoed titles, but a feed leaves CampaignHub for a calendar app, so entries of
embargoed campaigns say so in the summary and are marked CLASS:CONFIDENTIAL; no campaign's details
(the embargoed text) are ever part of the feed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from people.models import Audience
from planning import entries

FEED_PAST = timedelta(weeks=4)
FEED_AHEAD = timedelta(weeks=52)
MOMENT = timedelta(minutes=30)  # how long a send or a go-live is drawn in a calendar app


def render_ics(user, now=None) -> bytes:
    now = now or timezone.now()
    found = entries.collect(now - FEED_PAST, now + FEED_AHEAD)
    viewer = entries.Viewer.for_user(user, now)
    names = dict(Audience.objects.values_list("pk", "name"))
    cal = Calendar()
    cal.add("prodid", "-//CampaignHub//Comms calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "CampaignHub comms calendar")
    for entry in found.items:
        shown = entries.show(entry, found.campaigns, viewer)
        event = Event()
        event.add("uid", f"{entry.kind}-{entry.pk}@campaignhub")
        event.add("dtstamp", now)
        event.add("dtstart", entry.at)
        event.add("dtend", entry.ends_at if entry.ends_at and entry.ends_at > entry.at else entry.at + MOMENT)
        summary = f"{shown.label}: {shown.title}"
        if shown.is_embargoed and entry.campaign_id:
            until = found.campaigns[entry.campaign_id].embargo_until
            summary = f"[Embargoed until {until:%Y-%m-%d %H:%M} UTC] {summary}"
            event.add("class", "CONFIDENTIAL")
        event.add("summary", summary)
        audiences = ", ".join(sorted(names.get(a, "?") for a in entry.audience_ids)) or "none named"
        event.add("description", f"Audiences: {audiences}")
        if shown.url:
            event.add("url", settings.SITE_URL + shown.url)
        cal.add_component(event)
    return cal.to_ical()
