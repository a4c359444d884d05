"""The project's one error pattern: a summary at the top of the page that links to each field in error.

Pages render it with `{% error_summary form formset … %}` (core.templatetags.form_errors) or, when a
page labels its parts ("Who it affects, row 2"), by passing `error_links(...)` to
templates/_error_summary.html. Inline messages come from templates/_field.html, whose ids match the
inputs' aria-describedby (Django adds `<id>_error`).
"""

from __future__ import annotations

from django import forms

FALLBACK_ANCHOR = "main"  # a non-field error with nowhere better to point: the top of the page


def field_anchor(form: forms.BaseForm, name: str) -> str:
    """The id a summary link should point at: the input itself, or its group's first option."""
    bound = form[name]
    return bound.id_for_label or bound.auto_id or form.prefix or FALLBACK_ANCHOR


def _first_field_anchor(form: forms.BaseForm) -> str:
    """Where a whole-form error points: the form's first visible field, where the person starts again."""
    for bound in form.visible_fields():
        return field_anchor(form, bound.name)
    return form.prefix or FALLBACK_ANCHOR


def form_error_links(form: forms.BaseForm, section: str = "", anchor: str = "") -> list[tuple[str, str]]:
    """(anchor id, message) for each error of one form, field errors named by their label."""
    links = []
    for name, errors in form.errors.items():
        if name in form.fields and not form.fields[name].widget.is_hidden:
            target = field_anchor(form, name)
            label = str(form.fields[name].label or name)
        else:
            target, label = anchor or _first_field_anchor(form), ""
        where = ", ".join(part for part in (section, label) if part)
        links.extend((target, f"{where}: {error}" if where else str(error)) for error in errors)
    return links


def error_links(*parts) -> list[tuple[str, str]]:
    """Links for forms, formsets and (section label, form) pairs, in page order."""
    links: list[tuple[str, str]] = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, tuple):
            links.extend(form_error_links(part[1], section=part[0]))
        elif isinstance(part, forms.BaseFormSet):
            if not part.is_bound:
                continue
            first = _first_field_anchor(part.forms[0]) if part.forms else FALLBACK_ANCHOR
            links.extend((first, str(error)) for error in part.non_form_errors())
            for number, form in enumerate(part.forms, 1):
                if part.can_delete and part._should_delete_form(form):
                    continue
                links.extend(form_error_links(form, section=f"Row {number}", anchor=form.prefix))
        elif part.is_bound:
            links.extend(form_error_links(part))
    return links
