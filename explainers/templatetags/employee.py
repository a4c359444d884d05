"""The employee's home-page summary: the newest announcements, rendered for them."""

from django import template
from django.utils import timezone

from explainers.views import inbox_deliveries
from rollout.composer import render_stage

register = template.Library()

LATEST = 5


@register.inclusion_tag("explainers/_inbox_summary.html", takes_context=True)
def inbox_summary(context):
    user = context["request"].user
    now = timezone.now()
    latest = list(inbox_deliveries(user)[:LATEST])
    return {"items": [(d, render_stage(d.stage, user, at=now, delivery=d)) for d in latest]}
