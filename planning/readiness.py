"""Go-live readiness: per campaign and affected audience, who has been warned, invited, briefed,
has read the explainer and acknowledged; red / amber / green against the campaign's targets.

Each audience is judged against what the plan holds for it and the time left, not against the
target alone: an early warning planned for next week is on track today; an audience no early
warning is planned for is judged on warnings only when its impact is medium or high (the default
plan warns those; a low-impact one is judged on what is planned for it); a high-impact audience
needs a briefing session by BRIEFING_DUE_DAYS before go-live. Amber means the plan cannot reach a
target, or a signal that was due lags; red means the same within `red_within_days` of go-live.
Every amber or red row says why, and what would fix it (Finding).

A signal with no source for this campaign (no early-warning stage, no briefing, no explainer, no
stage asking for acknowledgement) is "not tracked yet", never 0%. Everything is computed for a list
of campaigns in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import CharField, Exists, F, Min, OuterRef, Value
from django.utils import timezone

from briefings.models import Briefing, Invitation
from campaigns.models import Campaign, Impact
from core.aggregates import parse_ids
from explainers.models import Explainer, ExplainerRead
from people.models import Audience
from planning.models import ReadinessThreshold
from rollout.models import Delivery, RolloutStage

GREEN, AMBER, RED, NO_TARGET = "green", "amber", "red", "none"
RAG_LABELS = {
    GREEN: "Green: on track",
    AMBER: "Amber: needs action",
    RED: "Red: at risk",
    NO_TARGET: "No target",
}
BRIEFING_DUE_DAYS = 7  # sessions are due when the default plan's briefing invitation goes out
DATE = "%-d %b"
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


@dataclass(frozen=True)
class Finding:
    """Why a row is amber or red, and what would fix it, in words."""

    why: str
    fix: str

    @property
    def text(self) -> str:
        return f"{self.why} {self.fix}"


@dataclass
class Plan:
    """What the rollout plan holds for one audience of one campaign (built by readiness_for)."""

    warnings: list[tuple[datetime, str, str]] = field(default_factory=list)  # (send at, state, reason)
    sessions: list[tuple[datetime, int | None]] = field(default_factory=list)  # (starts at, capacity)


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
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why a green row is on track

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[self.rag]

    @property
    def shortfalls(self) -> list[str]:
        return [f.text for f in self.findings]

    @property
    def funnel(self) -> list[tuple[str, Measure]]:
        return list(zip(SIGNAL_LABELS, self.measures, strict=True))

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

    @property
    def behind_count(self) -> int:
        return sum(1 for r in self.rows if r.rag in (AMBER, RED))


SIGNAL_LABELS = ("Warned", "Invited", "Briefed", "Read", "Acknowledged")


def _judge_warned(
    row: AudienceReadiness, plan: Plan, campaign: Campaign, target: int, now: datetime
) -> tuple[Finding | None, str]:
    """(finding, note) for the warned target, against the early warnings planned for this audience."""
    name = row.audience.name
    if row.warned.pct is not None and row.warned.pct >= target:
        return None, f"warned {row.warned.pct}%"
    if not plan.warnings:
        if row.level == Impact.Level.LOW:
            return None, "no early warning planned (low impact)"
        return (
            Finding(
                f"No early warning is planned for {name}, so it cannot reach {target}% warned.",
                "Add an early-warning stage for it on the rollout timeline.",
            ),
            "",
        )
    held = [w for w in plan.warnings if w[1] == RolloutStage.State.HELD]
    if held:
        return Finding(f"The early warning is held: {held[0][2] or 'see the stage'}.", "Edit the stage."), ""
    upcoming = [at for at, state, _ in plan.warnings if state == RolloutStage.State.PLANNED]
    if upcoming and min(upcoming) > campaign.go_live_at:
        return (
            Finding(
                f"The early warning sends after go-live ({min(upcoming):{DATE}}).",
                "Move it to before go-live.",
            ),
            "",
        )
    if upcoming and min(upcoming) > now:
        return None, f"early warning planned for {min(upcoming):{DATE}}"
    if upcoming:  # due but not sent
        if campaign.status in (Campaign.Status.DRAFT, Campaign.Status.SUBMITTED):
            return (
                Finding(
                    f"The early warning was due on {min(upcoming):{DATE}} but the campaign is not approved.",
                    "Approve the internal plan so it can go out.",
                ),
                "",
            )
        if campaign.is_paused:
            return Finding("The early warning is due but the rollout is paused.", "Resume the rollout."), ""
        return None, "early warning sends at the next tick"
    return (
        Finding(
            f"The early warning reached {row.warned.text} of {name} (target {target}%).",
            "Check failed deliveries on the rollout timeline, or add a reminder for people who joined later.",
        ),
        "",
    )


def _judge_briefed(
    row: AudienceReadiness, plan: Plan, campaign: Campaign, target: int, now: datetime
) -> tuple[Finding | None, str]:
    """(finding, note) for the briefed target of a high-impact audience, against its sessions."""
    name = row.audience.name
    if row.briefed.pct is not None and row.briefed.pct >= target:
        return None, f"briefed {row.briefed.pct}%"
    due = campaign.go_live_at - timedelta(days=BRIEFING_DUE_DAYS)
    if not plan.sessions:
        if now < due:
            return None, f"schedule a briefing by {due:{DATE}}"
        return (
            Finding(
                f"No briefing session is scheduled for {name} (due by {due:{DATE}}).",
                "Schedule a session under Briefings and coverage.",
            ),
            "",
        )
    still_needed = -(-target * row.size // 100) - (row.briefed.done or 0)
    upcoming = [cap for starts_at, cap in plan.sessions if starts_at > now]
    if not upcoming:
        return (
            Finding(
                f"Every session has taken place and {row.briefed.text} of {name} are briefed (target {target}%).",
                "Add a session for the people who missed it, or record attendance if it is missing.",
            ),
            "",
        )
    if None not in upcoming and sum(upcoming) < still_needed:
        return (
            Finding(
                f"The sessions still to come seat {sum(upcoming)}, but {still_needed} more of {name} "
                f"must be briefed to reach {target}%.",
                "Add a session or raise the capacity.",
            ),
            "",
        )
    return None, f"{len(upcoming)} session{'s' if len(upcoming) != 1 else ''} to come"


def _judge(
    row: AudienceReadiness, plan: Plan, campaign: Campaign, targets: ReadinessThreshold, now: datetime
) -> tuple[str, list[Finding], list[str]]:
    if row.size == 0:
        return NO_TARGET, [], []
    checks = []
    if targets.warned_pct:
        checks.append(_judge_warned(row, plan, campaign, targets.warned_pct, now))
    if row.level == Impact.Level.HIGH and targets.briefed_pct:
        checks.append(_judge_briefed(row, plan, campaign, targets.briefed_pct, now))
    findings = [f for f, _ in checks if f]
    notes = [n for f, n in checks if not f and n]
    if not findings:
        return GREEN, [], notes
    days = (campaign.go_live_at - now).days
    return (RED if days <= targets.red_within_days else AMBER), findings, notes


def _plans(ids: list[int], campaigns: list[Campaign] = ()) -> dict[tuple[int, int], Plan]:
    """{(campaign id, audience id): Plan} for these campaigns, in two queries (one when the campaign
    page's coverage panel has already read the sessions, with their audience ids)."""
    plans: dict[tuple[int, int], Plan] = defaultdict(Plan)
    cache: dict = {}
    for _, campaign_id, send_at, state, reason, audience_ids in (
        RolloutStage.objects.filter(campaign_id__in=ids)
        .early_warnings()
        .with_target_audience_ids()
        .values_list("pk", "campaign_id", "send_at", "state", "state_reason", "target_audience_ids")
        .order_by()
    ):
        for audience_id in parse_ids(audience_ids, cache):
            plans[(campaign_id, audience_id)].warnings.append((send_at, state, reason))
    fetched = [c for c in campaigns if hasattr(c, "_briefings_with_counts")]
    for campaign in fetched:
        for b in campaign._briefings_with_counts:
            if b.status != Briefing.Status.CANCELLED:  # as Briefing.objects.scheduled()
                for audience_id in parse_ids(b.audience_ids, cache):
                    plans[(campaign.pk, audience_id)].sessions.append((b.starts_at, b.capacity))
    rest = [pk for pk in ids if pk not in {c.pk for c in fetched}]
    for campaign_id, audience_id, starts_at, capacity in (
        Briefing.objects.sessions_by_audience(rest) if rest else []
    ):
        plans[(campaign_id, audience_id)].sessions.append((starts_at, capacity))
    return plans


def _signal_counts(
    ids: list[int], audiences: list[Audience], tracked: dict[str, set[int]]
) -> dict[tuple[int | None, str, int], int]:
    """{(campaign id, signal, audience id): people} and {(None, "size", audience id): people}, counted
    in the database in one query however many people there are.

    The active people with one flag per audience (the audiences' one SQL rule, Audience.flags) are
    written once as a subquery; the signals are one UNION (distinct (campaign, signal, person)
    rows) of each signal's table read by campaign; the outer query joins the two and counts per
    campaign, signal and set of memberships, and counts the audiences' sizes from the first alone.
    A signal no campaign here tracks is left out.
    """
    from django.contrib.auth import get_user_model

    if not audiences:
        return {}
    flags = Audience.flags(audiences)
    members_sql, members_params = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(person=F("pk"), **flags)
        .values("person", *flags)
        .order_by()
        .query.sql_with_params()
    )
    sent = Delivery.objects.filter(stage__campaign_id__in=ids, status=Delivery.Status.SENT)
    invitations = Invitation.objects.filter(briefing__campaign_id__in=ids).exclude(
        briefing__status=Briefing.Status.CANCELLED
    )
    # (signal, rows, campaign column, person column)
    parts = []
    if tracked["warned"]:
        warned = sent.filter(stage__kind=RolloutStage.Kind.EARLY_WARNING)
        parts.append(("warned", warned, "stage__campaign_id", "recipient_id"))
    if tracked["acknowledged"]:
        parts.append(
            ("acknowledged", sent.filter(acknowledged_at__isnull=False), "stage__campaign_id", "recipient_id")
        )
    if tracked["invited"]:
        parts.append(("invited", invitations, "briefing__campaign_id", "user_id"))
        briefed = invitations.filter(attended_at__isnull=False)
        parts.append(("briefed", briefed, "briefing__campaign_id", "user_id"))
    if tracked["read"]:
        reads = ExplainerRead.objects.filter(explainer__campaign_id__in=ids)
        parts.append(("read", reads, "explainer__campaign_id", "user_id"))
    columns = ", ".join(f"m.{name}" for name in flags)
    group_by = ", ".join(str(n) for n in range(1, len(flags) + 3))
    sql = (
        f"SELECT CAST(NULL AS BIGINT), 'size', {columns}, COUNT(*) FROM ({members_sql}) m GROUP BY {group_by}"
    )
    params = list(members_params)
    if parts:
        signals = [
            rows.annotate(
                of_campaign=F(campaign), signal=Value(signal, output_field=CharField()), person=F(person)
            )
            .values("of_campaign", "signal", "person")
            .order_by()
            for signal, rows, campaign, person in parts
        ]
        signals_sql, signals_params = signals[0].union(*signals[1:]).query.sql_with_params()
        sql += (
            f" UNION ALL SELECT s.of_campaign, s.signal, {columns}, COUNT(*) FROM ({signals_sql}) s"
            f" INNER JOIN ({members_sql}) m ON m.person = s.person GROUP BY {group_by}"
        )
        params += [*signals_params, *members_params]
    counts: dict[tuple[int | None, str, int], int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for campaign_id, signal, *member, people in cursor.fetchall():
            for audience, is_in in zip(audiences, member, strict=True):
                if is_in:
                    counts[(campaign_id, signal, audience.pk)] += people
    return counts


def _impacts_of(campaigns: list[Campaign]) -> list[Impact]:
    """The campaigns' impacts with their audiences: the ones already prefetched (the campaign page
    loads them with the campaign), else one query."""
    if all("impacts" in getattr(c, "_prefetched_objects_cache", {}) for c in campaigns):
        return [i for c in campaigns for i in c.impacts.all()]
    return list(Impact.objects.filter(campaign_id__in=[c.pk for c in campaigns]).select_related("audience"))


def readiness_for(campaigns: list[Campaign], now: datetime | None = None) -> list[CampaignReadiness]:
    """Readiness of each campaign, in a fixed number of queries."""
    now = now or timezone.now()
    if not campaigns:
        return []
    ids = [c.pk for c in campaigns]
    impacts = _impacts_of(campaigns)
    audiences = {i.audience_id: i.audience for i in impacts}
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

    counts = _signal_counts(
        ids,
        list(audiences.values()),
        {
            "warned": has_warning,
            "acknowledged": asks_ack,
            "invited": has_briefing,
            "briefed": has_briefing,
            "read": has_explainer,
        },
    )

    plans = _plans(ids, campaigns)
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
            size = counts.get((None, "size", impact.audience_id), 0)

            def measure(signal: str, tracked: set[int], why: str, c=c, size=size, impact=impact) -> Measure:
                if c.pk not in tracked:
                    return Measure(None, size, why)
                return Measure(counts.get((c.pk, signal, impact.audience_id), 0), size)

            row = AudienceReadiness(
                impact.audience,
                impact.level,
                size,
                warned=measure("warned", has_warning, "no early-warning stage"),
                invited=measure("invited", has_briefing, "no briefing"),
                briefed=measure("briefed", has_briefing, "no briefing"),
                read=measure("read", has_explainer, "no explainer"),
                acknowledged=measure("acknowledged", asks_ack, "no stage asks for it"),
            )
            row.rag, row.findings, row.notes = _judge(row, plans[(c.pk, impact.audience_id)], c, t, now)
            rows.append(row)
        results.append(CampaignReadiness(c, days, t, rows))
    return results


TREND_WEEKS = 6


@dataclass
class Trend:
    """Share of the campaign's affected people with each signal at the end of each of the last weeks."""

    moments: list[datetime]  # week ends, the last one being now
    people: int
    series: dict[str, list[int | None]]  # signal label → % at each moment (None: not tracked)


def readiness_trend(campaign: Campaign, now: datetime, tz) -> Trend:
    """How readiness grew over the last TREND_WEEKS weeks, over everyone in the affected audiences
    (six queries: impacts, members, and the first time each person got each signal)."""
    audiences = [i.audience for i in Impact.objects.filter(campaign=campaign).select_related("audience")]
    people: set[int] = set().union(*Audience.member_ids(audiences).values()) if audiences else set()
    monday = (now.astimezone(tz) - timedelta(days=now.astimezone(tz).weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    moments = [monday - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)] + [now]
    sent = Delivery.objects.filter(stage__campaign=campaign, status=Delivery.Status.SENT)
    firsts = {
        "Warned": sent.filter(stage__kind=RolloutStage.Kind.EARLY_WARNING)
        .values("recipient_id")
        .annotate(first=Min("sent_at"))
        .values_list("recipient_id", "first"),
        "Invited": Invitation.objects.filter(briefing__campaign=campaign)
        .exclude(briefing__status=Briefing.Status.CANCELLED)
        .values("user_id")
        .annotate(first=Min("invited_at"))
        .values_list("user_id", "first"),
        "Briefed": Invitation.objects.filter(briefing__campaign=campaign, attended_at__isnull=False)
        .values("user_id")
        .annotate(first=Min("attended_at"))
        .values_list("user_id", "first"),
        "Read": ExplainerRead.objects.filter(explainer__campaign=campaign).values_list(
            "user_id", "first_read_at"
        ),
        "Acknowledged": sent.filter(acknowledged_at__isnull=False)
        .values("recipient_id")
        .annotate(first=Min("acknowledged_at"))
        .values_list("recipient_id", "first"),
    }
    series: dict[str, list[int | None]] = {}
    for label, rows in firsts.items():
        times = sorted(at for user_id, at in rows if user_id in people and at is not None)
        if not people:
            series[label] = [None] * len(moments)
            continue
        series[label] = [round(100 * sum(1 for t in times if t <= m) / len(people)) for m in moments]
    return Trend(moments, len(people), series)
