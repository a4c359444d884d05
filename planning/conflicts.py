"""Planning's warnings: a send that would push an audience over its weekly cap, or land within 24
hours of another campaign's send to it; for the forms (through campaigns.warnings) and the
campaign page's panel. They count with the load's one counter (planning.load.LoadIndex).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from django.db.models import F
from django.utils import timezone

from briefings.models import Briefing
from campaigns.models import Campaign
from campaigns.warnings import Conflict, ConflictItem
from core.aggregates import IdList, parse_ids
from people.models import Audience
from planning.entries import STAGE_LABELS, Entries, Entry, Viewer, collect, show
from planning.load import LoadIndex, local_midnight, week_start, weekly_cap
from planning.models import AudienceCap, CommsItem
from rollout.models import RolloutStage

COLLISION_WINDOW = timedelta(hours=24)
MAX_LISTED = 8  # colliding items named per warning; the rest are counted ("and N more")


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
    Nothing planned: two queries (one when the campaign page's coverage panel read the sessions).
    """
    now = viewer.now
    # Two queries answer "anything planned?" and fetch it, with each send's audience ids.
    stages = list(
        campaign.stages.filter(
            state__in=[RolloutStage.State.PLANNED, RolloutStage.State.HELD], send_at__gte=now
        ).with_target_audience_ids()
    )
    # On the campaign page the coverage panel has already read every session with its audience ids.
    fetched = getattr(campaign, "_briefings_with_counts", None)
    if fetched is not None:
        briefings = [b for b in fetched if b.starts_at >= now and b.status != Briefing.Status.CANCELLED]
    else:
        briefings = list(
            Briefing.objects.filter(campaign=campaign, starts_at__gte=now)
            .exclude(status=Briefing.Status.CANCELLED)
            .annotate(audience_ids=IdList("audiences__id"))
        )
    if not stages and not briefings:
        return []
    stage_targets = {s.pk: parse_ids(s.target_audience_ids) for s in stages}
    briefing_targets = {b.pk: parse_ids(b.audience_ids) for b in briefings}
    # The audiences with their own weekly caps, in one query (only ours are ever checked against a cap).
    audiences = Audience.objects.annotate(own_cap=F("weekly_cap__weekly_cap")).in_bulk(
        {a for ids in [*stage_targets.values(), *briefing_targets.values()] for a in ids}
    )
    planned = [
        (
            "stage",
            s.pk,
            s.send_at,
            f"{STAGE_LABELS.get(s.kind, s.kind)} stage",
            [audiences[a] for a in sorted(stage_targets[s.pk])],
        )
        for s in stages
    ]
    planned += [
        (
            "briefing",
            b.pk,
            b.starts_at,
            f"Briefing “{b.title}”",
            sorted((audiences[a] for a in briefing_targets[b.pk]), key=lambda a: a.name),  # Audience order
        )
        for b in briefings
    ]
    if not planned:
        return []
    planned.sort(key=lambda p: p[2])
    start = local_midnight(week_start(planned[0][2], tz), tz) - COLLISION_WINDOW
    end = local_midnight(week_start(planned[-1][2], tz) + timedelta(days=7), tz) + COLLISION_WINDOW
    found = collect(start, end, go_lives=False)
    index = LoadIndex(found.items, tz)
    caps = {pk: a.own_cap for pk, a in audiences.items() if a.own_cap is not None}
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
        # One entry reaches many audiences: collect each once (by identity: one Entry object per
        # item) before building keys, which a busy week would otherwise do ~20,000 times.
        seen: dict[int, Entry] = {}
        for a, _ in over:
            for e in index.items(a, monday):
                seen[id(e)] = e
        others = {e.key: e for e in seen.values() if e.key not in ours}
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
