"""The briefing coverage panel on the campaign page (campaigns.panels, order 60)."""

from __future__ import annotations

from briefings.models import Briefing, coverage
from people import roles


def coverage_panel(request, campaign) -> dict | None:
    """Briefings of the campaign with their counts, and coverage per audience: three queries."""
    if not roles.can_manage_campaigns(request.user):
        return None
    briefings = list(
        Briefing.objects.filter(campaign=campaign)
        .select_related("presenter")
        .with_counts()
        .order_by("starts_at", "pk")
    )
    return {
        "campaign": campaign,
        "briefings": briefings,
        "coverage": coverage(campaign) if briefings else [],
        "can_schedule": roles.is_ic(request.user) and campaign.is_editable,
    }
