"""Who may open a campaign's uploaded files, without campaigns importing the apps that show them.

The campaign's managers (IC, the owner and their MARCOM teams: the campaign page's rule) always
may. Higher apps that show the files to others register a reader check in AppConfig.ready():
    register_reader(fn)  # fn(user, asset) -> bool, True when a page this person can open shows it
explainers registers "the campaign's explainer is published" (its page shows every asset to anyone
signed in, and never before the embargo lifts); briefings "the pack is released to this presenter".
Keep each check to one or two queries.
"""

from __future__ import annotations

from collections.abc import Callable

from campaigns.models import Asset, Campaign

_readers: list[Callable] = []


def register_reader(check: Callable) -> None:
    if check not in _readers:
        _readers.append(check)


def may_manage(user, asset: Asset) -> bool:
    return Campaign.objects.visible_to(user).filter(pk=asset.campaign_id).exists()


def may_open(user, asset: Asset) -> bool:
    return may_manage(user, asset) or any(check(user, asset) for check in _readers)
