"""Go-live readiness: per campaign and affected audience, who has been warned, invited, briefed,
has read the explainer and acknowledged; red / amber / green against the campaign's targets.

A signal with no source for this campaign (no early-warning stage, no briefing, no explainer, no
stage asking for acknowledgement) is "not tracked yet", never 0%. Everything is computed for a list
of campaigns in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from briefings.models import Briefing, Invitation
from campaigns.models import Campaign, Impact
from explainers.models import Explainer, ExplainerRead
from people.models import Audience
from planning.models import ReadinessThreshold
from rollout.models import Delivery, RolloutStage

GREEN, AMBER, RED, NO_TARGET = "green", "amber", "red", "none"
RAG_LABELS = {
    GREEN: "Green: on track",
    AMBER: "Amber: behind target",
    RED: "Red: at risk",
    NO_TARGET: "No target",
}
RAG_ORDER = {NO_TARGET: 0, GREEN: 1, AMBER: 2, RED: 3}


@dataclass
class Measure:
    """How many of an audience have done something; done=None means not tracked yet."""

    done: int | None
    total: int
    why_untracked: str = ""

    @property
    def is_tracked(self) -> bool:
        return self.done is not None

    @property
    def pct(self) -> int | None:
        if self.done is None or self.total == 0:
            return None
        return round(100 * self.done / self.total)

    @property
    def text(self) -> str:
        if self.done is None:
            return "not tracked yet"
        if self.total == 0:
            return "nobody in audience"
        return f"{self.pct}% ({self.done} of {self.total})"


@dataclass
class AudienceReadiness:
    audience: Audience
    level: str
    size: int
    warned: Measure
    invited: Measure
    briefed: Measure
    read: Measure
    acknowledged: Measure
    rag: str = NO_TARGET
    shortfalls: list[str] = field(default_factory=list)

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[self.rag]

    @property
    def measures(self) -> list[Measure]:
        return [self.warned, self.invited, self.briefed, self.read, self.acknowledged]


@dataclass
class CampaignReadiness:
    campaign: Campaign
    days_to_go_live: int
    targets: ReadinessThreshold
    rows: list[AudienceReadiness]

    @property
    def rag(self) -> str:
        return max((r.rag for r in self.rows), key=RAG_ORDER.__getitem__, default=NO_TARGET)

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[self.rag]


def _pairs(rows) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for campaign_id, user_id in rows:
        found[campaign_id].add(user_id)
    return found


def _measure(
    source: dict[int, set[int]], campaign_id: int, people: set[int], tracked: bool, why: str
) -> Measure:
    if not tracked:
        return Measure(None, len(people), why)
    return Measure(len(source.get(campaign_id, set()) & people), len(people))


def _rag(row: AudienceReadiness, targets: ReadinessThreshold, days: int) -> tuple[str, list[str]]:
    if row.size == 0:
        return NO_TARGET, []
    goals = [("warned", row.warned, targets.warned_pct)]
    if row.level == Impact.Level.HIGH:
        goals.append(("briefed", row.briefed, targets.briefed_pct))
    shortfalls = []
    for name, measure, target in goals:
        if target == 0:
            continue
        if measure.pct is None:
            if measure.total:
                shortfalls.append(f"{name}: {measure.why_untracked or 'not tracked yet'} (target {target}%)")
        elif measure.pct < target:
            shortfalls.append(f"{name} {measure.pct}% (target {target}%)")
    if not shortfalls:
        return GREEN, []
    return (RED if days <= targets.red_within_days else AMBER), shortfalls


def readiness_for(campaigns: list[Campaign], now: datetime | None = None) -> list[CampaignReadiness]:
    """Readiness of each campaign, in a fixed number of queries."""
    now = now or timezone.now()
    if not campaigns:
        return []
    ids = [c.pk for c in campaigns]
    impacts = list(Impact.objects.filter(campaign_id__in=ids).select_related("audience"))
    audiences = {i.audience_id: i.audience for i in impacts}
    members = Audience.member_ids(audiences.values())
    # One query for which signals each campaign tracks, and its targets (LEFT JOIN, defaults if none).
    live_stages = RolloutStage.objects.filter(campaign=OuterRef("pk")).exclude(
        state=RolloutStage.State.CANCELLED
    )
    flags = (
        Campaign.objects.filter(pk__in=ids)
        .annotate(
            has_warning=Exists(live_stages.filter(kind=RolloutStage.Kind.EARLY_WARNING)),
            asks_ack=Exists(live_stages.filter(requires_acknowledgement=True)),
            has_briefing=Exists(
                Briefing.objects.filter(campaign=OuterRef("pk")).exclude(status=Briefing.Status.CANCELLED)
            ),
            has_explainer=Exists(Explainer.objects.filter(campaign=OuterRef("pk"))),
        )
        .values(
            "pk",
            "has_warning",
            "asks_ack",
            "has_briefing",
            "has_explainer",
            "readiness_threshold__pk",
            "readiness_threshold__warned_pct",
            "readiness_threshold__briefed_pct",
            "readiness_threshold__red_within_days",
        )
        .order_by()
    )
    has_warning, asks_ack, has_briefing, has_explainer = set(), set(), set(), set()
    targets: dict[int, ReadinessThreshold] = {}
    for row in flags:
        for name, found in (
            ("has_warning", has_warning),
            ("asks_ack", asks_ack),
            ("has_briefing", has_briefing),
            ("has_explainer", has_explainer),
        ):
            if row[name]:
                found.add(row["pk"])
        if row["readiness_threshold__pk"]:
            targets[row["pk"]] = ReadinessThreshold(
                pk=row["readiness_threshold__pk"],
                campaign_id=row["pk"],
                warned_pct=row["readiness_threshold__warned_pct"],
                briefed_pct=row["readiness_threshold__briefed_pct"],
                red_within_days=row["readiness_threshold__red_within_days"],
            )

    warned: dict[int, set[int]] = defaultdict(set)
    acknowledged: dict[int, set[int]] = defaultdict(set)
    # Skip the tables whose signal no campaign here tracks (fixed count for a given kind of data).
    deliveries = Delivery.objects if (has_warning or asks_ack) else Delivery.objects.none()
    for campaign_id, user_id, kind, acknowledged_at in (
        deliveries.filter(stage__campaign_id__in=ids, status=Delivery.Status.SENT)
        .filter(Q(stage__kind=RolloutStage.Kind.EARLY_WARNING) | Q(acknowledged_at__isnull=False))
        .values_list("stage__campaign_id", "recipient_id", "stage__kind", "acknowledged_at")
    ):
        if kind == RolloutStage.Kind.EARLY_WARNING:
            warned[campaign_id].add(user_id)
        if acknowledged_at is not None:
            acknowledged[campaign_id].add(user_id)
    invited: dict[int, set[int]] = defaultdict(set)
    briefed: dict[int, set[int]] = defaultdict(set)
    invitations = Invitation.objects if has_briefing else Invitation.objects.none()
    for campaign_id, user_id, attended_at in (
        invitations.filter(briefing__campaign_id__in=ids)
        .exclude(briefing__status=Briefing.Status.CANCELLED)
        .values_list("briefing__campaign_id", "user_id", "attended_at")
    ):
        invited[campaign_id].add(user_id)
        if attended_at is not None:
            briefed[campaign_id].add(user_id)
    reads = ExplainerRead.objects if has_explainer else ExplainerRead.objects.none()
    read = _pairs(
        reads.filter(explainer__campaign_id__in=ids).values_list("explainer__campaign_id", "user_id")
    )

    by_campaign: dict[int, list[Impact]] = defaultdict(list)
    for impact in impacts:
        by_campaign[impact.campaign_id].append(impact)
    level_order = {Impact.Level.HIGH: 0, Impact.Level.MEDIUM: 1, Impact.Level.LOW: 2}

    results = []
    for c in campaigns:
        days = (c.go_live_at - now).days
        t = targets.get(c.pk) or ReadinessThreshold(campaign=c)
        rows = []
        for impact in sorted(by_campaign[c.pk], key=lambda i: (level_order.get(i.level, 9), i.audience.name)):
            people = members.get(impact.audience_id, set())
            size = len(people)

            row = AudienceReadiness(
                impact.audience,
                impact.level,
                size,
                warned=_measure(warned, c.pk, people, c.pk in has_warning, "no early-warning stage"),
                invited=_measure(invited, c.pk, people, c.pk in has_briefing, "no briefing"),
                briefed=_measure(briefed, c.pk, people, c.pk in has_briefing, "no briefing"),
                read=_measure(read, c.pk, people, c.pk in has_explainer, "no explainer"),
                acknowledged=_measure(acknowledged, c.pk, people, c.pk in asks_ack, "no stage asks for it"),
            )
            row.rag, row.shortfalls = _rag(row, t, days)
            rows.append(row)
        results.append(CampaignReadiness(c, days, t, rows))
    return results
