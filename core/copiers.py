"""Copiers: what each app carries over when a campaign is duplicated, without campaigns importing it.

campaigns.duplicate makes the new draft and then calls every registered copier, in its transaction:
`register(fn)` in AppConfig.ready(), where fn(source, copy) copies that app's part (rollout: the plan's
stages, shifted to the copy's go-live). A copier copies what someone planned, never what happened
(deliveries, sent state, approvals, RSVPs).
"""

from __future__ import annotations

from collections.abc import Callable

Copier = Callable[..., None]  # fn(source: Campaign, copy: Campaign)
_copiers: list[Copier] = []


def register(copier: Copier) -> None:
    if copier not in _copiers:
        _copiers.append(copier)


def copy_all(source, copy) -> None:
    for copier in list(_copiers):
        copier(source, copy)
