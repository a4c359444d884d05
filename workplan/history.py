"""The brief's part of a campaign's change history: positioning, main message, target customers,
objectives and channels, from their django-simple-history rows (three queries, however many rows).

Shown in the campaign page's change history (campaigns.history.register_source in WorkplanConfig.ready)
and, since a person's last visit, at the top of the brief page ("what changed since you last looked").
"""

from __future__ import annotations

from datetime import datetime

from campaigns.history import Entry, Line
from workplan.models import BriefChannel, BriefObjective, CampaignBrief

BRIEF_FIELDS = {
    "positioning": "Positioning",
    "main_message": "Main message",
    "target_customers": "Target customers",
}
OBJECTIVE_FIELDS = {"description": "objective", "metric": "metric", "target": "target", "unit": "unit"}
CHANNEL_FIELDS = {
    "kind": "kind",
    "name": "name",
    "budget_cap": "budget cap",
    "pricing": "pricing",
    "rate": "rate",
}


def _who(row) -> str:
    user = row.history_user
    return "System" if user is None else user.get_full_name() or user.username


def _text(value) -> str:
    return str(value) if value not in (None, "") else "—"


def _entries(rows, fields: dict[str, str], name, prefix: str) -> list[Entry]:
    entries, previous = [], {}
    for row in rows:
        old = previous.get(row.id)
        previous[row.id] = row
        if row.history_type == "+":
            lines = [Line(f"Added {prefix} “{name(row)}”", is_change=False)]
            if prefix == "brief":
                lines = [
                    Line(label, "", _text(getattr(row, f))) for f, label in fields.items() if getattr(row, f)
                ]
        elif row.history_type == "-":
            lines = [Line(f"Removed {prefix} “{name(row)}”", is_change=False)]
        else:
            lines = [
                Line(
                    label if prefix == "brief" else f"Brief {prefix} “{name(row)}”: {label}",
                    _text(getattr(old, f)),
                    _text(getattr(row, f)),
                )
                for f, label in fields.items()
                if old is not None and getattr(old, f) != getattr(row, f)
            ]
        if lines:
            entries.append(Entry(row.history_date, _who(row), lines))
    return entries


def brief_entries(campaign, since: datetime | None = None) -> list[Entry]:
    """Every change to this campaign's brief (after `since`, when given), oldest first."""
    rows = [
        (CampaignBrief.history.filter(campaign_id=campaign.pk), BRIEF_FIELDS, lambda r: "brief", "brief"),
        (BriefObjective.history.filter(brief__campaign_id=campaign.pk), OBJECTIVE_FIELDS, lambda r: r.description, "objective"),
        (BriefChannel.history.filter(brief__campaign_id=campaign.pk), CHANNEL_FIELDS, lambda r: r.name, "channel"),
    ]  # fmt: skip
    entries = []
    for qs, fields, name, prefix in rows:
        qs = qs.select_related("history_user").order_by("history_date", "history_id")
        entries.extend(e for e in _entries(qs, fields, name, prefix) if since is None or e.at > since)
    entries.sort(key=lambda e: e.at)
    return entries
