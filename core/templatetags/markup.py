from django import template

from core.markup import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source: str, baselevel: int = 3):
    """{{ text|markdown }} (or |markdown:2): sanitised HTML from explainer markdown."""
    return render_markdown(source or "", int(baselevel))
