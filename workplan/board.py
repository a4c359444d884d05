"""What the workplan and My work pages draw, fetched in a fixed number of queries.

A campaign's board: one column per workstream (the campaign's teams, any team that already has a
workstream, and IC's, which also carries the rollout stages), the deliverables that need attention
(overdue, then at risk), and a timeline of everything against go-live and the embargo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from campaigns.models import Campaign
from people.models import MarcomTeam
from rollout.models import RolloutStage
from workplan.models import Deliverable, Workstream, can_edit_team


@dataclass
class Column:
    name: str
    team_id: int | None
    can_edit: bool
    lead: str = ""
    deliverables: list[Deliverable] = field(default_factory=list)
    stages: list[RolloutStage] = field(default_factory=list)

    @property
    def team_value(self) -> str:
        return "ic" if self.team_id is None else str(self.team_id)

    @property
    def done_count(self) -> int:
        return sum(1 for d in self.deliverables if d.is_done)


@dataclass
class Mark:
    """A row on the timeline: a deliverable, a rollout stage, or the embargo lift / go-live."""

    at: datetime
    kind: str  # "deliverable", "stage", "embargo", "go_live"
    label: str
    team: str = ""
    deliverable: Deliverable | None = None
    days_from_go_live: int = 0


@dataclass
class Board:
    campaign: Campaign
    columns: list[Column]
    attention: list[Deliverable]
    timeline: list[Mark]
    total: int
    editable_teams: list[tuple[str, str]]


def _lead_name(workstream: Workstream | None) -> str:
    if workstream is None or workstream.lead is None:
        return ""
    return workstream.lead.get_full_name() or workstream.lead.get_username()


def dress(deliverables: list[Deliverable], now: datetime) -> None:
    """Compute each deliverable's urgency and dependency flags once, for the templates."""
    for d in deliverables:
        d.urgency_now = d.urgency(now)
        d.is_overdue_now = d.urgency_now == 0
        d.is_at_risk_now = d.urgency_now == 1
        d.late_dependencies = d.dependencies_due_later()


def board_for(campaign: Campaign, user, now: datetime | None = None) -> Board:
    now = now or timezone.now()
    workstreams = {
        w.team_id: w for w in Workstream.objects.filter(campaign=campaign).select_related("team", "lead")
    }
    teams = {t.pk: t for t in campaign.teams.all()}
    for w in workstreams.values():
        if w.team_id is not None:
            teams.setdefault(w.team_id, w.team)
    deliverables = list(Deliverable.objects.filter(workstream__campaign=campaign).for_pages())
    dress(deliverables, now)
    stages = list(
        RolloutStage.objects.filter(campaign=campaign)
        .exclude(state=RolloutStage.State.CANCELLED)
        .order_by("send_at", "pk")
    )

    columns = [
        Column(t.name, t.pk, can_edit_team(user, t.pk), _lead_name(workstreams.get(t.pk)))
        for t in sorted(teams.values(), key=lambda t: t.name)
    ]
    ic_column = Column(
        "Internal communications", None, can_edit_team(user, None), _lead_name(workstreams.get(None))
    )
    ic_column.stages = stages
    columns.append(ic_column)
    by_team = {c.team_id: c for c in columns}
    for d in deliverables:
        by_team[d.workstream.team_id].deliverables.append(d)
    for c in columns:
        c.deliverables.sort(key=lambda d: (d.urgency_now, d.due_at, d.pk))

    attention = sorted(
        (d for d in deliverables if d.urgency_now < 2), key=lambda d: (d.urgency_now, d.due_at)
    )
    return Board(
        campaign=campaign,
        columns=columns,
        attention=attention,
        timeline=timeline(campaign, deliverables, stages),
        total=len(deliverables),
        editable_teams=[(c.team_value, c.name) for c in columns if c.can_edit],
    )


def timeline(campaign: Campaign, deliverables: list[Deliverable], stages: list[RolloutStage]) -> list[Mark]:
    marks = [
        Mark(d.due_at, "deliverable", d.title, d.workstream.name, d, d.offset_days) for d in deliverables
    ]
    marks += [
        Mark(
            s.send_at,
            "stage",
            f"Rollout: {s.get_kind_display()}",
            "IC",
            None,
            _days(s.send_at, campaign),
        )
        for s in stages
    ]
    marks.append(Mark(campaign.go_live_at, "go_live", "Go-live", days_from_go_live=0))
    if campaign.embargo_until != campaign.go_live_at:
        marks.append(
            Mark(
                campaign.embargo_until,
                "embargo",
                "Embargo lifts",
                days_from_go_live=_days(campaign.embargo_until, campaign),
            )
        )
    order = {"embargo": 0, "go_live": 1, "stage": 2, "deliverable": 3}
    marks.sort(key=lambda m: (m.at, order[m.kind]))
    return marks


def _days(at: datetime, campaign: Campaign) -> int:
    return round((at - campaign.go_live_at).total_seconds() / 86400)


@dataclass
class MyWork:
    deliverables: list[Deliverable]
    team: MarcomTeam | None
    teams: list[MarcomTeam]


def my_work(user, team: MarcomTeam | None, now: datetime | None = None) -> list[Deliverable]:
    """A person's (or one team's) deliverables on the campaigns they may see, most urgent first."""
    now = now or timezone.now()
    qs = Deliverable.objects.visible_to(user).exclude(
        workstream__campaign__status__in=[Campaign.Status.CANCELLED, Campaign.Status.CLOSED]
    )
    qs = qs.of_team(team) if team is not None else qs.owned_by(user)
    deliverables = list(qs.for_pages())
    dress(deliverables, now)
    deliverables.sort(key=lambda d: (d.urgency_now, d.due_at, d.pk))
    return deliverables
