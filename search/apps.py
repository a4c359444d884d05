"""search: one box that finds campaigns, explainers, briefings, audiences and people, each as the
signed-in person may see them (roles, objects and the embargo, through the lower apps' own rules).

May import: every app below it. Nothing imports it; it adds "Search" to the main menu.
"""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self) -> None:
        from core import navigation

        navigation.register(navigation.NavItem("Search", "search", 90))
