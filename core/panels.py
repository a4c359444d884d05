"""Sections a higher app adds to a lower app's page, without the lower app importing it.

Pages that take panels: the campaign page (CAMPAIGN: rollout, explainer, briefings and planning
add theirs; SUMMARY: facts in the campaign page's summary header, such as readiness), the audience
page (AUDIENCE: campaigns adds the campaigns that affect it) and the home page (HOME: each app adds
what the signed-in person's role needs from it; `obj` is the user, and a panel for another role
returns None).
`register(Panel(...), page=...)` in AppConfig.ready(); `context(request, obj)` returns the template
context for `template`, or None to hide the panel for this viewer. Keep each to a fixed number of
queries: the pages' query counts are pinned in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CAMPAIGN = "campaign"
SUMMARY = "summary"
AUDIENCE = "audience"
HOME = "home"


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    order: int
    context: Callable
    label: str = ""  # the campaign page's section menu links to panels that have one


_panels: dict[str, list[Panel]] = {CAMPAIGN: [], SUMMARY: [], AUDIENCE: [], HOME: []}


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
            rendered.append(
                {"key": panel.key, "template": panel.template, "context": ctx, "label": panel.label}
            )
    return rendered
