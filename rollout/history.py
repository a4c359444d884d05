"""The rollout's part of a campaign's change history: stage edits, added and removed stages, test sends.

Read from RolloutStage's django-simple-history rows in one query and shown in the campaign page's
change history (registered with campaigns.history.register_source in RolloutConfig.ready).
"""

from __future__ import annotations

from campaigns.history import Entry, Line
from rollout.models import RolloutStage
from rollout.plan import DEFAULT_PLAN_REASON

LABELS = {"offset_minutes": "send time", "requires_acknowledgement": "asks for acknowledgement"}
CHANNELS = {"in_app": "In-app", "email": "Email"}


def _offset(minutes: int) -> str:
    return RolloutStage(offset_minutes=minutes).offset_label


def _value(name: str, value) -> str:
    if name == "offset_minutes":
        return _offset(value)
    if name == "kind":
        return RolloutStage.Kind(value).label
    if name == "channels":
        return ", ".join(CHANNELS.get(c, c) for c in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if value not in (None, "") else "—"


def _who(row) -> str:
    user = row.history_user
    return "System" if user is None else user.get_full_name() or user.username


def _name(row) -> str:
    return f"stage “{row.get_kind_display()}”"


def stage_entries(campaign) -> list[Entry]:
    rows = (
        RolloutStage.history.filter(campaign_id=campaign.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries, previous = [], {}
    for row in rows:
        old = previous.get(row.id)
        previous[row.id] = row
        reason = row.history_change_reason or ""
        if row.history_type == "+":
            lines = [] if reason == DEFAULT_PLAN_REASON else [_sentence(f"Added {_name(row)}", row)]
        elif row.history_type == "-":
            lines = [_sentence(f"Removed {_name(row)}", row)]
        else:
            lines = _changes(row, old) if old is not None else []
            if reason:
                lines.append(Line(reason, is_change=False))
        if lines:
            entries.append(Entry(row.history_date, _who(row), lines))
    return entries


def _sentence(text: str, row) -> Line:
    return Line(f"{text} ({_offset(row.offset_minutes)})", is_change=False)


def _changes(row, old) -> list[Line]:
    name = "S" + _name(old)[1:]
    return [
        Line(
            f"{name}: {LABELS.get(change.field, change.field.replace('_', ' '))}",
            _value(change.field, change.old),
            _value(change.field, change.new),
        )
        for change in row.diff_against(old).changes
    ]


def audiences_note(stage: RolloutStage, audiences) -> str:
    """The change reason when a stage's audiences change (many-to-many: not in its history rows)."""
    old = sorted(a.name for a in stage.audiences.all()) if stage.pk else []
    new = sorted(a.name for a in audiences)
    if not stage.pk or old == new:
        return ""
    default = "medium and high impact audiences"
    return f"Stage “{stage.get_kind_display()}”: audiences {', '.join(old) or default} → {', '.join(new) or default}"


def record_test_send(stage: RolloutStage, user, email: str) -> None:
    """A test send changes no stage, so it is a history row of its own (who, when, to which address)."""
    reason = f"Sent a test of stage “{stage.get_kind_display()}” to {email}"
    RolloutStage.history.bulk_history_create(
        [stage], update=True, default_user=user, default_change_reason=reason
    )
