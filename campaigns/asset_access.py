"""Who may open a campaign's uploaded files, without campaigns importing the apps that show them.

Those who may see it in the asset library always may (Asset.objects.visible_to: IC; marketing for
the campaigns they manage, including assets reused into them, and every released asset). Higher apps that show the files to others register a reader check in AppConfig.ready():
    register_reader(fn)  # fn(user, asset) -> bool, True when a page this person can open shows it
explainers registers "a published explainer shows it, and it is released" (its page shows its
assets to anyone signed in, never before the asset's own embargo lifts); briefings "a pack that
shows it is released to this presenter".
Keep each check to one or two queries.
"""

from __future__ import annotations

from collections.abc import Callable

from campaigns.models import Asset

_readers: list[Callable] = []


def register_reader(check: Callable) -> None:
    if check not in _readers:
        _readers.append(check)


def may_manage(user, asset: Asset) -> bool:
    return Asset.objects.visible_to(user).filter(pk=asset.pk).exists()


def may_open(user, asset: Asset) -> bool:
    return may_manage(user, asset) or any(check(user, asset) for check in _readers)
