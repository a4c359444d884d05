"""What every signed-in page costs before its own content, so pinned counts survive new menu badges.

Each page pins `layout_queries(user) + N`, where N is what the page itself fetches. Other apps add
menu items with badges (one query each, by contract), which changes the layout cost for everyone but
not N. The header's notification bell adds one more.
"""

from django.contrib.auth.models import User
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from notifications.context_processors import bell
from people.context_processors import navigation

SESSION_USER_PROFILE = 3  # session row, user row, profile (the time-zone middleware)


def layout_queries(user: User) -> int:
    request = RequestFactory().get("/")
    # As the middleware leaves it: user and profile loaded, roles not yet asked for.
    request.user = User.objects.select_related("profile").get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        navigation(request)
        assert bell(request)["bell"].unread >= 0  # the header's notification bell: one query
    return SESSION_USER_PROFILE + len(queries)
