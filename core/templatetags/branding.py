"""The organisation's name and colour (settings ORG_NAME, ORG_COLOR) for the branded email layout."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def org_name() -> str:
    return settings.ORG_NAME


@register.simple_tag
def org_color() -> str:
    return settings.ORG_COLOR


@register.simple_tag
def org_text_color() -> str:
    """Black or white, whichever reads better on the organisation's colour (WCAG relative luminance)."""
    channels = [int(settings.ORG_COLOR[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#ffffff" if (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) else "#111111"
