"""The dated entries behind the calendar, the load and the warnings, and who may see what of them.

An entry is a rollout stage, a briefing, a comms item, a go-live or (on the calendar only) a
workplan deliverable, which never counts in the load. A stage's audiences are where
it will go: its own, or else its campaign's medium and high impact audiences
(RolloutStage.target_audiences), so planning counts every announcement the engine sends.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from briefings.models import Briefing
from campaigns.models import Campaign, Impact
from core.aggregates import IdList, parse_ids
from people import roles
from planning.models import CommsItem
from rollout.models import Delivery, RolloutStage
from workplan.models import Deliverable

NO_IDS: frozenset[int] = frozenset()

STAGE_STATES_SHOWN = [
    RolloutStage.State.PLANNED,
    RolloutStage.State.HELD,
    RolloutStage.State.SENDING,
    RolloutStage.State.SENT,
    RolloutStage.State.FAILED,
]
EMBARGOED_TITLE = "Embargoed campaign"
CHANNEL_LABELS = {
    **dict(CommsItem.Channel.choices),
    "in_app": "In-app",
    "briefing": "Briefing",
}
# A go-live stage is the announcement sent at go-live; it must not read like the go-live itself.
STAGE_LABELS = {**dict(RolloutStage.Kind.choices), RolloutStage.Kind.GO_LIVE: "Go-live announcement"}


@dataclass
class Entry:
    """One dated thing on the calendar: a go-live, a rollout stage, a briefing or a comms item."""

    kind: str  # "go_live", "stage", "briefing", "comms", "deliverable"
    pk: int
    at: datetime
    label: str  # what kind of thing, e.g. "Early warning", "Briefing", "Town hall or event"
    name: str  # its own title (campaign title, briefing title, comms item title)
    audience_ids: frozenset[int]
    channels: tuple[str, ...] = ()
    campaign_id: int | None = None
    ends_at: datetime | None = None
    state: str = ""
    team_ids: frozenset[int] = NO_IDS  # a deliverable's team and the team it is shared with

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    @property
    def channel_labels(self) -> list[str]:
        return [CHANNEL_LABELS.get(c, c) for c in self.channels]

    @property
    def counts_in_load(self) -> bool:
        return self.kind not in ("go_live", "deliverable")

    @property
    def source_url(self) -> str:
        if self.kind == "briefing":
            return briefing_url(self.pk)
        if self.kind == "comms":
            return pk_url("comms_item_detail", self.pk)
        if self.kind == "deliverable":
            return pk_url("workplan", self.campaign_id)
        return pk_url("campaign_detail", self.campaign_id)


_PK_MARK = 918273645  # a pk no table reaches, reversed once and replaced by the real one
_pk_url_templates: dict[tuple, str] = {}


def pk_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a URL whose only argument is an integer pk, without resolving
    the pattern again for every entry (a month of calendar entries is a thousand reverse() calls)."""
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name)
    template = _pk_url_templates.get(key)
    if template is None:
        template = _pk_url_templates[key] = reverse(name, args=[_PK_MARK])
    return template.replace(str(_PK_MARK), str(pk))


def briefing_url(pk: int) -> str:
    """The briefing page (CONTRACT.md: /briefings/<id>/), even before the briefings pages are merged."""
    try:
        return pk_url("briefing_detail", pk)
    except NoReverseMatch:
        return f"/briefings/{pk}/"


@dataclass
class Entries:
    """The entries in a window, with the campaigns they belong to."""

    items: list[Entry]
    campaigns: dict[int, Campaign]
    campaign_teams: dict[int, set[int]] = field(default_factory=dict)


def _with_audience_ids(owners: QuerySet) -> QuerySet:
    """One row per briefing or comms item with its audience ids ("1,2,3"), not one per audience."""
    return owners.values("pk").annotate(audience_ids=IdList("audiences__id"))


