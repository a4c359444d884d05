"""Tags for the planning pages' big grids: one Python call per row instead of a template loop per
cell (the heat map is 20 audiences x 17 weeks; each cell resolved a dozen variables)."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.html import conditional_escape as esc
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from planning.load import HeatRow

register = template.Library()


@register.simple_tag
def heat_cells(row: HeatRow, this_monday: date, calendar_url: str) -> SafeString:
    """The <td> cells of one heat-map row: the count links to that audience's week on the calendar."""
    cells = []
    for c in row.cells:
        now = " heat-now" if c.monday == this_monday else ""
        if c.count:
            flag = (
                format_html(' <span class="heat-flag">{}</span>', "over cap")
                if c.is_over
                else format_html(' <span class="heat-flag">{}</span>', "at cap")
                if c.is_at_cap
                else ""
            )
            inner = format_html(
                '<a href="{}?view=week&amp;date={}&amp;audience={}">{}<span class="visually-hidden">'
                " announcement{} for {} in the week of {}</span>{}</a>",
                calendar_url,
                c.iso_monday,
                row.audience.pk,
                c.count,
                "" if c.count == 1 else "s",
                row.audience.name,
                c.week_label,
                flag,
            )
        else:
            inner = format_html('<span class="muted">{}</span>', 0)
        cells.append((c.level, now, inner))
    return format_html_join("\n", '<td class="heat-cell heat-{}{}">{}</td>', cells)


def _entry_what(e) -> str:
    """Kind, title (linked where the viewer may go), embargo pill and shared concept of a calendar
    entry, as escaped HTML (f-strings and escape(): a month list is a thousand of these)."""
    title = (
        f'<a href="{esc(e.url)}">{esc(e.title)}</a>'
        if e.url
        else f'<span class="cal-title">{esc(e.title)}</span>'
    )
    pill = ' <span class="pill pill-held">embargoed</span>' if e.is_embargoed and not e.is_masked else ""
    concept = f'<span class="cal-concept">{esc(e.concept)}</span>' if e.concept else ""
    return f'<span class="cal-kind cal-{esc(e.entry.kind)}">{esc(e.label)}</span> {title}{pill}{concept}'


@register.simple_tag
def cal_entry(e) -> SafeString:
    """One entry in a month cell (inside its <li>)."""
    return mark_safe(f"<time>{esc(e.time_text)}</time> {_entry_what(e)}")  # every part is escaped


@register.simple_tag
def cal_list_row(e) -> SafeString:
    """One row of the week and list views."""
    return mark_safe(  # every part is escaped
        f'<tr><td class="cal-time">{esc(e.time_text)}</td><td>{_entry_what(e)}</td>'
        f"<td>{esc(e.audience_text)}</td><td>{esc(e.channel_text)}</td></tr>"
    )


@register.simple_tag
def readiness_row(row) -> SafeString:
    """One audience's row in a readiness table."""
    cells = []
    for m in row.measures:
        if m.is_tracked:
            cells.append(format_html("<td>{}</td>", m.text))
        else:
            why = format_html('<br><span class="help">{}</span>', m.why_untracked) if m.why_untracked else ""
            cells.append(format_html('<td><span class="muted">{}</span>{}</td>', "not tracked yet", why))
    shortfalls = format_html_join("", '<br><span class="help">{}</span>', ((s,) for s in row.shortfalls))
    return format_html(
        '<tr>\n<th scope="row">{}<br><span class="pill pill-{}">{}</span> <span class="muted">{} {}</span></th>\n'
        '{}\n<td><span class="pill pill-{}">{}</span>{}</td>\n</tr>',
        row.audience.name,
        row.level,
        capfirst(row.level) + " impact",
        row.size,
        "person" if row.size == 1 else "people",
        format_html_join("\n", "{}", ((c,) for c in cells)),
        row.rag,
        row.rag_label,
        shortfalls,
    )
