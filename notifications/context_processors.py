"""The bell in every page's header: the signed-in person's unread count, one query, only if shown."""

from __future__ import annotations

from django.utils.functional import cached_property

from notifications.models import Notification


class Bell:
    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return Notification.objects.for_user(self.user).unread().count()


def bell(request) -> dict:
    if not request.user.is_authenticated:
        return {}
    return {"bell": Bell(request.user)}
