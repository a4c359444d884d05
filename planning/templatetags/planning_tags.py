"""Tags for the planning pages' big grids: one Python call per row instead of a template loop per
cell (the heat map is 20 audiences x 17 weeks; each cell resolved a dozen variables)."""

from __future__ import annotations

from datetime import date

from django import template
from django.template.defaultfilters import urlencode
from django.utils import dateformat
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from planning.load import HeatRow

register = template.Library()


@register.simple_tag
def heat_cells(row: HeatRow, this_monday: date, calendar_url: str) -> SafeString:
    """The <td> cells of one heat-map row: the count links to that audience's week on the calendar.

    Built with one escape of each text per row rather than format_html per cell: 340 cells with
    eight arguments each were a third of the load page's rendering."""
    base = escape(calendar_url)
    audience_name = escape(row.audience.name)
    audience_pk = int(row.audience.pk)
    cells = []
    for c in row.cells:
        now = " heat-now" if c.monday == this_monday else ""
        count = int(c.count)
        if count:
            flag = (
                ' <span class="heat-flag">over cap</span>'
                if c.is_over
                else ' <span class="heat-flag">at cap</span>'
                if c.is_at_cap
                else ""
            )
            inner = (
                f'<a href="{base}?view=week&amp;date={c.iso_monday}&amp;audience={audience_pk}">{count}'
                f'<span class="visually-hidden"> announcement{"" if count == 1 else "s"} for {audience_name}'
                f" in the week of {escape(c.week_label)}</span>{flag}</a>"
            )
        else:
            inner = '<span class="muted">0</span>'
        level = c.level
        shade = f" heat-shade-{min(3, 1 + (3 * (count - 1)) // max(1, c.cap))}" if level == "under" else ""
        cells.append(f'<td class="heat-cell heat-{level}{shade}{now}">{inner}</td>')
    return mark_safe("\n".join(cells))  # every text above is escaped or an int


@register.simple_tag
def over_cap_items(over) -> SafeString:
    """The <li> items of the over-cap warning (20 audiences x 13 weeks can all be over)."""
    weeks: dict = {}  # 13 weeks, formatted once each rather than once per audience
    for _, cell in over:
        if cell.monday not in weeks:
            weeks[cell.monday] = date_format(cell.monday, "j M")
    return format_html_join(
        "",
        "<li>{}, week of {}: {} (cap {})</li>",
        ((audience.name, weeks[cell.monday], cell.count, cell.cap) for audience, cell in over),
    )


def _entry_what(e) -> str:
    """Kind, title (linked where the viewer may go), embargo pill and shared concept of a calendar
    entry, as escaped HTML text (a week draws a few hundred entries: plain f-strings, one escape each)."""
    title = escape(e.title)
    title = f'<a href="{escape(e.url)}">{title}</a>' if e.url else f'<span class="cal-title">{title}</span>'
    pill = ' <span class="pill pill-held">embargoed</span>' if e.is_embargoed and not e.is_masked else ""
    concept = f'<span class="cal-concept">{escape(e.concept)}</span>' if e.concept else ""
    return (
        f'<span class="cal-kind cal-{escape(e.entry.kind)}">{escape(e.label)}</span> {title}{pill}{concept}'
    )


@register.simple_tag
def cal_entry(e) -> SafeString:
    """One entry in a month cell (inside its <li>)."""
    return mark_safe(f"<time>{escape(e.time_text)}</time> {_entry_what(e)}")  # escaped above


@register.simple_tag
def month_cell(d, more_query: str) -> SafeString:
    """One day of the month grid: its date, the entries drawn and a link to the week for the rest
    (42 cells a month; a template loop per cell was most of the page's rendering).
    more_query is the filters to keep on that link, already escaped (month_more_query)."""
    classes = ("" if d.in_period else "cal-out") + (" cal-today" if d.is_today else "")
    classes += "" if d.entries else " cal-empty"
    today = '<span class="visually-hidden">Today, </span>' if d.is_today else ""
    head = (
        f'<td class="{classes}">\n        <div class="cal-date">{today}<span class="cal-weekday">'
        f"{escape(dateformat.format(d.day, 'l'))} </span>{escape(dateformat.format(d.day, 'j M'))}</div>\n        "
    )
    if not d.entries:
        return mark_safe(head + "\n      </td>")  # every text is escaped
    items = "".join(f"<li>{cal_entry(e)}</li>" for e in d.shown)
    more = ""
    if d.hidden_count:
        more = (
            f'<a class="cal-more" href="?view=week&amp;date={d.day:%Y-%m-%d}{more_query}">{d.hidden_count} more'
            f'<span class="visually-hidden"> on {escape(dateformat.format(d.day, "j F"))}</span></a>'
        )
    return mark_safe(  # every text is escaped
        f'{head}\n        <ul class="cal-entries">\n          {items}\n        </ul>\n        {more}\n        \n      </td>'
    )


@register.simple_tag(takes_context=True)
def month_more_query(context) -> str:
    """The filters a month cell's "N more" link keeps (every parameter but view and date)."""
    query = context["request"].GET.items()
    return "".join(
        f"&amp;{escape(k)}={escape(urlencode(v))}" for k, v in query if k not in ("view", "date") and v
    )


@register.simple_tag
def cal_list_row(e) -> SafeString:
    """One row of the week and list views."""
    return mark_safe(  # every text is escaped
        f'<tr><td class="cal-time">{escape(e.time_text)}</td><td>{_entry_what(e)}</td>'
        f"<td>{escape(e.audience_text)}</td><td>{escape(e.channel_text)}</td></tr>"
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
    shortfalls = format_html_join(
        "",
        '<span class="finding"><span class="finding-why">{}</span> <strong>Fix:</strong> {}</span>',
        ((f.why, f.fix) for f in row.findings),
    )
    if row.notes and not row.findings:
        shortfalls = format_html('<br><span class="help">{}</span>', capfirst("; ".join(row.notes)) + ".")
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