def collect(
    start: datetime,
    end: datetime,
    *,
    go_lives: bool = True,
    with_teams: bool = False,
    with_audiences: bool = True,
    with_campaigns: bool = True,
    with_deliverables: bool = False,
    keys: set[tuple[str, int]] | None = None,
) -> Entries:
    """Every entry in [start, end), in a fixed number of queries however many campaigns there are:
    one each for stages, briefings and comms items (each row with its audience ids), then the
    campaigns, the go-lives' audiences and the campaigns' teams as asked.

    with_audiences=False leaves every entry's audience_ids empty (pages that do not show or filter by
    them); with_campaigns=False leaves entry names and `campaigns` empty (the load only counts).
    keys, from drawn_keys(), fetches only those entries (what a page draws), by primary key.
    """

    def only(rows: QuerySet, kind: str, pk: str = "pk") -> QuerySet:
        if keys is None:
            return rows
        return rows.filter(**{f"{pk}__in": [k for kind_, k in keys if kind_ == kind]})

    items: list[Entry] = []
    cache: dict[str, frozenset[int]] = {}
    audiences = ("audience_ids",) if with_audiences else ()

    stages = (
        RolloutStage.objects.filter(send_at__gte=start, send_at__lt=end, state__in=STAGE_STATES_SHOWN)
        .exclude(campaign__status=Campaign.Status.CANCELLED)
        .order_by()
    )
    stages = only(stages, "stage")
    if with_audiences:
        stages = stages.with_target_audience_ids()
        audiences_of_stage = ("target_audience_ids",)
    else:
        audiences_of_stage = ()
    for pk, campaign_id, kind, send_at, channels, state, *ids in stages.values_list(
        "pk", "campaign_id", "kind", "send_at", "channels", "state", *audiences_of_stage
    ):
        items.append(
            Entry(
                "stage",
                pk,
                send_at,
                STAGE_LABELS.get(kind, kind),
                "",
                parse_ids(ids[0], cache) if ids else NO_IDS,
                tuple(channels or ()),
                campaign_id,
                state=state,
            )
        )

    briefings = (
        Briefing.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Briefing.Status.CANCELLED)
        .exclude(campaign__status=Campaign.Status.CANCELLED)
        .order_by()
    )
    briefings = only(briefings, "briefing")
    if with_audiences:
        briefings = _with_audience_ids(briefings)
    for pk, campaign_id, title, starts_at, ends_at, *ids in briefings.values_list(
        "pk", "campaign_id", "title", "starts_at", "ends_at", *audiences
    ):
        items.append(
            Entry(
                "briefing",
                pk,
                starts_at,
                "Briefing",
                title,
                parse_ids(ids[0], cache) if ids else NO_IDS,
                ("briefing",),
                campaign_id,
                ends_at=ends_at,
            )
        )

    comms = only(CommsItem.objects.between(start, end).order_by(), "comms")
    if with_audiences:
        comms = _with_audience_ids(comms)
    channel_labels = dict(CommsItem.Channel.choices)
    for pk, title, starts_at, ends_at, channel, *ids in comms.values_list(
        "pk", "title", "starts_at", "ends_at", "channel", *audiences
    ):
        items.append(
            Entry(
                "comms",
                pk,
                starts_at,
                channel_labels.get(channel, channel),
                title,
                parse_ids(ids[0], cache) if ids else NO_IDS,
                (channel,),
                ends_at=ends_at,
            )
        )

    if with_deliverables:
        items.extend(_deliverable_entries(start, end, None if keys is None else only))

    campaign_ids = {e.campaign_id for e in items if e.campaign_id}
    campaigns_qs = Campaign.objects.only(
        "pk", "title", "status", "concept", "go_live_at", "embargo_until", "owner_id", "is_go_live_tentative"
    ).order_by()
    campaigns: dict[int, Campaign] = {}
    if go_lives:
        live_qs = only(
            campaigns_qs.filter(go_live_at__gte=start, go_live_at__lt=end).exclude(
                status=Campaign.Status.CANCELLED
            ),
            "go_live",
        )
        impacted = _through_map_impacts(live_qs) if with_audiences else {}
        campaigns = {c.pk: c for c in campaigns_qs.filter(pk__in=campaign_ids) | live_qs}
        for c in campaigns.values():
            if keys is not None and ("go_live", c.pk) not in keys:
                continue  # a drawn stage's campaign, its go-live not drawn
            if start <= c.go_live_at < end and c.status != Campaign.Status.CANCELLED:
                items.append(
                    Entry(
                        "go_live",
                        c.pk,
                        c.go_live_at,
                        "Go-live (tentative)" if c.is_go_live_tentative else "Go-live",
                        "",
                        impacted.get(c.pk, NO_IDS),
                        (),
                        c.pk,
                    )
                )
    elif with_campaigns:
        campaigns = {c.pk: c for c in campaigns_qs.filter(pk__in=campaign_ids)}
    if campaigns:
        for e in items:
            if e.campaign_id and not e.name:
                e.name = campaigns[e.campaign_id].title

    teams: dict[int, set[int]] = defaultdict(set)
    if with_teams:
        rows = Campaign.teams.through.objects.filter(campaign_id__in=list(campaigns)).values_list(
            "campaign_id", "marcomteam_id"
        )
        for campaign_id, team_id in rows:
            teams[campaign_id].add(team_id)
    items.sort(key=lambda e: (e.at, e.kind, e.pk))
    return Entries(items, campaigns, teams)


