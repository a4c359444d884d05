"""The main menu as a registry, so each app adds its own entries without campaigns importing it.

An app registers in its AppConfig.ready(): `register(NavItem(...))`. `badge` may return a number
shown next to the label (the inbox's unread count); it must cost at most one query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    is_visible: Callable = lambda user: True
    badge: Callable | None = None


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)
        _items.sort(key=lambda i: i.order)


def nav_items(request) -> list[dict]:
    user = request.user
    items = []
    for item in _items:
        if not item.is_visible(user):
            continue
        url = reverse(item.url_name)
        items.append(
            {
                "label": item.label,
                "url": url,
                "is_current": request.path == url or (url != "/" and request.path.startswith(url)),
                "badge": item.badge(user) if item.badge else None,
            }
        )
    return items
