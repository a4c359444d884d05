"""planning: IC's views across campaigns: the comms calendar, audience load and caps, readiness,
other comms items and the weekly digest.

May import: every app below it (core, people, campaigns, rollout, explainers, briefings).
"""

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "planning"

    def ready(self) -> None:
        from campaigns import warnings
        from core import navigation, panels
        from people import roles
        from planning import conflicts, homes, views

        navigation.register(navigation.NavItem("Calendar", "calendar", 40, roles.can_manage_campaigns))
        panels.register(
            panels.Panel("planning-warnings", "planning/_warnings_panel.html", 65, views.warnings_panel)
        )
        panels.register(
            panels.Panel(
                "readiness", "planning/_readiness_panel.html", 70, views.readiness_panel, "Readiness"
            )
        )
        panels.register(
            panels.Panel("readiness", "planning/_readiness_summary.html", 10, views.readiness_panel),
            page=panels.SUMMARY,
        )
        for key, order, context in (
            ("my-campaigns", 10, homes.my_campaigns_panel),
            ("next-go-lives", 20, homes.next_go_lives_panel),
            ("load-warnings", 30, homes.load_warnings_panel),
        ):
            panels.register(panels.Panel(key, f"planning/_home_{key}.html", order, context), page=panels.HOME)
        warnings.register_conflict_checker(conflicts.conflicts_for)
