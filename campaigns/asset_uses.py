"""Where an asset is used, without campaigns importing the apps that reuse it.

campaigns itself knows the origin campaign and the campaigns that reuse it. Higher apps that
reuse assets register a finder in AppConfig.ready():
    register_use_finder(fn)  # fn(asset) -> iterable of Use, one query or two
explainers registers "picked on an explainer", briefings "picked in a briefing pack", and a
workplan app may register its deliverables the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from campaigns.models import Asset, Campaign


@dataclass(frozen=True)
class Use:
    place: str  # "Origin campaign", "Campaign", "Explainer", "Briefing pack", ...
    title: str
    url: str  # a page for marketing and IC; "" when there is none
    embargo_until: datetime | None  # the embargo of the place it is shown, if it has one

    def shown_from(self, asset: Asset) -> datetime:
        """The earliest an employee (or a presenter) sees the asset here: both embargoes lifted."""
        return max(asset.embargo_until, self.embargo_until or asset.embargo_until)


_finders: list[Callable[[Asset], Iterable[Use]]] = []


def register_use_finder(finder: Callable[[Asset], Iterable[Use]]) -> None:
    if finder not in _finders:
        _finders.append(finder)


def _campaign_use(place: str, campaign: Campaign) -> Use:
    return Use(place, campaign.title, campaign.get_absolute_url(), campaign.embargo_until)


def uses_of(asset: Asset) -> list[tuple[Use, datetime]]:
    """Every place the asset shows: its origin campaign first, then reuses, then higher apps' places.

    Each comes with the time from which that place may show it: both embargoes lifted.
    """
    uses = [_campaign_use("Origin campaign", asset.campaign)]
    reusing = Campaign.objects.filter(asset_reuses__asset=asset).order_by("go_live_at", "pk")
    uses += [_campaign_use("Campaign", campaign) for campaign in reusing]
    for finder in _finders:
        uses.extend(finder(asset))
    return [(use, use.shown_from(asset)) for use in uses]
