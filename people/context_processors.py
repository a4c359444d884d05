"""Navigation context for every page: the person's role and what the menu offers them."""

from core.navigation import nav_items
from people import roles


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"role": roles.primary_role(user), "nav_items": nav_items(request)}
