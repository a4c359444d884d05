"""Planning's panels on the home page (core.panels.HOME): IC's next go-lives with their readiness
and the audiences over their weekly cap; marketing's campaigns with what each is waiting for and
which audiences are behind. Each takes a fixed number of queries, however many campaigns exist."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from people import roles
from planning import load
from planning.readiness import AMBER, RED, readiness_for
from rollout.models import RolloutStage

GO_LIVES_SHOWN = 6
MY_CAMPAIGNS_SHOWN = 12
LOAD_WEEKS_AHEAD = 6


def _with_next_send(campaigns):
    """Each campaign with `next_send_at`, the time of its next planned stage (same query)."""
    return campaigns.annotate(
        next_send_at=Min("stages__send_at", filter=Q(stages__state=RolloutStage.State.PLANNED))
    )


def _behind(readiness) -> list:
    return [row for row in readiness.rows if row.rag in (AMBER, RED)]


def next_go_lives_panel(request, user) -> dict | None:
    if not roles.is_ic(user):
        return None
    upcoming = list(
        Campaign.objects.upcoming().select_related("owner").order_by("go_live_at", "pk")[:GO_LIVES_SHOWN]
    )
    results = readiness_for(upcoming)
    return {"rows": [{"r": r, "behind": _behind(r)} for r in results]}


def load_warnings_panel(request, user) -> dict | None:
    """Audience weeks over their cap from this week on, in the viewer's zone."""
    if not roles.is_ic(user):
        return None
    tz = timezone.get_current_timezone()
    weeks = load.weeks_around(timezone.now(), tz, before=0, after=LOAD_WEEKS_AHEAD)
    rows = load.heat_map(weeks, tz)
    return {"over": load.over_cap(rows, weeks), "load_url": reverse("planning_load"), "weeks": len(weeks)}


def my_campaigns_panel(request, user) -> dict | None:
    if not roles.is_marketing(user) or roles.is_ic(user):
        return None
    now = timezone.now()
    campaigns = list(
        _with_next_send(
            Campaign.objects.visible_to(user)
            .exclude(status__in=[Campaign.Status.CLOSED, Campaign.Status.CANCELLED])
            .filter(go_live_at__gte=now - timedelta(days=30))
        )
        .select_related("owner")
        .order_by("go_live_at", "pk")[:MY_CAMPAIGNS_SHOWN]
    )
    results = readiness_for(campaigns, now)
    return {"rows": [{"r": r, "behind": _behind(r)} for r in results], "now": now}
