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
        from planning import conflicts, views

        navigation.register(navigation.NavItem("Calendar", "calendar", 40, roles.can_manage_campaigns))
        panels.register(
            panels.Panel("planning-warnings", "planning/_warnings_panel.html", 65, views.warnings_panel)
        )
        panels.register(
            panels.Panel("readiness", "planning/_readiness_panel.html", 70, views.readiness_panel)
        )
        warnings.register_conflict_checker(conflicts.conflicts_for)