def _deliverables(start: datetime, end: datetime) -> QuerySet:
    return (
        Deliverable.objects.due_between(start, end)
        .exclude(workstream__campaign__status=Campaign.Status.CANCELLED)
        .order_by()
    )


def _deliverable_entries(start: datetime, end: datetime, only=None) -> list[Entry]:
    rows = _deliverables(start, end)
    if only is not None:
        rows = only(rows, "deliverable")
    rows = (
        rows.values_list("pk", "workstream__campaign_id", "title", "due_at", "status", "workstream__team_id", "workstream__team__name", "shared_with_id")
    )  # fmt: skip
    status_labels = dict(Deliverable.Status.choices)
    return [
        Entry(
            "deliverable",
            pk,
            due_at,
            f"Due ({team_name or 'IC'})",
            title,
            NO_IDS,
            (),
            campaign_id,
            state=status_labels.get(status, status),
            team_ids=frozenset(t for t in (team_id, shared_id) if t),
        )
        for pk, campaign_id, title, due_at, status, team_id, team_name, shared_id in rows
    ]


def _through_map_impacts(campaigns) -> dict[int, frozenset[int]]:
    rows = (
        Impact.objects.filter(campaign__in=campaigns.values("pk"))
        .values("campaign_id")
        .annotate(ids=IdList("audience_id"))
        .values_list("campaign_id", "ids")
        .order_by()
    )
    cache: dict[str, frozenset[int]] = {}
    return {owner_id: parse_ids(ids, cache) for owner_id, ids in rows if ids}


# --- who may see what -------------------------------------------------------------------------
@dataclass
class Viewer:
    """What one person may see of campaigns on the planning pages."""

    is_ic: bool
    visible_campaign_ids: set[int]
    shared_campaign_ids: set[int]  # campaigns whose early warning (concept) reached this person
    now: datetime

    @classmethod
    def for_user(cls, user, now: datetime | None = None) -> Viewer:
        now = now or timezone.now()
        if roles.is_ic(user):
            return cls(True, set(), set(), now)
        visible = set(Campaign.objects.visible_to(user).values_list("pk", flat=True))
        shared = set(
            Delivery.objects.filter(recipient=user, status=Delivery.Status.SENT)
            .values_list("stage__campaign_id", flat=True)
            .distinct()
        )
        return cls(False, visible, shared, now)

    def can_open(self, campaign_id: int) -> bool:
        return self.is_ic or campaign_id in self.visible_campaign_ids

    def is_masked(self, campaign: Campaign) -> bool:
        """True when this person must see "Embargoed campaign" instead of the title."""
        return not self.can_open(campaign.pk) and campaign.is_embargoed(self.now)


@dataclass
class ShownEntry:
    """An entry as one viewer sees it (title masked while embargoed, link only where they may go)."""

    entry: Entry
    title: str
    label: str
    url: str
    concept: str = ""
    is_embargoed: bool = False
    campaign_title: str = ""

    @property
    def is_masked(self) -> bool:
        return self.title == EMBARGOED_TITLE

    @property
    def at(self) -> datetime:
        return self.entry.at


def show(entry: Entry, campaigns: dict[int, Campaign], viewer: Viewer) -> ShownEntry:
    if entry.campaign_id is None:
        return ShownEntry(entry, entry.name, entry.label, entry.source_url)
    campaign = campaigns[entry.campaign_id]
    embargoed = campaign.is_embargoed(viewer.now)
    if viewer.is_masked(campaign):
        concept = campaign.concept if campaign.pk in viewer.shared_campaign_ids else ""
        return ShownEntry(entry, EMBARGOED_TITLE, entry.label, "", concept, True, EMBARGOED_TITLE)
    url = entry.source_url if (entry.kind == "briefing" or viewer.can_open(campaign.pk)) else ""
    return ShownEntry(entry, entry.name, entry.label, url, "", embargoed, campaign.title)


# --- what a page draws -------------------------------------------------------------------------
KEY_COLUMNS = ("entry_kind", "entry_key", "entry_at", "entry_day")


def _keyed(rows: QuerySet, kind: str, at: str, tz: tzinfo) -> tuple[str, tuple] | None:
    """(sql, params) of one kind of entry as KEY_COLUMNS: kind, pk, time, local day; None when it
    can have no rows (a viewer who may open no campaign has no deliverables)."""
    rows = (
        rows.order_by()
        .annotate(
            entry_kind=Value(kind, output_field=CharField()),
            entry_key=F("pk"),
            entry_at=F(at),
            entry_day=TruncDate(at, tzinfo=tz),
        )
        .values_list(*KEY_COLUMNS)
    )
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:
        return None
    return f"SELECT {', '.join(KEY_COLUMNS)} FROM ({sql}) AS p", tuple(params)


