"""Markdown for explainers: rendered with Markdown, then sanitised with nh3 (an allow-list).

sanitise_html() is also the one place a rollout stage's HTML is cleaned (rollout.composer).

Raw HTML in the source is allowed through Markdown and then stripped or cleaned by nh3, so the
allow-list below is the only thing that decides what reaches a browser.
"""

from __future__ import annotations

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope"},
    "td": set(),
}
URL_SCHEMES = {"http", "https", "mailto"}


_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def shift_headings(html: str, baselevel: int) -> str:
    """Move headings so the source's biggest one becomes h<baselevel>, keeping the outline in order.

    Explainer parts sit under the page's h2 sections: an author's "# Title" or "## Title" both
    become h3 there, and their sub-headings follow one level down.
    """
    levels = [int(m.group(2)) for m in _HEADING.finditer(html)]
    if not levels:
        return html
    shift = baselevel - min(levels)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)


def render_markdown(source: str, baselevel: int = 3) -> SafeString:
    """Markdown → safe HTML: no scripts, event handlers, style, or javascript:/data: URLs."""
    if not source:
        return mark_safe("")
    html = shift_headings(
        markdown.markdown(source, extensions=["tables", "sane_lists"], output_format="html"), baselevel
    )
    return sanitise_html(html)


def sanitise_html(html: str) -> SafeString:
    """Any HTML → only the allow-list above: explainers and every rendered rollout stage go through here."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # nh3 output: only the allow-list above survives
