"""workplan: the MARCOM side of a campaign: the campaign brief every team works from, each team's
workstream of deliverables on a workback schedule from go-live, duplicate-effort detection across
teams and overlapping campaigns, the workplan and "My work" pages and their API.

May import: core, people, identity, campaigns, rollout, explainers, briefings. Planning (above it)
reads deliverables for the calendar and the weekly digest.
"""

from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workplan"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from campaigns.models import Campaign
        from core import navigation, panels
        from workplan import schedule, views

        # A go-live move (form, admin, API) moves every deliverable's due date with it.
        post_save.connect(
            schedule.follow_go_live, sender=Campaign, dispatch_uid="workplan.schedule.follow_go_live"
        )
        panels.register(panels.Panel("workplan", "workplan/_workplan_panel.html", 45, views.workplan_panel))
        navigation.register(navigation.NavItem("My work", "my_work", 35, views.sees_workplans))
