"""Demo briefings for `manage.py seed_demo`: sessions for the demo campaigns, invitations, answers, feedback.

Idempotent: briefings are found by (campaign, title); people and answers are only added when a
briefing is first created. Needs the `presenter` account and campaigns from campaigns/demo.py.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from briefings.models import Briefing, Feedback, Invitation
from campaigns.models import Campaign
from people.models import Audience

PACK = {
    "background": "We tested the idea with customers and branch teams; they asked for something simple to explain.",
    "faq": "Q: Can I tell customers before go-live?\nA: Only the concept: the details are embargoed until go-live.\n"
    "Q: Where do I send questions I cannot answer?\nA: Use the feedback form after the briefing.",
    "speaker_notes": "Open with a customer story (2 min). Walk through the key messages, then ask the room "
    "how they could support the campaign. Keep 10 minutes for questions.",
}


def _at(day: datetime, hour: int, zone: str) -> datetime:
    tz = zoneinfo.ZoneInfo(zone)
    local = day.astimezone(tz)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def seed(stdout) -> None:
    User = get_user_model()
    presenter = User.objects.filter(username="presenter").first()
    if presenter is None:
        stdout.write("demo briefings: no `presenter` account yet, skipped")
        return
    now = timezone.now()
    running = Campaign.objects.exclude(status__in=[Campaign.Status.CANCELLED, Campaign.Status.CLOSED])
    upcoming = running.filter(go_live_at__gt=now).order_by("go_live_at").first()
    live = running.filter(go_live_at__lte=now).order_by("-go_live_at").first()
    created = 0
    with transaction.atomic():
        if upcoming is not None:
            created += _seed_upcoming(upcoming, presenter)
        if live is not None:
            created += _seed_delivered(live, presenter, now)
    stdout.write(f"demo briefings: {created} created")


def _audiences(campaign: Campaign) -> list[Audience]:
    return [i.audience for i in campaign.impacts.select_related("audience").order_by("level", "pk")]


def _new_briefing(campaign: Campaign, title: str, **fields) -> tuple[Briefing, bool]:
    briefing = Briefing.objects.filter(campaign=campaign, title=title).first()
    if briefing is not None:
        return briefing, False
    briefing = Briefing(campaign=campaign, title=title, **fields, **PACK)
    briefing.copy_pack_from_campaign()
    briefing.save()
    return briefing, True


def _seed_upcoming(campaign: Campaign, presenter) -> int:
    audiences = _audiences(campaign)
    starts = _at(campaign.go_live_at, 11, "Europe/London")
    london, created_london = _new_briefing(
        campaign,
        f"{campaign.title}: London team briefing",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        time_zone="Europe/London",
        place="London HQ, room 4.02",
        online_url="https://meet.example.com/briefing-london",
        presenter=presenter,
        capacity=12,
    )
    if created_london:
        london.audiences.set(audiences[:1])
        london.invite_audiences()
        answers = [
            Invitation.Rsvp.YES,
            Invitation.Rsvp.YES,
            Invitation.Rsvp.NO,
            Invitation.Rsvp.MAYBE,
            Invitation.Rsvp.YES,
        ]
        for invitation, answer in zip(london.invitations.order_by("pk"), answers, strict=False):
            invitation.respond(answer)
    ny_start = _at(campaign.go_live_at + timedelta(days=1), 10, "America/New_York")
    online, created_online = _new_briefing(
        campaign,
        f"{campaign.title}: online briefing (Americas)",
        starts_at=ny_start,
        ends_at=ny_start + timedelta(minutes=45),
        time_zone="America/New_York",
        online_url="https://meet.example.com/briefing-americas",
        presenter=presenter,
    )
    if created_online:
        online.audiences.set(audiences[1:2] or audiences[:1])
        online.invite_audiences()
        invitations = list(online.invitations.order_by("pk"))
        # One seat fewer than people who say yes, so the demo shows a waiting list.
        online.capacity = max(1, min(len(invitations), 6) - 1)
        online.save(update_fields=["capacity"])
        for invitation in invitations[:6]:
            invitation.respond(Invitation.Rsvp.YES)
    return int(created_london) + int(created_online)


def _seed_delivered(campaign: Campaign, presenter, now: datetime) -> int:
    starts = _at(max(campaign.go_live_at, now - timedelta(days=2)), 10, "Europe/London")
    if starts > now:
        starts -= timedelta(days=1)
    briefing, created = _new_briefing(
        campaign,
        f"{campaign.title}: go-live briefing",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        time_zone="Europe/London",
        place="Manchester office, Atrium",
        presenter=presenter,
    )
    if not created:
        return 0
    audiences = _audiences(campaign)
    briefing.audiences.set(audiences[:1])
    # The session is in the past: invitations without an invitation stage, so nothing is emailed now.
    members = Audience.users_in(audiences[:1]).exclude(pk=presenter.pk)
    Invitation.objects.bulk_create(
        [
            Invitation(
                briefing=briefing, user=u, rsvp=Invitation.Rsvp.YES, responded_at=starts - timedelta(days=3)
            )
            for u in members
        ],
        ignore_conflicts=True,
    )
    invitations = list(briefing.invitations.select_related("user").order_by("pk"))
    for invitation in invitations[: max(1, len(invitations) * 2 // 3)]:
        invitation.attended_at = starts + timedelta(minutes=5)
        invitation.save(update_fields=["attended_at"])
    briefing.confirm_delivered(
        "Good energy. Most questions were about eligibility; two asked about the timeline.",
        at=starts + timedelta(hours=1),
    )
    samples = [
        (
            5,
            "I'll mention it to every customer who asks about energy bills.",
            "Can existing customers switch?",
            False,
        ),
        (4, "Share the installer list with my team.", "", True),
        (3, "", "Is there a cap on the number of loans per household?", True),
    ]
    for invitation, (feeling, support, question, anonymous) in zip(
        [i for i in invitations if i.attended_at], samples, strict=False
    ):
        Feedback.submit(
            briefing,
            invitation.user,
            feeling=feeling,
            support=support,
            question=question,
            is_anonymous=anonymous,
        )
    return 1
