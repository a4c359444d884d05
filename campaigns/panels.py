"""Sections other apps add to the campaign page, without campaigns importing them.

`register(Panel(...))` in AppConfig.ready(); `context(request, campaign)` returns the template
context for `template`, or None to hide the panel for this viewer. Keep each to a fixed number of
queries: the campaign page's query count is pinned in a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    order: int
    context: Callable


_panels: list[Panel] = []


def register(panel: Panel) -> None:
    if all(existing.key != panel.key for existing in _panels):
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)


def render_panels(request, campaign) -> list[dict]:
    rendered = []
    for panel in _panels:
        ctx = panel.context(request, campaign)
        if ctx is not None:
            rendered.append({"key": panel.key, "template": panel.template, "context": ctx})
    return rendered
