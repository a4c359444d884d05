"""The employee's home-page summary: the newest announcements, rendered for them."""

from django import template
from django.utils import timezone

from campaigns.announcements import render_stage
from campaigns.employee_views import inbox_deliveries

register = template.Library()

LATEST = 5


@register.inclusion_tag("campaigns/_inbox_summary.html", takes_context=True)
def inbox_summary(context):
    user = context["request"].user
    now = timezone.now()
    latest = list(inbox_deliveries(user)[:LATEST])
    return {"items": [(d, render_stage(d.stage, user, at=now, delivery=d)) for d in latest]}
