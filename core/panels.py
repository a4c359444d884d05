"""Sections a higher app adds to a lower app's page, without the lower app importing it.

Pages that take panels: the campaign page (CAMPAIGN: rollout, explainer, briefings and planning
add theirs) and the audience page (AUDIENCE: campaigns adds the campaigns that affect it).
`register(Panel(...), page=...)` in AppConfig.ready(); `context(request, obj)` returns the template
context for `template`, or None to hide the panel for this viewer. Keep each to a fixed number of
queries: the pages' query counts are pinned in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CAMPAIGN = "campaign"
AUDIENCE = "audience"


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    order: int
    context: Callable


_panels: dict[str, list[Panel]] = {CAMPAIGN: [], AUDIENCE: []}


def register(panel: Panel, page: str = CAMPAIGN) -> None:
    registered = _panels[page]
    if all(existing.key != panel.key for existing in registered):
        registered.append(panel)
        registered.sort(key=lambda p: p.order)


def render_panels(request, obj, page: str = CAMPAIGN) -> list[dict]:
    rendered = []
    for panel in _panels[page]:
        ctx = panel.context(request, obj)
        if ctx is not None:
            rendered.append({"key": panel.key, "template": panel.template, "context": ctx})
    return rendered
