"""The weekly digest: on Monday from 08:00 in each person's own zone, IC and the owners of campaigns
going live in the next two weeks get those go-lives with their readiness, and audiences over cap;
owners of workplan deliverables due in the next two weeks (or overdue) get those.

Beat ticks hourly; the Monday (in the person's zone) is the period lock, taken with a compare-and-set
before sending, so two ticks or two workers never send one person two digests for a week.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from campaigns.models import Campaign
from people import roles
from people.models import user_zone
from planning import load
from planning.models import DigestLog
from planning.readiness import readiness_for
from workplan.models import Deliverable

log = logging.getLogger(__name__)

SEND_FROM_HOUR = 8
HORIZON = timedelta(days=14)


def digest_monday(user, now: datetime) -> date | None:
    """The local Monday if it is Monday 08:00 or later for this person, else None."""
    local = now.astimezone(user_zone(user))
    if local.weekday() != 0 or local.hour < SEND_FROM_HOUR:
        return None
    return local.date()


def recipients(now: datetime) -> list:
    User = get_user_model()
    owners = Campaign.objects.upcoming(now).filter(go_live_at__lt=now + HORIZON).values("owner_id")
    doers = Deliverable.objects.open().filter(due_at__lt=now + HORIZON).values("owner_id")
    return list(
        User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=roles.IC) | Q(pk__in=owners) | Q(pk__in=doers),
            is_active=True,
        )
        .exclude(email="")
        .select_related("profile")
        .distinct()
        .order_by("pk")
    )


def build_digest(user, now: datetime, go_lives: list, over_by_zone: dict) -> dict:
    zone = user_zone(user)
    visible = go_lives if roles.is_ic(user) else [r for r in go_lives if r.campaign.owner_id == user.pk]
    key = str(zone)
    if key not in over_by_zone:
        weeks = load.weeks_around(now, zone, before=0, after=2)
        rows = load.heat_map(weeks, zone)
        over_by_zone[key] = load.over_cap(rows, weeks)
    return {
        "user": user,
        "go_lives": visible,
        "deliverables": deliverables_for(user, now),
        "now": now,
        "over_cap": over_by_zone[key],
        "site_url": settings.SITE_URL,
        "zone": key,
    }


def deliverables_for(user, now: datetime) -> list[Deliverable]:
    """This person's open deliverables due in the next two weeks or overdue, on campaigns they may see."""
    return list(
        Deliverable.objects.visible_to(user)
        .open()
        .owned_by(user)
        .filter(due_at__lt=now + HORIZON)
        .select_related("workstream__campaign", "workstream__team")
        .order_by("due_at", "pk")
    )


def send_digest(user, context: dict) -> None:
    with timezone.override(user_zone(user)):
        subject = render_to_string("planning/email/digest_subject.txt", context).strip()
        text = render_to_string("planning/email/digest_body.txt", context)
        html = render_to_string("planning/email/digest_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def send_due_digests(now: datetime | None = None) -> int:
    """Send every digest that is due now; returns how many were sent."""
    now = now or timezone.now()
    due = [(u, m) for u in recipients(now) if (m := digest_monday(u, now))]
    if not due:
        return 0
    DigestLog.objects.bulk_create([DigestLog(user=u) for u, _ in due], ignore_conflicts=True)
    previous = dict(
        DigestLog.objects.filter(user__in=[u for u, _ in due]).values_list("user_id", "last_digest_on")
    )
    campaigns = list(
        Campaign.objects.upcoming(now)
        .filter(go_live_at__lt=now + HORIZON)
        .select_related("owner")
        .order_by("go_live_at")
    )
    go_lives = readiness_for(campaigns, now)
    over_by_zone: dict = {}
    sent = 0
    for user, monday in due:
        if DigestLog.objects.filter(user=user, last_digest_on__lt=monday).update(last_digest_on=monday) != 1:
            continue  # already sent this week (by an earlier tick or another worker)
        context = build_digest(user, now, go_lives, over_by_zone)
        if not roles.is_ic(user) and not context["go_lives"] and not context["deliverables"]:
            continue
        try:
            send_digest(user, context)
        except Exception:
            # Give the week back so the next hourly tick tries again; never lose it silently.
            DigestLog.objects.filter(user=user, last_digest_on=monday).update(
                last_digest_on=previous[user.pk]
            )
            log.exception("Weekly digest to user %s failed; will retry next tick", user.pk)
            continue
        sent += 1
    return sent
