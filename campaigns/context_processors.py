"""Navigation context for every page: the person's role and what the menu offers them."""

from campaigns import roles
from campaigns.navigation import nav_items


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"role": roles.primary_role(user), "nav_items": nav_items(request)}
