"""A campaign's change history in words: who changed what, from what, to what.

Built from django-simple-history rows of the campaign and of its impacts, key messages and
assets: one query per kind, whatever the number of rows, so the campaign page stays fixed-cost.
A higher app adds its own entries without campaigns importing it: `register_source(fn)` in its
AppConfig.ready(), fn(campaign) -> list[Entry] in a fixed number of queries (rollout: stage edits,
added and removed stages, test sends).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateformat import format as format_date

from campaigns.models import Asset, Campaign, Impact, KeyMessage

# Changes by one person within this window are one entry (one save touches several tables).
SAME_SAVE = timedelta(seconds=5)
CAMPAIGN_FIELDS_HIDDEN = {"slug", "paused_at"}
LABELS = {
    "go_live_at": "Go-live",
    "is_go_live_tentative": "Go-live is tentative",
    "embargo_until": "Embargo until",
    "external_channels": "External channels",
    "what_changes": "What changes for them",
    "what_to_do": "What they must do",
}


@dataclass
class Line:
    label: str
    old: str = ""
    new: str = ""
    is_change: bool = True  # False: a sentence in `label` (added / removed / a reason)


@dataclass
class Entry:
    at: datetime
    who: str
    lines: list[Line] = field(default_factory=list)


_sources: list[Callable[[Campaign], list[Entry]]] = []


def register_source(fn: Callable[[Campaign], list[Entry]]) -> None:
    if fn not in _sources:
        _sources.append(fn)


def campaign_history(campaign: Campaign) -> list[Entry]:
    """Newest first."""
    entries = [
        *_campaign_entries(campaign),
        *_impact_entries(campaign),
        *_key_message_entries(campaign),
        *_asset_entries(campaign),
    ]
    for source in _sources:
        entries.extend(source(campaign))
    entries.sort(key=lambda e: e.at)
    grouped: list[Entry] = []
    for entry in entries:
        last = grouped[-1] if grouped else None
        if last and last.who == entry.who and entry.at - last.at <= SAME_SAVE:
            last.lines.extend(entry.lines)
        else:
            grouped.append(entry)
    return grouped[::-1]


def _who(row) -> str:
    user = row.history_user
    if user is None:
        return "System"
    return user.get_full_name() or user.username


def _show(value, field_name: str = "") -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_date(timezone.localtime(value), "j M Y, H:i T")
    if field_name == "status":
        return Campaign.Status(value).label
    if field_name == "level":
        return Impact.Level(value).label
    if field_name == "external_channels":
        labels = dict(Campaign.ExternalChannel.choices)
        return ", ".join(labels.get(v, v) for v in value)
    return str(value)


def _diff_lines(new_row, old_row, model, hidden=frozenset()) -> list[Line]:
    delta = new_row.diff_against(old_row)
    lines = []
    for change in delta.changes:
        if change.field in hidden:
            continue
        label = LABELS.get(change.field) or str(model._meta.get_field(change.field).verbose_name).capitalize()
        lines.append(Line(label, _show(change.old, change.field), _show(change.new, change.field)))
    return lines


def _reason(row) -> list[Line]:
    reason = row.history_change_reason
    return [Line(reason, is_change=False)] if reason else []


def _campaign_entries(campaign: Campaign) -> list[Entry]:
    rows = list(campaign.history.select_related("history_user").order_by("history_date", "history_id"))
    entries, previous = [], None
    for row in rows:
        if previous is None:
            lines = [Line("Logged the campaign", is_change=False)]
        else:
            lines = _diff_lines(row, previous, Campaign, CAMPAIGN_FIELDS_HIDDEN)
            if any(line.label == "Status" for line in lines) and row.history_change_reason:
                lines = [line for line in lines if line.label not in ("Status", "Review comment")]
        lines += _reason(row)
        if lines:
            entries.append(Entry(row.history_date, _who(row), lines))
        previous = row
    return entries


def _child_entries(rows, describe, model, detail=lambda row: "") -> list[Entry]:
    """Entries for rows of one child kind (impacts, key messages, assets), diffed per object."""
    entries, previous = [], {}
    for row in rows:
        old = previous.get(row.id)
        if row.history_type == "+":
            lines = [Line(f"Added {describe(row)}{detail(row)}", is_change=False)]
        elif row.history_type == "-":
            lines = [Line(f"Removed {describe(row)}{detail(row)}", is_change=False)]
        elif old is not None:
            lines = [
                Line(f"{describe(row).capitalize()}: {line.label.lower()}", line.old, line.new)
                for line in _diff_lines(row, old, model)
            ]
        else:
            lines = []
        if lines:
            entries.append(Entry(row.history_date, _who(row), lines))
        previous[row.id] = row
    return entries


def _impact_entries(campaign: Campaign) -> list[Entry]:
    rows = Impact.history.filter(campaign_id=campaign.pk).select_related("history_user", "audience")
    return _child_entries(
        rows.order_by("history_date", "history_id"),
        lambda r: f"audience {r.audience.name}",
        Impact,
        lambda r: f" ({Impact.Level(r.level).label.lower()} impact)",
    )


def _key_message_entries(campaign: Campaign) -> list[Entry]:
    rows = KeyMessage.history.filter(campaign_id=campaign.pk).select_related("history_user")
    return _child_entries(
        rows.order_by("history_date", "history_id"),
        lambda r: f"key message {r.position}",
        KeyMessage,
        lambda r: f": “{r.text}”",
    )


def _asset_entries(campaign: Campaign) -> list[Entry]:
    rows = Asset.history.filter(campaign_id=campaign.pk).select_related("history_user")
    return _child_entries(
        rows.order_by("history_date", "history_id"),
        lambda r: f"asset “{r.caption}”",
        Asset,
        lambda r: f" ({Asset.Kind(r.kind).label.lower()})",
    )
