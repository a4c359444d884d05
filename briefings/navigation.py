"""The Briefings menu badge: invitations waiting for this person's answer."""

from __future__ import annotations

from django.utils import timezone

from briefings.models import Briefing, Invitation
from people import roles


def pending_answers(user) -> int | None:
    """Upcoming, not cancelled briefings this person has not answered yet (one query).

    No badge (and no query) for marketing and IC: they manage briefings rather than attend them,
    and their pages' query budgets stay as they are.
    """
    if roles.can_manage_campaigns(user):
        return None
    return (
        Invitation.objects.filter(
            user=user, rsvp=Invitation.Rsvp.PENDING, briefing__starts_at__gt=timezone.now()
        )
        .exclude(briefing__status=Briefing.Status.CANCELLED)
        .count()
    )
