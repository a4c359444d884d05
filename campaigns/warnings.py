"""Planning warnings for forms that schedule a send, without campaigns importing planning.

Another app registers a checker in AppConfig.ready():
    register_conflict_checker(fn)  # fn(audiences, send_at, *, exclude=None, campaign=None) -> list[Conflict]

A form that plans or moves something (a stage, a briefing, a comms item) mixes in
ConflictWarningMixin and calls `self.check_conflicts(...)` from `clean()`. When there are warnings
and the person has not ticked "save anyway", the form is invalid with a message; the template shows
`form.conflicts` through `{% include "_conflicts.html" %}` and the tick box.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django import forms


@dataclass(frozen=True)
class ConflictItem:
    """Something already planned that the new send collides with."""

    label: str
    at: datetime
    url: str = ""


@dataclass(frozen=True)
class Conflict:
    kind: str  # "cap" (the audience's weekly cap would be exceeded) or "collision" (within 24 hours)
    audience: str
    message: str
    items: tuple[ConflictItem, ...] = field(default_factory=tuple)


_checkers: list[Callable] = []


def register_conflict_checker(fn: Callable) -> None:
    if fn not in _checkers:
        _checkers.append(fn)


def conflicts_for(
    audiences: Iterable, send_at: datetime | None, *, exclude=None, campaign=None
) -> list[Conflict]:
    """Every registered checker's warnings for sending to `audiences` at `send_at`."""
    audiences = list(audiences or [])
    if send_at is None or not audiences:
        return []
    found: list[Conflict] = []
    for checker in _checkers:
        found.extend(checker(audiences, send_at, exclude=exclude, campaign=campaign))
    return found


class ConflictWarningMixin(forms.Form):
    """Warn before saving: invalid until the person confirms, once warnings exist."""

    confirm_conflicts = forms.BooleanField(
        required=False, label="Save anyway: I have read these warnings and still want this time"
    )

    def check_conflicts(self, audiences, send_at, *, exclude=None, campaign=None) -> list[Conflict]:
        self.conflicts = conflicts_for(audiences, send_at, exclude=exclude, campaign=campaign)
        if self.conflicts and not self.cleaned_data.get("confirm_conflicts"):
            self.add_error(
                None,
                "This would overload an audience or collide with another send (see the warnings). "
                "Change the time or audiences, or tick “Save anyway”.",
            )
        return self.conflicts

    @property
    def has_conflicts(self) -> bool:
        return bool(getattr(self, "conflicts", None))
