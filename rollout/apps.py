"""rollout: the internal rollout plan and the engine that sends it: stages, deliveries, the
re-planning rules, dispatch, the message composer, Celery tasks, the timeline pages, `dispatch_due`.

May import: core, people, identity (the unsubscribe link on announcement emails), campaigns.
"""

from django.apps import AppConfig


class RolloutConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rollout"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from campaigns import confirmations
        from campaigns import history as campaign_history
        from campaigns.models import Campaign
        from core import copiers, panels
        from rollout import plan, sending
        from rollout.history import stage_entries
        from rollout.views import rollout_panel_context

        # Every save (form, admin, API, seed) gets a default plan on create and a re-plan after.
        post_save.connect(plan.plan_campaign, sender=Campaign, dispatch_uid="rollout.plan.plan_campaign")
        panels.register(
            panels.Panel("rollout", "rollout/_rollout_panel.html", 50, rollout_panel_context, "Rollout")
        )
        confirmations.register_send_check(sending.send_or_ask)
        copiers.register(plan.copy_plan)
        campaign_history.register_source(stage_entries)
