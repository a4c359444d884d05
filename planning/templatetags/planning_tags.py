"""Tags for the planning pages' big grids: one Python call per row instead of a template loop per
cell (the heat map is 20 audiences x 17 weeks; each cell resolved a dozen variables)."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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
