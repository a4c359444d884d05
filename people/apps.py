"""people: employee profiles, MARCOM teams, roles and their permission helpers, audiences (rules
and lists), the employee import and its command, and each viewer's time zone.

May import: core. Knows nothing of campaigns.
"""

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "people"

    def ready(self) -> None:
        from core import navigation
        from people import roles

        navigation.register(navigation.NavItem("Audiences", "audience_list", 15, roles.can_manage_campaigns))
        # A flush (transactional and live-server tests) empties the groups the data migration made;
        # post_migrate runs after every flush, so the roles exist again for the next test.
        post_migrate.connect(ensure_role_groups, sender=self)
        connection_created.connect(add_sqlite_lower)


def add_sqlite_lower(sender, connection, **kwargs) -> None:
    """Audience rules compare Unicode lower case (people.models.Folded); SQLite's LOWER() is ASCII-only."""
    if connection.vendor == "sqlite":
        from people.models import SQLITE_LOWER, sqlite_lower

        connection.connection.create_function(SQLITE_LOWER, 1, sqlite_lower, deterministic=True)


def ensure_role_groups(sender, **kwargs) -> None:
    from django.contrib.auth.models import Group
    from django.utils.text import slugify

    from people import roles
    from people.models import MarcomTeam

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)
    for name in ("PR", "Content", "Design", "Events", "Social", "Media"):
        MarcomTeam.objects.get_or_create(slug=slugify(name), defaults={"name": name})
