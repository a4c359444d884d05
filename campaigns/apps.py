from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from campaigns import navigation, panels, roles, rollout
        from campaigns.models import Campaign
        from campaigns.rollout_views import rollout_panel_context

        navigation.register(navigation.NavItem("Home", "home", 0))
        navigation.register(navigation.NavItem("Audiences", "audience_list", 15, roles.can_manage_campaigns))
        navigation.register(navigation.NavItem("Campaigns", "campaign_list", 10, roles.can_manage_campaigns))
        # Every save (form, admin, API, seed) gets a default plan on create and a re-plan after.
        post_save.connect(rollout.plan_campaign, sender=Campaign, dispatch_uid="campaigns.rollout.plan")
        panels.register(panels.Panel("rollout", "campaigns/_rollout_panel.html", 50, rollout_panel_context))
