"""Small helpers for the server-rendered SVG charts (no chart library, no script): a linear scale,
date ticks, and marker shapes that differ by more than colour.

Colours live in static/css/app.css as classes (`tone-…`), so the content-security policy needs no
inline style; every chart built with these comes with a text equivalent next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils.html import format_html
from django.utils.safestring import SafeString

TICK_STEPS_DAYS = (1, 2, 7, 14, 28, 56, 91, 182, 364)


@dataclass(frozen=True)
class Scale:
    """Maps [lo, hi] onto [start, end] pixels; lo/hi are numbers or datetimes."""

    lo: float | datetime
    hi: float | datetime
    start: float
    end: float

    def __call__(self, value) -> float:
        span = self.hi - self.lo
        span = span.total_seconds() if isinstance(span, timedelta) else span
        offset = value - self.lo
        offset = offset.total_seconds() if isinstance(offset, timedelta) else offset
        if not span:
            return round((self.start + self.end) / 2, 1)
        return round(self.start + (self.end - self.start) * offset / span, 1)


def date_ticks(lo: datetime, hi: datetime, tz: tzinfo, most: int = 8) -> list[datetime]:
    """Local midnights between lo and hi, every 1, 2, 7, … days so that at most `most` are drawn."""
    days = max(1, (hi - lo).days)
    step = next((s for s in TICK_STEPS_DAYS if days / s <= most), TICK_STEPS_DAYS[-1])
    first: date = lo.astimezone(tz).date() + timedelta(days=1)
    if step % 7 == 0:
        first += timedelta(days=(7 - first.weekday()) % 7)  # weekly ticks fall on Mondays
    ticks = []
    day = first
    while True:
        at = datetime.combine(day, time.min, tzinfo=tz)
        if at > hi:
            return ticks
        ticks.append(at)
        day += timedelta(days=step)


SHAPES = ("circle", "ring", "diamond", "triangle", "square", "cross")


def shape(kind: str, x: float, y: float, tone: str, r: float = 7) -> SafeString:
    """One marker; the shape says the state as much as the tone (colour) does."""
    cls = f"mark tone-{tone}"
    if kind == "ring":
        return format_html('<circle class="{} ring" cx="{}" cy="{}" r="{}"/>', cls, x, y, r - 1.5)
    if kind == "diamond":
        pts = f"{x},{y - r - 1} {x + r + 1},{y} {x},{y + r + 1} {x - r - 1},{y}"
        return format_html('<polygon class="{}" points="{}"/>', cls, pts)
    if kind == "triangle":
        pts = f"{x},{y - r - 1} {x + r + 1},{y + r} {x - r - 1},{y + r}"
        return format_html('<polygon class="{}" points="{}"/>', cls, pts)
    if kind == "square":
        return format_html(
            '<rect class="{} ring" x="{}" y="{}" width="{}" height="{}"/>',
            cls,
            x - r + 1,
            y - r + 1,
            2 * r - 2,
            2 * r - 2,
        )
    if kind == "cross":
        d = f"M{x - r},{y - r}L{x + r},{y + r}M{x - r},{y + r}L{x + r},{y - r}"
        return format_html('<path class="{} cross" d="{}"/>', cls, d)
    return format_html('<circle class="{}" cx="{}" cy="{}" r="{}"/>', cls, x, y, r)


def legend_swatch(kind: str, tone: str) -> SafeString:
    """A marker drawn alone for a legend entry (decorative: the entry's text says what it means)."""
    return format_html(
        '<svg class="swatch" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">{}</svg>',
        shape(kind, 9, 9, tone, 6),
    )
