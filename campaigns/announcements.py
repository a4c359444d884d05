"""Render an in-app announcement for its reader (the inbox and its API share this).

TODO(employee): the fallback below goes once engine's campaigns/composer.py is in main.
"""

from __future__ import annotations

try:  # pragma: no cover - depends on which branch is merged
    from campaigns.composer import render_stage
except ImportError:  # pragma: no cover
    from dataclasses import dataclass
    from datetime import datetime

    from django.conf import settings
    from django.template import Context, Template
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.html import linebreaks

    from campaigns.models import user_zone

    @dataclass(frozen=True)
    class RenderedMessage:
        subject: str
        text: str
        html: str

    def render_stage(stage, recipient, *, at: datetime | None = None, delivery=None) -> RenderedMessage:
        """Stage subject/body with the agreed placeholders; details stay empty while embargoed."""
        at = at or timezone.now()
        campaign = stage.campaign
        zone = user_zone(recipient)
        fmt = "%A %-d %B %Y, %H:%M %Z"
        context = Context(
            {
                "first_name": recipient.first_name or recipient.username,
                "campaign_title": campaign.title,
                "concept": campaign.concept,
                "details": "" if campaign.is_embargoed(at) else campaign.details,
                "go_live": campaign.go_live_at.astimezone(zone).strftime(fmt),
                "embargo_until": campaign.embargo_until.astimezone(zone).strftime(fmt),
                "explainer_url": settings.SITE_URL + reverse("explainer_detail", args=[campaign.slug]),
                "briefings_url": settings.SITE_URL + "/briefings/",
                "inbox_url": settings.SITE_URL + reverse("inbox"),
            },
            autoescape=False,
        )
        subject = Template(stage.subject).render(context).strip()
        text = Template(stage.body).render(context)
        return RenderedMessage(subject=subject, text=text, html=linebreaks(text, autoescape=True))


__all__ = ["render_stage"]
