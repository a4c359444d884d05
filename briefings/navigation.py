"""The Briefings menu badge: invitations waiting for this person's answer."""

from __future__ import annotations

from django.utils import timezone

from briefings.models import Briefing, Invitation


def pending_answers(user) -> int:
    """Upcoming, not cancelled briefings this person has not answered yet (one query)."""
    return (
        Invitation.objects.filter(
            user=user, rsvp=Invitation.Rsvp.PENDING, briefing__starts_at__gt=timezone.now()
        )
        .exclude(briefing__status=Briefing.Status.CANCELLED)
        .count()
    )