def _as_date(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value  # SQLite gives text


class PeriodKeys:
    """The entries of [start, end) that collect() would give, as (kind, pk) keys in calendar order,
    counted and cut in the database: a page fetches in full only what it draws (the month grid its
    first few a day, the list one page), so its cost follows the page, not the month's density.

    Deliverables are only those of campaigns the viewer may open, as on the calendar. Works as a
    Paginator's object list (count() and slicing).
    """

    def __init__(self, start: datetime, end: datetime, tz: tzinfo, viewer: Viewer):
        self.start, self.end, self.tz, self.viewer = start, end, tz, viewer

    def _sources(self) -> dict[str, QuerySet]:
        start, end = self.start, self.end
        deliverables = _deliverables(start, end)
        if not self.viewer.is_ic:
            deliverables = deliverables.filter(workstream__campaign_id__in=self.viewer.visible_campaign_ids)
        return {
            "stage": RolloutStage.objects.filter(
                send_at__gte=start, send_at__lt=end, state__in=STAGE_STATES_SHOWN
            ).exclude(campaign__status=Campaign.Status.CANCELLED),
            "briefing": Briefing.objects.filter(starts_at__gte=start, starts_at__lt=end)
            .exclude(status=Briefing.Status.CANCELLED)
            .exclude(campaign__status=Campaign.Status.CANCELLED),
            "comms": CommsItem.objects.between(start, end),
            "deliverable": deliverables,
            "go_live": Campaign.objects.filter(go_live_at__gte=start, go_live_at__lt=end).exclude(
                status=Campaign.Status.CANCELLED
            ),
        }

    def _union(self) -> tuple[str, tuple]:
        times = {"stage": "send_at", "briefing": "starts_at", "comms": "starts_at"}
        times |= {"deliverable": "due_at", "go_live": "go_live_at"}
        parts = [_keyed(rows, kind, times[kind], self.tz) for kind, rows in self._sources().items()]
        parts = [part for part in parts if part is not None]  # go-lives always compile
        return " UNION ALL ".join(sql for sql, _ in parts), tuple(p for _, params in parts for p in params)

    def _fetch(self, sql: str, params) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def count(self) -> int:
        sql, params = self._union()
        return self._fetch(f"SELECT COUNT(*) FROM ({sql}) AS u", params)[0][0]

    def __getitem__(self, page: slice) -> list[tuple[str, int]]:
        sql, params = self._union()
        rows = self._fetch(
            f"SELECT entry_kind, entry_key FROM ({sql}) AS u ORDER BY entry_at, entry_kind, entry_key "
            "LIMIT %s OFFSET %s",
            (*params, page.stop - page.start, page.start),
        )
        return [(kind, pk) for kind, pk in rows]

    def first_of_each_day(self, limit: int) -> tuple[list[tuple[str, int]], dict[date, int]]:
        """The first `limit` entries of each local day, and how many each day has."""
        sql, params = self._union()
        rows = self._fetch(
            "SELECT entry_kind, entry_key, entry_day, n FROM ("
            " SELECT entry_kind, entry_key, entry_day,"
            "  ROW_NUMBER() OVER (PARTITION BY entry_day ORDER BY entry_at, entry_kind, entry_key) AS rn,"
            "  COUNT(*) OVER (PARTITION BY entry_day) AS n"
            f" FROM ({sql}) AS u) AS w WHERE rn <= %s",
            (*params, limit),
        )
        return [(kind, pk) for kind, pk, _, _ in rows], {_as_date(day): n for _, _, day, n in rows}

    def campaign_choices(self) -> list[tuple[int, str]]:
        """The campaigns with an entry in the period that the viewer may open, by title."""
        sources = self._sources()
        deliverables = _deliverables(self.start, self.end)  # the viewer filter is below
        rows = Campaign.objects.filter(
            Q(pk__in=sources["stage"].values("campaign_id"))
            | Q(pk__in=sources["briefing"].values("campaign_id"))
            | Q(pk__in=deliverables.values("workstream__campaign_id"))
            | Q(pk__in=sources["go_live"].values("pk"))
        ).values_list("pk", "title")
        shown = [(pk, title) for pk, title in rows if self.viewer.can_open(pk)]
        return sorted(shown, key=lambda c: (c[1].lower(), c[0]))
