"""The charts on the campaign page, drawn on the server as SVG: the readiness funnel per audience,
readiness over the last weeks, and each sent stage's reach over the days after it went out.

Every chart is an `<svg role="img">` with a name that states its numbers, and the template shows the
same numbers as a table; lines differ by dash and marker shape as well as colour.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.svg import Scale, legend_swatch, shape
from planning.readiness import SIGNAL_LABELS, CampaignReadiness, Trend

# One look per series: (tone class, marker shape, dash pattern).
SERIES_LOOK = {
    "Warned": ("s1", "circle", ""),
    "Invited": ("s2", "square", "6 3"),
    "Briefed": ("s3", "diamond", ""),
    "Read": ("s4", "triangle", "2 3"),
    "Acknowledged": ("s5", "ring", "8 3 2 3"),
    "Delivered": ("s1", "circle", ""),
    "Opened in-app": ("s3", "diamond", "6 3"),
}
REACH_DAYS = 14
REACH_SHOWN = 4


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((p,) for p in parts))


def _svg(width: int, height: int, label: str, parts, cls: str) -> SafeString:
    return format_html(
        '<svg class="chart-svg {}" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}">{}</svg>',
        cls,
        width,
        height,
        label,
        _join(parts),
    )


def legend(names) -> list[tuple[SafeString, str]]:
    return [(legend_swatch(SERIES_LOOK[n][1], SERIES_LOOK[n][0]), n) for n in names]


# --- the funnel ----------------------------------------------------------------------------------
def funnels(r: CampaignReadiness) -> list[dict]:
    """One funnel per affected audience: warned → invited → briefed → read → acknowledged."""
    width, bar_x, bar_w, row_h = 420, 110, 190, 26
    out = []
    for row in r.rows:
        parts, said = [], []
        for i, (label, m) in enumerate(row.funnel):
            y = 6 + i * row_h
            parts.append(format_html('<text class="f-label" x="0" y="{}">{}</text>', y + 14, label))
            parts.append(
                format_html(
                    '<rect class="f-track" x="{}" y="{}" width="{}" height="18" rx="3"/>', bar_x, y, bar_w
                )
            )
            if m.pct is not None:
                w = round(bar_w * m.pct / 100, 1)
                parts.append(
                    format_html(
                        '<rect class="f-bar" x="{}" y="{}" width="{}" height="18" rx="3"/>', bar_x, y, w
                    )
                )
                text = f"{m.pct}% ({m.done} of {m.total})"
            else:
                parts.append(
                    format_html(
                        '<rect class="f-untracked" x="{}" y="{}" width="{}" height="18" rx="3"/>',
                        bar_x,
                        y,
                        bar_w,
                    )
                )
                text = m.text
            parts.append(
                format_html('<text class="f-value" x="{}" y="{}">{}</text>', bar_x + bar_w + 8, y + 14, text)
            )
            said.append(f"{label} {text}")
        name = f"{row.audience.name} ({row.level} impact, {row.size} people): " + "; ".join(said)
        out.append(
            {
                "row": row,
                "svg": _svg(width, 6 + row_h * len(SIGNAL_LABELS), name, parts, "funnel"),
            }
        )
    return out


# --- line charts ---------------------------------------------------------------------------------
def _lines(
    xs: list[float], series: dict[str, list[int | None]], y: Scale, label_x: float, unit: str = ""
) -> list[SafeString]:
    """One polyline per series, a marker per point, and the last value named at the line's end
    (labels nudged apart, so lines that end together stay readable)."""
    parts, ends = [], []
    for name, values in series.items():
        tone, mark, dash = SERIES_LOOK[name]
        points = [(x, y(v)) for x, v in zip(xs, values, strict=True) if v is not None]
        if not points:
            continue
        d = " ".join(f"{px},{py}" for px, py in points)
        parts.append(
            format_html(
                '<polyline class="line tone-{}" points="{}" stroke-dasharray="{}"/>', tone, d, dash or "none"
            )
        )
        parts += [shape(mark, px, py, tone, 4) for px, py in points]
        ends.append([points[-1][1], f"{name} {values[-1]}{unit}"])
    ends.sort()
    for i in range(1, len(ends)):
        ends[i][0] = max(ends[i][0], ends[i - 1][0] + 13)
    parts += [
        format_html('<text class="end-label" x="{}" y="{}">{}</text>', label_x + 10, py + 4, text)
        for py, text in ends
    ]
    return parts


def _y_axis(y: Scale, x0: float, x1: float) -> list[SafeString]:
    parts = []
    for pct in (0, 25, 50, 75, 100):
        py = y(pct)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/><text class="axis-label" x="{}" y="{}" text-anchor="end">{}%</text>',
                x0,
                x1,
                py,
                py,
                x0 - 6,
                py + 4,
                pct,
            )
        )
    return parts


def trend(t: Trend, tz: tzinfo) -> dict:
    """Readiness over the last weeks: one line per signal, 0 to 100% of the affected people."""
    width, height, x0, x1, y0, y1 = 700, 250, 48, 540, 200, 14
    shown = {k: v for k, v in t.series.items() if any(p is not None for p in v)}
    x = Scale(0, len(t.moments) - 1, x0, x1)
    y = Scale(0, 100, y0, y1)
    xs = [x(i) for i in range(len(t.moments))]
    parts = _y_axis(y, x0, x1)
    for i, m in enumerate(t.moments):
        label = "Now" if i == len(t.moments) - 1 else formats.date_format(m.astimezone(tz), "j M")
        parts.append(
            format_html(
                '<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>', xs[i], y0 + 20, label
            )
        )
    parts += _lines(xs, shown, y, x1, "%")
    last = {k: v[-1] for k, v in shown.items()}
    name = (
        f"Readiness over the last {len(t.moments) - 1} weeks, share of {t.people} affected people. Now: "
        + "; ".join(f"{k} {v}%" for k, v in last.items())
    )
    rows = [
        {"label": "Now" if i == len(t.moments) - 1 else m, "values": [shown[k][i] for k in shown]}
        for i, m in enumerate(t.moments)
    ]
    return {
        "svg": _svg(width, height + 10, name, parts, "trend") if t.people else None,
        "legend": legend(shown),
        "names": list(shown),
        "rows": rows,
    }


def _cumulative(by_day: dict[date, int], start: date, days: int) -> list[int]:
    total, out = 0, []
    for n in range(days + 1):
        total += by_day.get(start + timedelta(days=n), 0)
        out.append(total)
    return out


def reach(by_stage: dict, tz: tzinfo) -> list[dict]:
    """Each sent stage (latest first): delivered, opened in-app and acknowledged, day by day after
    it went out, as counts of people (in-app deliveries)."""
    width, height, x0, x1, y0, y1 = 460, 200, 44, 330, 170, 12
    out = []
    stages = sorted(by_stage, key=lambda s: s.sent_at, reverse=True)[:REACH_SHOWN]
    for stage in stages:
        counts = by_stage[stage]
        start = stage.sent_at.astimezone(tz).date()
        today = datetime.now(tz).date()
        days = max(1, min(REACH_DAYS, (today - start).days))
        series = {
            "Delivered": _cumulative(counts["delivered"], start, days),
            "Opened in-app": _cumulative(counts["opened"], start, days),
        }
        if counts["acknowledged"] or stage.kind == "go_live":
            series["Acknowledged"] = _cumulative(counts["acknowledged"], start, days)
        top = max(1, max(series["Delivered"][-1], *(v[-1] for v in series.values())))
        x = Scale(0, days, x0, x1)
        y = Scale(0, top, y0, y1)
        xs = [x(i) for i in range(days + 1)]
        parts = []
        for frac in (0, 0.5, 1):
            value = round(top * frac)
            parts.append(
                format_html(
                    '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/><text class="axis-label" x="{}" y="{}" text-anchor="end">{}</text>',
                    x0,
                    x1,
                    y(value),
                    y(value),
                    x0 - 6,
                    y(value) + 4,
                    value,
                )
            )
        for i in sorted({0, days // 2, days}):
            parts.append(
                format_html(
                    '<text class="axis-label" x="{}" y="{}" text-anchor="middle">day {}</text>',
                    xs[i],
                    y0 + 20,
                    i,
                )
            )
        parts += _lines(xs, series, y, x1)
        title = f"{stage.get_kind_display()}, sent {formats.date_format(stage.sent_at.astimezone(tz), 'j M')}"
        name = f"{title}: after {days} day{'s' if days != 1 else ''}, " + "; ".join(
            f"{k} {v[-1]}" for k, v in series.items()
        )
        out.append(
            {
                "title": title,
                "svg": _svg(width, height + 10, name, parts, "reach"),
                "legend": legend(series),
                "totals": [(k, v[-1]) for k, v in series.items()],
            }
        )
    return out
