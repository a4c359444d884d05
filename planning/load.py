"""What lands on each audience when: the entries behind the calendar, the load and the warnings.

Weeks are ISO weeks (Monday 00:00 to Sunday 24:00) in the viewer's time zone: the heat map, the
cap check behind a form's warning and the digest all count in the zone of the person looking, so a
warning always matches the cell that person sees. An entry counts once per audience it targets.
Go-lives are shown on the calendar but do not count as announcements (their go-live stage does);
a comms item counts once, in the week it starts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.db.models import Exists, Max, Min, Q
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from briefings.models import Briefing
from campaigns.models import Campaign, Impact, KeyMessage
from campaigns.warnings import Conflict, ConflictItem
from core.aggregates import IdList, parse_ids
from people import roles
from people.models import Audience
from planning.models import AudienceCap, CommsItem
from rollout.models import Delivery, RolloutStage

COLLISION_WINDOW = timedelta(hours=24)
NO_IDS: frozenset[int] = frozenset()
MAX_LISTED = 8  # colliding items named per warning; the rest are counted ("and N more")
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

    kind: str  # "go_live", "stage", "briefing", "comms"
    pk: int
    at: datetime
    label: str  # what kind of thing, e.g. "Early warning", "Briefing", "Town hall or event"
    name: str  # its own title (campaign title, briefing title, comms item title)
    audience_ids: frozenset[int]
    channels: tuple[str, ...] = ()
    campaign_id: int | None = None
    ends_at: datetime | None = None
    state: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    @property
    def channel_labels(self) -> list[str]:
        return [CHANNEL_LABELS.get(c, c) for c in self.channels]

    @property
    def counts_in_load(self) -> bool:
        return self.kind != "go_live"

    @property
    def source_url(self) -> str:
        if self.kind == "briefing":
            return briefing_url(self.pk)
        if self.kind == "comms":
            return pk_url("comms_item_detail", self.pk)
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


def week_start(at: datetime, tz: tzinfo) -> date:
    """The Monday of the ISO week `at` falls in, in zone tz."""
    local = at.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def weekly_cap(audience_id: int, caps: dict[int, int]) -> int:
    return caps.get(audience_id, settings.PLANNING_WEEKLY_CAP)


def _id_sets(rows) -> dict[int, frozenset[int]]:
    """{owner: frozenset(ids)} from (owner, "1,2,3") rows; equal lists share one frozenset."""
    cache: dict[str, frozenset[int]] = {}
    return {owner_id: parse_ids(ids, cache) for owner_id, ids in rows if ids}


def _through_map(through, owner_field: str, owners) -> dict[int, frozenset[int]]:
    rows = (
        through.objects.filter(**{f"{owner_field}__in": owners.values("pk")})
        .values(f"{owner_field}_id")
        .annotate(ids=IdList("audience_id"))
        .values_list(f"{owner_field}_id", "ids")
        .order_by()
    )
    return _id_sets(rows)


def collect(
    start: datetime,
    end: datetime,
    *,
    go_lives: bool = True,
    with_teams: bool = False,
    with_audiences: bool = True,
) -> Entries:
    """Every entry in [start, end), in a fixed number of queries however many campaigns there are.

    with_audiences=False leaves every entry's audience_ids empty and skips the four audience
    queries (20,000 rows a month at 1,000 campaigns), for pages that do not show or filter by them.
    """
    items: list[Entry] = []
    kinds = STAGE_LABELS
    no_audiences: dict[int, frozenset[int]] = {}

    stages = (
        RolloutStage.objects.filter(send_at__gte=start, send_at__lt=end, state__in=STAGE_STATES_SHOWN)
        .exclude(campaign__status=Campaign.Status.CANCELLED)
        .order_by()
    )
    stage_audiences = (
        _through_map(RolloutStage.audiences.through, "rolloutstage", stages)
        if with_audiences
        else no_audiences
    )
    for pk, campaign_id, kind, send_at, channels, state in stages.values_list(
        "pk", "campaign_id", "kind", "send_at", "channels", "state"
    ):
        items.append(
            Entry(
                "stage",
                pk,
                send_at,
                kinds.get(kind, kind),
                "",
                stage_audiences.get(pk, NO_IDS),
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
    briefing_audiences = (
        _through_map(Briefing.audiences.through, "briefing", briefings) if with_audiences else no_audiences
    )
    for pk, campaign_id, title, starts_at, ends_at in briefings.values_list(
        "pk", "campaign_id", "title", "starts_at", "ends_at"
    ):
        items.append(
            Entry(
                "briefing",
                pk,
                starts_at,
                "Briefing",
                title,
                briefing_audiences.get(pk, NO_IDS),
                ("briefing",),
                campaign_id,
                ends_at=ends_at,
            )
        )

    comms = CommsItem.objects.between(start, end).order_by()
    comms_audiences = (
        _through_map(CommsItem.audiences.through, "commsitem", comms) if with_audiences else no_audiences
    )
    channel_labels = dict(CommsItem.Channel.choices)
    for pk, title, starts_at, ends_at, channel in comms.values_list(
        "pk", "title", "starts_at", "ends_at", "channel"
    ):
        items.append(
            Entry(
                "comms",
                pk,
                starts_at,
                channel_labels.get(channel, channel),
                title,
                comms_audiences.get(pk, NO_IDS),
                (channel,),
                ends_at=ends_at,
            )
        )

    campaign_ids = {e.campaign_id for e in items if e.campaign_id}
    campaigns_qs = Campaign.objects.only(
        "pk", "title", "status", "concept", "go_live_at", "embargo_until", "owner_id", "is_go_live_tentative"
    ).order_by()
    if go_lives:
        live_qs = campaigns_qs.filter(go_live_at__gte=start, go_live_at__lt=end).exclude(
            status=Campaign.Status.CANCELLED
        )
        impacted = _through_map_impacts(live_qs) if with_audiences else no_audiences
        campaigns = {c.pk: c for c in campaigns_qs.filter(pk__in=campaign_ids) | live_qs}
        for c in campaigns.values():
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
    else:
        campaigns = {c.pk: c for c in campaigns_qs.filter(pk__in=campaign_ids)}
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


def _through_map_impacts(campaigns) -> dict[int, frozenset[int]]:
    rows = (
        Impact.objects.filter(campaign__in=campaigns.values("pk"))
        .values("campaign_id")
        .annotate(ids=IdList("audience_id"))
        .values_list("campaign_id", "ids")
        .order_by()
    )
    return _id_sets(rows)


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


def _excluded_keys(exclude) -> set[tuple[str, int]]:
    if exclude is None:
        return set()
    objs = exclude if isinstance(exclude, list | tuple | set) else [exclude]
    keys = set()
    for obj in objs:
        if obj is None or obj.pk is None:
            continue
        if isinstance(obj, RolloutStage):
            keys.add(("stage", obj.pk))
        elif isinstance(obj, Briefing):
            keys.add(("briefing", obj.pk))
        elif isinstance(obj, CommsItem):
            keys.add(("comms", obj.pk))
    return keys


def _item_label(entry: Entry, campaigns: dict[int, Campaign], viewer: Viewer | None) -> ConflictItem:
    if viewer is None:
        label = f"{entry.name}: {entry.label}" if entry.kind == "stage" else f"{entry.label}: {entry.name}"
        return ConflictItem(label, entry.at, entry.source_url)
    shown = show(entry, campaigns, viewer)
    label = f"{shown.title}: {shown.label}" if entry.kind == "stage" else f"{shown.label}: {shown.title}"
    return ConflictItem(label, entry.at, shown.url)


def _labels(
    entries: list[Entry], campaigns: dict[int, Campaign], viewer: Viewer | None
) -> tuple[ConflictItem, ...]:
    """The first MAX_LISTED entries by name, then one line counting the rest."""
    items = [_item_label(e, campaigns, viewer) for e in entries[:MAX_LISTED]]
    if len(entries) > MAX_LISTED:
        rest = entries[MAX_LISTED:]
        items.append(ConflictItem(f"and {len(rest)} more", rest[0].at, ""))
    return tuple(items)


def conflicts_for(
    audiences,
    send_at: datetime,
    *,
    exclude=None,
    campaign=None,
    tz: tzinfo | None = None,
    viewer: Viewer | None = None,
) -> list[Conflict]:
    """Warnings for sending to `audiences` at `send_at`: over the weekly cap, or within 24 hours of
    another campaign's send to the same audience. `exclude` is the object being moved (a stage,
    briefing or comms item, or a list of them); `campaign` is the campaign it belongs to."""
    audiences = [a for a in audiences if a is not None]
    if not audiences or send_at is None:
        return []
    tz = tz or timezone.get_current_timezone()
    monday = week_start(send_at, tz)
    start = min(local_midnight(monday, tz), send_at - COLLISION_WINDOW)
    end = max(local_midnight(monday + timedelta(days=7), tz), send_at + COLLISION_WINDOW)
    found = collect(start, end, go_lives=False)
    return conflicts_in(found, audiences, [send_at], exclude=exclude, campaign=campaign, tz=tz, viewer=viewer)


def conflicts_in(
    found: Entries,
    audiences,
    send_times: list[datetime],
    *,
    exclude=None,
    campaign=None,
    tz: tzinfo,
    viewer: Viewer | None = None,
    caps: dict[int, int] | None = None,
) -> list[Conflict]:
    skip = _excluded_keys(exclude)
    entries = [e for e in found.items if e.key not in skip]
    index = LoadIndex(entries, tz)
    caps = AudienceCap.caps_by_audience() if caps is None else caps
    campaign_id = getattr(campaign, "pk", campaign)
    conflicts: list[Conflict] = []
    for send_at in send_times:
        monday = week_start(send_at, tz)
        for audience in audiences:
            cap = weekly_cap(audience.pk, caps)
            week_items = index.items(audience.pk, monday)
            if len(week_items) + 1 > cap:
                conflicts.append(
                    Conflict(
                        "cap",
                        audience.name,
                        f"this would be announcement {len(week_items) + 1} in the week of "
                        f"{monday:%a %-d %b %Y}; the cap is {cap} a week.",
                        _labels(week_items, found.campaigns, viewer),
                    )
                )
            near = [
                e
                for e in entries
                if e.kind == "stage"
                and e.campaign_id != campaign_id
                and audience.pk in e.audience_ids
                and abs(e.at - send_at) < COLLISION_WINDOW
            ]
            if near:
                conflicts.append(
                    Conflict(
                        "collision",
                        audience.name,
                        "within 24 hours of another campaign's send to this audience.",
                        _labels(near, found.campaigns, viewer),
                    )
                )
    return conflicts


@dataclass
class PanelWarning:
    """One open warning on a campaign page: which of its sends, which audience, what else is there."""

    kind: str  # "cap" or "collision"
    audience: str
    message: str
    ours: list[str]
    others: list[ConflictItem]


def campaign_warnings(campaign: Campaign, viewer: Viewer, tz: tzinfo) -> list[PanelWarning]:
    """Open warnings for a campaign's unsent stages and upcoming briefings (for its page).

    Over-cap weeks are reported once per audience and week, naming this campaign's sends in it.
    """
    now = viewer.now
    unsent = RolloutStage.objects.filter(
        campaign=campaign, state__in=[RolloutStage.State.PLANNED, RolloutStage.State.HELD], send_at__gte=now
    )
    upcoming = Briefing.objects.filter(campaign=campaign, starts_at__gte=now).exclude(
        status=Briefing.Status.CANCELLED
    )
    # One query answers "anything planned?"; most campaign pages then need nothing more.
    flags = (
        Campaign.objects.filter(pk=campaign.pk)
        .annotate(has_stages=Exists(unsent), has_briefings=Exists(upcoming))
        .values("has_stages", "has_briefings")
        .first()
    )
    if not flags or not (flags["has_stages"] or flags["has_briefings"]):
        return []
    stages = list(
        campaign.stages.filter(
            state__in=[RolloutStage.State.PLANNED, RolloutStage.State.HELD], send_at__gte=now
        ).prefetch_related("audiences")
    )
    briefings = list(
        Briefing.objects.filter(campaign=campaign, starts_at__gte=now)
        .exclude(status=Briefing.Status.CANCELLED)
        .prefetch_related("audiences")
    )
    planned = [
        ("stage", s.pk, s.send_at, f"{STAGE_LABELS.get(s.kind, s.kind)} stage", s.audiences.all())
        for s in stages
    ]
    planned += [
        ("briefing", b.pk, b.starts_at, f"Briefing “{b.title}”", b.audiences.all()) for b in briefings
    ]
    if not planned:
        return []
    planned.sort(key=lambda p: p[2])
    start = local_midnight(week_start(planned[0][2], tz), tz) - COLLISION_WINDOW
    end = local_midnight(week_start(planned[-1][2], tz) + timedelta(days=7), tz) + COLLISION_WINDOW
    found = collect(start, end, go_lives=False)
    index = LoadIndex(found.items, tz)
    caps = AudienceCap.caps_by_audience()
    ours = {(kind, pk) for kind, pk, *_ in planned}
    # Other campaigns' sends per audience, in time order, so a collision check is a bisect.
    sends: dict[int, list[Entry]] = defaultdict(list)
    for e in found.items:
        if e.kind == "stage" and e.campaign_id != campaign.pk:
            for audience_id in e.audience_ids:
                sends[audience_id].append(e)
    send_times = {a: [e.at for e in entries] for a, entries in sends.items()}
    names: dict[int, str] = {}
    weeks: dict[tuple[int, date], list[str]] = defaultdict(list)
    collisions: list[PanelWarning] = []
    for _kind, _pk, at, what, audiences in planned:
        # One collision warning per send of ours, naming every audience it collides on.
        hit_audiences: list[str] = []
        near_all: dict[tuple[str, int], Entry] = {}
        for audience in audiences:
            names[audience.pk] = audience.name
            weeks[(audience.pk, week_start(at, tz))].append(what)
            times = send_times.get(audience.pk, [])
            lo = bisect_right(times, at - COLLISION_WINDOW)
            hi = bisect_left(times, at + COLLISION_WINDOW)
            if hi > lo:
                hit_audiences.append(audience.name)
                for e in sends[audience.pk][lo:hi]:
                    near_all[e.key] = e
        if hit_audiences:
            collisions.append(
                PanelWarning(
                    "collision",
                    ", ".join(sorted(hit_audiences)),
                    f"within 24 hours of another campaign's send ({what}, {at.astimezone(tz):%a %-d %b, %H:%M}).",
                    [what],
                    list(_labels(sorted(near_all.values(), key=lambda e: e.at), found.campaigns, viewer)),
                )
            )
    # One cap warning per week, naming every audience over its cap that week.
    by_week: dict[date, list[tuple[int, list[str]]]] = defaultdict(list)
    for (audience_id, monday), whats in weeks.items():
        if index.count(audience_id, monday) > weekly_cap(audience_id, caps):
            by_week[monday].append((audience_id, whats))
    warnings: list[PanelWarning] = []
    for monday in sorted(by_week):
        over = sorted(by_week[monday], key=lambda item: names[item[0]])
        counts = "; ".join(
            f"{names[a]} {index.count(a, monday)} announcements (cap {weekly_cap(a, caps)})" for a, _ in over
        )
        ours_that_week = list(dict.fromkeys(w for _, whats in over for w in whats))
        others: dict[tuple[str, int], Entry] = {}
        for a, _ in over:
            for e in index.items(a, monday):
                if e.key not in ours:
                    others[e.key] = e
        warnings.append(
            PanelWarning(
                "cap",
                ", ".join(names[a] for a, _ in over),
                f"week of {monday:%a %-d %b %Y}: {counts}.",
                ours_that_week,
                list(_labels(sorted(others.values(), key=lambda e: e.at), found.campaigns, viewer)),
            )
        )
    return warnings + collisions


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

    @property
    def weeks_over(self) -> int:
        return sum(1 for c in self.cells if c.is_over)


def weeks_around(now: datetime, tz: tzinfo, before: int = 4, after: int = 12) -> list[date]:
    this_monday = week_start(now, tz)
    return [this_monday + timedelta(weeks=n) for n in range(-before, after + 1)]


def weekly_counts(start: datetime, end: datetime, tz: tzinfo) -> dict[tuple[int, date], int]:
    """Announcements per (audience, local Monday) in [start, end), counted by the database.

    Three queries (stages, briefings, comms items, each grouped per owner) whatever the number of campaigns; the same
    rules as collect(): go-lives do not count, cancelled and skipped things do not count.
    """
    counts: dict[tuple[int, date], int] = defaultdict(int)
    # One row per stage, briefing or item with its audience ids (not one per audience: 60,000
    # rows for four months at 1,000 campaigns), and its week worked out once, here.
    sources = [
        (
            RolloutStage.objects.filter(
                send_at__gte=start, send_at__lt=end, state__in=STAGE_STATES_SHOWN
            ).exclude(campaign__status=Campaign.Status.CANCELLED),
            "send_at",
        ),
        (
            Briefing.objects.filter(starts_at__gte=start, starts_at__lt=end)
            .exclude(status=Briefing.Status.CANCELLED)
            .exclude(campaign__status=Campaign.Status.CANCELLED),
            "starts_at",
        ),
        (CommsItem.objects.filter(starts_at__gte=start, starts_at__lt=end), "starts_at"),
    ]
    parsed: dict[str, frozenset[int]] = {}
    for owners, at_field in sources:
        rows = (
            owners.values("pk").annotate(ids=IdList("audiences__id")).values_list(at_field, "ids").order_by()
        )
        for at, ids in rows:
            if not ids:
                continue
            monday = week_start(at, tz)
            for audience_id in parse_ids(ids, parsed):
                counts[(audience_id, monday)] += 1
    return counts


def heat_map(weeks: list[date], tz: tzinfo) -> list[HeatRow]:
    counts = weekly_counts(
        local_midnight(weeks[0], tz), local_midnight(weeks[-1] + timedelta(days=7), tz), tz
    )
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
        .only("pk", "title", "status", "go_live_at")
        .order_by()
    )
    spans: dict[int, tuple[date, date]] = {}
    by_pk: dict[int, Campaign] = {}
    for c in campaigns:
        moments = [t for t in (c.first_send, c.last_send) if t is not None]
        if start <= c.go_live_at < end:
            moments.append(c.go_live_at)
        spans[c.pk] = (week_start(min(moments), tz), week_start(max(moments), tz))
        by_pk[c.pk] = c
    reach: dict[int, set[int]] = defaultdict(set)
    for campaign_id, audience_id in Impact.objects.filter(campaign_id__in=list(spans)).values_list(
        "campaign_id", "audience_id"
    ):
        reach[campaign_id].add(audience_id)
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
