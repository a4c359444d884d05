"""The rollout timeline as a picture: a horizontal time axis with the embargo, go-live and today
marked, the stages on the first lane and other lanes below it.

Lanes are a registry, so higher apps draw on the timeline without rollout importing them:
`register_lane(Lane(key, label, order, marks))` in AppConfig.ready(), where `marks(request,
campaign)` returns the Marks of that lane for this viewer (None or [] hides the lane) in at most one
query. Briefings add their sessions; the workplan may add deliverables the same way.

The SVG is drawn on the server; each marker is a link (keyboard reachable) with a name that says
what, when and in which state, and `rows` gives the same marks as a table (the text equivalent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from campaigns.models import Campaign
from core.svg import Scale, date_ticks, legend_swatch, shape
from rollout.models import RolloutStage

WIDTH, LABEL_W, PAD = 960, 120, 24
TOP, LANE_H, AXIS_H = 34, 46, 28


@dataclass(frozen=True)
class Mark:
    at: datetime
    title: str  # what it is: "Early warning", "Briefing: Sales North"
    state: str  # a key of STYLES
    href: str = ""
    ends_at: datetime | None = None  # drawn as a bar from `at` to here


@dataclass(frozen=True)
class Lane:
    key: str
    label: str
    order: int
    marks: Callable


# state → (shape, tone, legend text). Shapes differ, so colour is never the only cue.
STYLES = {
    "planned": ("ring", "planned", "Planned"),
    "overdue": ("diamond", "warn", "Overdue"),
    "sending": ("diamond", "warn", "Sending"),
    "held": ("triangle", "warn", "Held"),
    "sent": ("circle", "ok", "Sent"),
    "failed": ("cross", "bad", "Failed"),
    "skipped": ("square", "muted", "Skipped"),
    "cancelled": ("square", "muted", "Cancelled"),
    "scheduled": ("ring", "brand", "Session scheduled"),
    "delivered": ("circle", "brand", "Session delivered"),
}

_lanes: list[Lane] = []


def register_lane(lane: Lane) -> None:
    if all(existing.key != lane.key for existing in _lanes):
        _lanes.append(lane)
        _lanes.sort(key=lambda x: x.order)


def stage_marks(campaign: Campaign, stages: list[RolloutStage]) -> list[Mark]:
    marks = []
    for s in stages:
        state = "overdue" if getattr(s, "overdue_note", "") else s.state
        marks.append(Mark(s.sent_at or s.send_at, s.get_kind_display(), state, f"#stage-{s.pk}"))
    return marks


@dataclass
class Drawn:
    svg: SafeString
    legend: list[tuple[SafeString, str]]
    rows: list[dict] = field(default_factory=list)


def _when(at: datetime, tz: tzinfo) -> str:
    return formats.date_format(at.astimezone(tz), "D j M Y, H:i")


def draw(request, campaign: Campaign, stages: list[RolloutStage], now: datetime, tz: tzinfo) -> Drawn:
    lanes = [("Rollout stages", stage_marks(campaign, stages))]
    for lane in _lanes:
        marks = lane.marks(request, campaign)
        if marks:
            lanes.append((lane.label, marks))
    moments = [campaign.go_live_at, campaign.embargo_until, now]
    moments += [m.at for _, marks in lanes for m in marks] + [
        m.ends_at for _, marks in lanes for m in marks if m.ends_at
    ]
    lo, hi = min(moments), max(moments)
    span = max(hi - lo, timedelta(days=7))
    lo, hi = lo - span * 0.04, lo + span * 1.04
    x = Scale(lo, hi, LABEL_W + PAD, WIDTH - PAD)
    height = TOP + LANE_H * len(lanes) + AXIS_H
    axis_y = TOP + LANE_H * len(lanes)
    parts: list[SafeString] = []
    for i, (label, _) in enumerate(lanes):
        y = TOP + LANE_H * i
        parts.append(
            format_html(
                '<rect class="lane{}" x="0" y="{}" width="{}" height="{}"/>'
                '<text class="lane-label" x="8" y="{}">{}</text>',
                " lane-alt" if i % 2 else "",
                y,
                WIDTH,
                LANE_H,
                y + LANE_H / 2 + 5,
                label,
            )
        )
    for tick in date_ticks(lo, hi, tz):
        tx = x(tick)
        parts.append(
            format_html(
                '<line class="tick" x1="{}" x2="{}" y1="{}" y2="{}"/><text class="tick-label" x="{}" y="{}">{}</text>',
                tx,
                tx,
                TOP,
                axis_y + 4,
                tx,
                axis_y + 20,
                formats.date_format(tick, "j M"),
            )
        )
    # Today, embargo and go-live: a labelled rule each, labels staggered so they do not overlap.
    rules = [("today", now, "Today"), ("embargo", campaign.embargo_until, "Embargo lifts")]
    rules.append(("golive", campaign.go_live_at, "Go-live"))
    if abs((campaign.embargo_until - campaign.go_live_at).total_seconds()) < 3600:
        rules = [rules[0], ("golive", campaign.go_live_at, "Go-live and embargo lift")]
    for n, (cls, at, label) in enumerate(rules):
        rx = x(at)
        anchor = "end" if rx > WIDTH - 140 else "start"
        parts.append(
            format_html(
                '<line class="rule rule-{}" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="rule-label rule-label-{}" x="{}" y="{}" text-anchor="{}">{}</text>',
                cls,
                rx,
                rx,
                TOP - 4,
                axis_y,
                cls,
                rx + (4 if anchor == "start" else -4),
                12 + 11 * (n % 2),
                anchor,
                f"{label} {formats.date_format(at.astimezone(tz), 'j M')}",
            )
        )
    rows = []
    for i, (label, marks) in enumerate(lanes):
        cy = TOP + LANE_H * i + LANE_H / 2
        for m in marks:
            kind, tone, state_text = STYLES.get(m.state, STYLES["planned"])
            name = f"{m.title}: {state_text.lower()}, {_when(m.at, tz)}"
            bar = ""
            if m.ends_at:
                bar = format_html(
                    '<rect class="bar tone-{}" x="{}" y="{}" width="{}" height="6" rx="3"/>',
                    tone,
                    x(m.at),
                    cy - 3,
                    max(2, x(m.ends_at) - x(m.at)),
                )
            parts.append(
                format_html(
                    '<a href="{}" aria-label="{}"><title>{}</title>{}{}</a>',
                    m.href or "#rollout-h",
                    name,
                    name,
                    bar,
                    shape(kind, x(m.at), cy, tone),
                )
            )
            rows.append({"lane": label, "title": m.title, "state": state_text, "at": m.at, "href": m.href})
    svg = format_html(
        '<svg class="timeline-chart" viewBox="0 0 {} {}" width="100%" role="group" aria-labelledby="{}">{}</svg>',
        WIDTH,
        height,
        "timeline-chart-h",
        format_html_join("", "{}", ((p,) for p in parts)),
    )
    used = {m.state for _, marks in lanes for m in marks}
    legend = [(legend_swatch(*STYLES[s][:2]), STYLES[s][2]) for s in STYLES if s in used]
    rows.sort(key=lambda r: r["at"])
    return Drawn(svg, legend, rows)
