"""Asking before a status move sends anything now, without campaigns importing rollout.

rollout registers one function in AppConfig.ready():
    register_send_check(fn)  # fn(campaign, action, *, confirmed) -> (action's result, plan)
where `plan` is false when nothing new goes out, else an object with `sends` and `skipped` that
templates/_sends_now.html shows (rollout.sending.SendPlan). The check runs the action and undoes it
when it would send something the person has not confirmed. With no check registered the action
simply runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_checks: list[Callable] = []


def register_send_check(fn: Callable) -> None:
    if fn not in _checks:
        _checks.append(fn)


def send_or_ask(campaign, action: Callable[[], Any], *, confirmed: bool) -> tuple[Any, Any]:
    """(action's result, None) when done; (None, plan) when it would send now and must be confirmed first."""
    if not _checks:
        return action(), None
    result, plan = _checks[0](campaign, action, confirmed=confirmed)
    return (None, plan) if plan else (result, None)
