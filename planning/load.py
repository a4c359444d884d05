"""What lands on each audience when: the entries behind the calendar, the load and the warnings.

Weeks are ISO weeks (Monday 00:00 to Sunday 24:00) in the viewer's time zone: the heat map, the
cap check behind a form's warning and the digest all count in the zone of the person looking, so a
warning always matches the cell that person sees. An entry counts once per audience it targets.
Go-lives are shown on the calendar but do not count as announcements (their go-live stage does);
a comms item counts once, in the week it starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.db import connections
from django.db.models import Count, DateField, Exists, F, Max, Min, OuterRef, Q
from django.db.models.functions import Trunc

from briefings.models import Briefing
from campaigns.models import Campaign, Impact, KeyMessage
from core.aggregates import IdList, parse_ids
from people.models import Audience
from planning.entries import STAGE_STATES_SHOWN, Entry, Viewer
from planning.models import AudienceCap, CommsItem
from rollout.models import DEFAULT_IMPACT_LEVELS, RolloutStage


def week_start(at: datetime, tz: tzinfo) -> date:
    """The Monday of the ISO week `at` falls in, in zone tz."""
    local = at.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def weekly_cap(audience_id: int, caps: dict[int, int]) -> int:
    return caps.get(audience_id, settings.PLANNING_WEEKLY_CAP)


# --- the load --------------------------------------------------------------------------------
class LoadIndex:
    """Announcements per (audience, ISO week in tz)."""

    def __init__(self, entries: Iterable[Entry], tz: tzinfo):
        self.tz = tz
        self.cells: dict[tuple[int, date], list[Entry]] = defaultdict(list)
        for e in entries:
            if not e.counts_in_load:
                continue
            monday = week_start(e.at, tz)
            for audience_id in e.audience_ids:
                self.cells[(audience_id, monday)].append(e)

    def items(self, audience_id: int, monday: date) -> list[Entry]:
        return self.cells.get((audience_id, monday), [])

    def count(self, audience_id: int, monday: date) -> int:
        return len(self.items(audience_id, monday))


def _monday(field: str, tz: tzinfo) -> Trunc:
    """The Monday (a date, in tz) of the ISO week a datetime column falls in, computed in SQL."""
    return Trunc(field, "week", output_field=DateField(), tzinfo=tz)


def weekly_counts(
    start: datetime, end: datetime, tz: tzinfo, audience_ids: Iterable[int] | None = None
) -> dict[tuple[int, date], int]:
    """Announcements per (audience id, Monday in tz) for what happens in [start, end), counted in
    the database (GROUP BY audience and week): one query (a UNION ALL of four) however many campaigns, stages and
    audiences there are. The same rule as LoadIndex over collect(): a stage counts for its own
    audiences, or else its campaign's default (medium and high) impact audiences; briefings and
    comms items for theirs; nothing of a cancelled campaign, briefing or stage state not shown.
    """
    wanted = None if audience_ids is None else list(audience_ids)
    if wanted == []:
        return {}
    through = RolloutStage.audiences.through.objects
    own = _own_audience_counts(start, end, tz, wanted)
    has_own = through.filter(rolloutstage_id=OuterRef("pk"))  # NOT EXISTS: an index probe per stage
    defaulted = (
        RolloutStage.objects.filter(
            ~Exists(has_own),
            send_at__gte=start,
            send_at__lt=end,
            state__in=STAGE_STATES_SHOWN,
            campaign__impacts__level__in=DEFAULT_IMPACT_LEVELS,
        )
        .exclude(campaign__status=Campaign.Status.CANCELLED)
        .annotate(week=_monday("send_at", tz), audience_id=F("campaign__impacts__audience_id"))
        .values_list("audience_id", "week")
    )
    briefed = (
        Briefing.audiences.through.objects.filter(briefing__starts_at__gte=start, briefing__starts_at__lt=end)
        .exclude(briefing__status=Briefing.Status.CANCELLED)
        .exclude(briefing__campaign__status=Campaign.Status.CANCELLED)
        .annotate(week=_monday("briefing__starts_at", tz))
        .values_list("audience_id", "week")
    )
    comms = (
        CommsItem.audiences.through.objects.filter(
            commsitem__starts_at__gte=start, commsitem__starts_at__lt=end
        )
        .annotate(week=_monday("commsitem__starts_at", tz))
        .values_list("audience_id", "week")
    )
    parts = []
    for rows in (defaulted, briefed, comms):
        if wanted is not None:
            rows = rows.filter(audience_id__in=wanted)
        parts.append(rows.annotate(n=Count("*")).order_by())
    union = parts[0].union(*parts[1:], all=True)
    sql, params = union.query.get_compiler(using=union.db).as_sql()
    counts: dict[tuple[int, date], int] = defaultdict(int)
    with connections[union.db].cursor() as cursor:
        # The stages' own audiences are the bulk (a row per stage and audience); counted first,
        # their rows come in the same round trip.
        cursor.execute(f"{own[0]} UNION ALL {sql}", [*own[1], *params])
        for audience_id, monday, n in cursor.fetchall():
            if isinstance(monday, datetime):  # PostgreSQL's date_trunc gives a timestamp
                monday = monday.date()
            elif isinstance(monday, str):  # SQLite gives text
                monday = date.fromisoformat(monday[:10])
            counts[(audience_id, monday)] += n
    return counts


def _own_audience_counts(start: datetime, end: datetime, tz: tzinfo, wanted: list[int] | None):
    """(sql, params) counting the stages' own audiences per (audience id, Monday in tz).

    The Monday is computed once per stage (a few thousand), not once per stage and audience (tens
    of thousands): the stages are a subquery that PostgreSQL must not flatten into the join
    (OFFSET 0 is its documented fence), which halves the load page's main query at 1,000 campaigns.
    """
    stages = (
        RolloutStage.objects.filter(send_at__gte=start, send_at__lt=end, state__in=STAGE_STATES_SHOWN)
        .exclude(campaign__status=Campaign.Status.CANCELLED)
        .annotate(week=_monday("send_at", tz))
        .values_list("pk", "week")
        .order_by()
    )
    stage_sql, params = stages.query.get_compiler(using=stages.db).as_sql()
    through = RolloutStage.audiences.through._meta.db_table
    fence = " OFFSET 0" if connections[stages.db].vendor == "postgresql" else ""
    where = ""
    if wanted is not None:
        marks = ", ".join(["%s"] * len(wanted))
        where = f" WHERE t.audience_id IN ({marks})"
        params = (*params, *wanted)
    sql = (
        f"SELECT t.audience_id, s.week, COUNT(*) FROM ({stage_sql}{fence}) s "
        f'INNER JOIN "{through}" t ON t.rolloutstage_id = s.pk{where} GROUP BY t.audience_id, s.week'
    )
    return sql, tuple(params)


@dataclass
class HeatCell:
    monday: date
    count: int
    cap: int

    @property
    def week_label(self) -> str:
        return f"{self.monday.day} {self.monday:%B}"

    @property
    def iso_monday(self) -> str:
        return self.monday.isoformat()

    @property
    def is_over(self) -> bool:
        return self.count > self.cap

    @property
    def is_at_cap(self) -> bool:
        return self.count == self.cap

    @property
    def level(self) -> str:
        if self.count == 0:
            return "none"
        if self.is_over:
            return "over"
        if self.is_at_cap:
            return "at"
        return "under"


@dataclass
class HeatRow:
    audience: Audience
    cap: int
    cells: list[HeatCell]


def weeks_around(now: datetime, tz: tzinfo, before: int = 4, after: int = 12) -> list[date]:
    this_monday = week_start(now, tz)
    return [this_monday + timedelta(weeks=n) for n in range(-before, after + 1)]


def heat_map(weeks: list[date], tz: tzinfo) -> list[HeatRow]:
    start, end = local_midnight(weeks[0], tz), local_midnight(weeks[-1] + timedelta(days=7), tz)
    counts = weekly_counts(start, end, tz)
    caps = AudienceCap.caps_by_audience()
    rows = []
    for audience in Audience.objects.order_by("name"):
        cap = weekly_cap(audience.pk, caps)
        rows.append(
            HeatRow(audience, cap, [HeatCell(m, counts.get((audience.pk, m), 0), cap) for m in weeks])
        )
    return rows


def over_cap(rows: list[HeatRow], weeks: Iterable[date]) -> list[tuple[Audience, HeatCell]]:
    wanted = set(weeks)
    return [(row.audience, c) for row in rows for c in row.cells if c.monday in wanted and c.is_over]


@dataclass
class MessagePair:
    first: Campaign
    second: Campaign
    audiences: list[str]
    weeks: list[date]
    first_messages: list[str] = field(default_factory=list)
    second_messages: list[str] = field(default_factory=list)


def key_message_pairs(
    weeks: list[date], viewer: Viewer, tz: tzinfo, limit: int
) -> tuple[list[MessagePair], int]:
    """Approved or live campaigns active in overlapping weeks that share an affected audience.

    A campaign is active from its first to its last send or go-live inside the shown weeks. Returns
    the first `limit` pairs (by week) with their key messages, and whether more follow.
    """
    start = local_midnight(weeks[0], tz)
    end = local_midnight(weeks[-1] + timedelta(days=7), tz)
    in_window = Q(stages__send_at__gte=start, stages__send_at__lt=end, stages__state__in=STAGE_STATES_SHOWN)
    campaigns = Campaign.objects.filter(status__in=[Campaign.Status.APPROVED, Campaign.Status.LIVE])
    if not viewer.is_ic:
        campaigns = campaigns.filter(pk__in=viewer.visible_campaign_ids)
    campaigns = (
        campaigns.annotate(
            first_send=Min("stages__send_at", filter=in_window),
            last_send=Max("stages__send_at", filter=in_window),
        )
        .filter(Q(first_send__isnull=False) | Q(go_live_at__gte=start, go_live_at__lt=end))
        .values_list("pk", "title", "status", "go_live_at", "first_send", "last_send")
        .order_by()
    )
    # Rows, not model instances: a busy quarter has hundreds of active campaigns and at most
    # 2 x limit of them are shown (those become instances below, as .only() would make them).
    spans: dict[int, tuple[date, date]] = {}
    rows: dict[int, list] = {}
    for row in campaigns:
        pk, go_live_at, first_send, last_send = row[0], row[3], row[4], row[5]
        moments = [t for t in (first_send, last_send) if t is not None]
        if start <= go_live_at < end:
            moments.append(go_live_at)
        spans[pk] = (week_start(min(moments), tz), week_start(max(moments), tz))
        rows[pk] = row
    # One row per campaign with its audience ids ("1,2,3"), not one per campaign and audience.
    cache: dict[str, frozenset[int]] = {}
    reach: dict[int, frozenset[int]] = defaultdict(frozenset)
    for campaign_id, ids in (
        Impact.objects.filter(campaign_id__in=list(spans))
        .values("campaign_id")
        .annotate(ids=IdList("audience_id"))
        .values_list("campaign_id", "ids")
        .order_by()
    ):
        reach[campaign_id] = parse_ids(ids, cache)
    ordered = sorted(spans, key=lambda pk: (spans[pk][0], pk))
    found: list[tuple[int, int, set[int]]] = []
    for i, a in enumerate(ordered):
        if len(found) > limit:
            break  # enough to show; the page only says that more follow
        for b in ordered[i + 1 :]:
            if spans[b][0] > spans[a][1]:
                break
            shared = reach[a] & reach[b]
            if shared:
                found.append((a, b, shared))
    shown = found[:limit]
    if not shown:
        return [], False
    names = dict(Audience.objects.values_list("pk", "name"))
    messages: dict[int, list[str]] = defaultdict(list)
    ids = {pk for a, b, _ in shown for pk in (a, b)}
    for campaign_id, text in KeyMessage.objects.filter(campaign_id__in=ids).values_list(
        "campaign_id", "text"
    ):
        messages[campaign_id].append(text)
    fields = ["id", "title", "status", "go_live_at"]
    by_pk = {pk: Campaign.from_db(campaigns.db, fields, rows[pk][:4]) for pk in ids}
    pairs = []
    for a, b, shared in shown:
        first, last = max(spans[a][0], spans[b][0]), min(spans[a][1], spans[b][1])
        pairs.append(
            MessagePair(
                by_pk[a],
                by_pk[b],
                sorted(names.get(x, "?") for x in shared),
                [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)],
                messages.get(a, []),
                messages.get(b, []),
            )
        )
    return pairs, len(found) > limit
