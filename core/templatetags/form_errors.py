"""{% error_summary form formset … %}: the linked error summary at the top of a form page."""

from __future__ import annotations

from django import template

from core.form_errors import error_links

register = template.Library()


@register.inclusion_tag("_error_summary.html")
def error_summary(*parts) -> dict:
    return {"links": error_links(*parts)}
