"""Workflow events as a registry, so a lower app can say what happened without importing who listens.

An app emits where the thing happens: `events.emit(events.CAMPAIGN_SUBMITTED, campaign=c, actor=user)`.
notifications (the top app) subscribes in its AppConfig.ready() and decides who hears of it. Handlers
run in the emitter's transaction: they only write rows and defer any sending with on_commit.

Periodic checks ("a stage I own is overdue", and wip/workplan's "a deliverable I own is overdue") are
overdue sources: `register_overdue_source(fn)` where fn(now) returns OverdueItem values; the
notification tick calls each source and tells each owner once per item key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

CAMPAIGN_SUBMITTED = "campaign_submitted"  # campaign, actor
CAMPAIGN_APPROVED = "campaign_approved"  # campaign, actor, comment
CAMPAIGN_SENT_BACK = "campaign_sent_back"  # campaign, actor, comment
QUESTION_ASKED = "question_asked"  # campaign, actor, where (words), url, question
QUESTION_ANSWERED = "question_answered"  # campaign, actor, asker (a user or None), where, url, answer
BRIEFING_CHANGED = "briefing_changed"  # briefing, actor, change (words: "rescheduled", "cancelled")

Handler = Callable[..., None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    """handler(kind, **data) is called for every event emitted from now on."""
    if handler not in _handlers:
        _handlers.append(handler)


def unsubscribe(handler: Handler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def emit(kind: str, **data) -> None:
    for handler in list(_handlers):
        handler(kind, **data)


@dataclass(frozen=True)
class OverdueItem:
    """Something with an owner that is past its time: `key` is stable, so each owner is told once."""

    key: str
    owners: tuple  # users
    title: str
    url: str
    due_at: datetime


OverdueSource = Callable[[datetime], Iterable[OverdueItem]]
_overdue_sources: list[OverdueSource] = []


def register_overdue_source(source: OverdueSource) -> None:
    if source not in _overdue_sources:
        _overdue_sources.append(source)


def overdue_items(now: datetime) -> list[OverdueItem]:
    return [item for source in _overdue_sources for item in source(now)]
