"""The briefing coverage panel on the campaign page (core.panels, order 60) and the coverage it counts."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from briefings.models import Briefing, Feedback, Invitation
from campaigns.models import Campaign, Impact
from core.aggregates import IdList
from people import roles
from people.models import Audience
from rollout.timeline import Mark


def coverage_panel(request, campaign) -> dict | None:
    """Briefings of the campaign with their counts, and coverage per audience: three queries."""
    if not roles.can_manage_campaigns(request.user):
        return None
    briefings = campaign_briefings(campaign)
    return {
        "campaign": campaign,
        "briefings": briefings,
        "coverage": coverage(campaign) if briefings else [],
        "can_schedule": roles.is_ic(request.user) and campaign.is_editable,
    }


def campaign_briefings(campaign: Campaign) -> list[Briefing]:
    """The campaign's sessions with their counts, fetched once per page: the coverage panel and the
    timeline's Briefings lane both show them (kept on the campaign instance for this request). Each
    carries its audience ids (a subquery, not a join that would multiply the invitations), so the
    planning warnings on the same page need not read the sessions again."""
    if not hasattr(campaign, "_briefings_with_counts"):
        audience_ids = (
            Briefing.audiences.through.objects.filter(briefing=OuterRef("pk"))
            .values("briefing")
            .annotate(ids=IdList("audience_id"))
            .values("ids")
        )
        campaign._briefings_with_counts = list(
            Briefing.objects.filter(campaign=campaign)
            .select_related("presenter")
            .with_counts()
            .annotate(audience_ids=Subquery(audience_ids))
            .order_by("starts_at", "pk")
        )
    return campaign._briefings_with_counts


def coverage(campaign: Campaign) -> list[dict]:
    """Per audience (named on the campaign or on its briefings): members, invited, accepted, attended.

    Two queries however many briefings and invitees: the audiences, then people counted per distinct
    set of memberships and coverage (each an EXISTS or the audience's SQL rule).
    """
    # Two IN subqueries rather than OR over two joins: the joins multiply every impact by every
    # briefing audience before DISTINCT (175 ms at 1,000 campaigns; this is under 1 ms).
    audiences = list(
        Audience.objects.filter(
            Q(pk__in=Impact.objects.filter(campaign=campaign).values("audience_id"))
            | Q(
                pk__in=Briefing.audiences.through.objects.filter(briefing__campaign=campaign).values(
                    "audience_id"
                )
            )
        ).order_by("name")
    )
    if not audiences:
        return []
    invitations = Invitation.objects.filter(user=OuterRef("pk"), briefing__campaign=campaign).exclude(
        briefing__status=Briefing.Status.CANCELLED
    )
    # One row per distinct (memberships, coverage) with how many people share it; membership is
    # the audiences' one SQL rule (Audience.flags).
    in_audience = Audience.flags(audiences)
    flags = ["is_invited", "has_accepted", "has_attended", *in_audience]
    groups = (
        Audience.users_in(audiences)
        .annotate(
            is_invited=Exists(invitations),
            has_accepted=Exists(invitations.filter(rsvp=Invitation.Rsvp.YES, is_waitlisted=False)),
            has_attended=Exists(invitations.filter(attended_at__isnull=False)),
            **in_audience,
        )
        .values(*flags)
        .annotate(n=Count("pk"))
        .order_by()
    )
    keys = ("size", "invited", "accepted", "attended")
    totals = {a.pk: dict.fromkeys(keys, 0) for a in audiences}
    for group in groups:
        n = group["n"]
        for audience in audiences:
            if not group[f"in_{audience.pk}"]:
                continue
            row = totals[audience.pk]
            row["size"] += n
            row["invited"] += n if group["is_invited"] else 0
            row["accepted"] += n if group["has_accepted"] else 0
            row["attended"] += n if group["has_attended"] else 0
    rows = []
    for audience in audiences:
        size = totals[audience.pk]["size"]
        row = {"audience": audience, "size": size}
        for key in ("invited", "accepted", "attended"):
            n = totals[audience.pk][key]
            row[key] = n
            row[f"{key}_pct"] = round(100 * n / size) if size else 0
        rows.append(row)
    return rows


# --- home-page panels (core.panels.HOME) ---------------------------------------------------------
HOME_SHOWN = 6
FEEDBACK_WINDOW = timedelta(days=30)  # how long a past session stays on the home page


def presenter_home_panel(request, user) -> dict | None:
    """A presenter's home: next sessions with RSVP counts, sessions waiting for attendance or
    confirmation, and feedback in from recent sessions (three queries)."""
    if not roles.is_presenter(user) or roles.can_manage_campaigns(user):
        return None
    now = timezone.now()
    mine = Briefing.objects.filter(presenter=user).scheduled().select_related("campaign")
    upcoming = list(mine.filter(ends_at__gte=now).with_counts().order_by("starts_at", "pk")[:HOME_SHOWN])
    to_close = list(
        mine.filter(ends_at__lt=now, status=Briefing.Status.SCHEDULED)
        .with_counts()
        .order_by("-starts_at", "pk")[:HOME_SHOWN]
    )
    delivered = list(
        mine.filter(status=Briefing.Status.DELIVERED, ends_at__gte=now - FEEDBACK_WINDOW)
        .annotate(
            attended_count=Count(
                "invitations", filter=Q(invitations__attended_at__isnull=False), distinct=True
            ),
            feedback_count=Count("feedback", distinct=True),
        )
        .order_by("-starts_at", "pk")[:HOME_SHOWN]
    )
    for b in upcoming:
        b.pack_open = b.is_pack_released(now)
    return {"upcoming": upcoming, "to_close": to_close, "delivered": delivered}


def my_briefings_home_panel(request, user) -> dict | None:
    """An employee's home: briefings they are invited to, with one-tap Yes / No / Maybe, and
    sessions they attended whose feedback form is waiting (two queries)."""
    if roles.can_manage_campaigns(user):
        return None
    now = timezone.now()
    invitations = list(
        Invitation.objects.filter(user=user, briefing__ends_at__gte=now)
        .exclude(briefing__status=Briefing.Status.CANCELLED)
        .select_related("briefing__campaign")
        .order_by("briefing__starts_at", "pk")[:HOME_SHOWN]
    )
    attended = list(
        Invitation.objects.filter(
            user=user, attended_at__isnull=False, briefing__ends_at__gte=now - FEEDBACK_WINDOW
        )
        .select_related("briefing")
        .order_by("-briefing__starts_at", "pk")[:HOME_SHOWN]
    )
    given = set(
        Feedback.objects.filter(
            respondent_key__in=[Feedback.key_for(i.briefing, user) for i in attended]
        ).values_list("briefing_id", flat=True)
    )
    return {
        "invitations": invitations,
        "answers": RSVP_BUTTONS,
        "feedback_waiting": [i.briefing for i in attended if i.briefing_id not in given],
    }


RSVP_BUTTONS = [
    (Invitation.Rsvp.YES, "Yes"),
    (Invitation.Rsvp.NO, "No"),
    (Invitation.Rsvp.MAYBE, "Maybe"),
]


def timeline_marks(request, campaign) -> list:
    """The campaign's sessions on the rollout timeline's Briefings lane (rollout.timeline; shared with the coverage panel)."""
    return [
        Mark(b.starts_at, f"Briefing: {b.title}", b.status, b.get_absolute_url(), ends_at=b.ends_at)
        for b in campaign_briefings(campaign)
    ]
