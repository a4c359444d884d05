from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from campaigns import navigation, panels, roles, rollout
        from campaigns.employee_panels import explainer_panel
        from campaigns.models import Campaign, Delivery
        from campaigns.rollout_views import rollout_panel_context

        navigation.register(navigation.NavItem("Home", "home", 0))
        navigation.register(navigation.NavItem("Audiences", "audience_list", 15, roles.can_manage_campaigns))
        navigation.register(navigation.NavItem("Campaigns", "campaign_list", 10, roles.can_manage_campaigns))
        # Every save (form, admin, API, seed) gets a default plan on create and a re-plan after.
        post_save.connect(rollout.plan_campaign, sender=Campaign, dispatch_uid="campaigns.rollout.plan")
        panels.register(panels.Panel("rollout", "campaigns/_rollout_panel.html", 50, rollout_panel_context))
        navigation.register(
            navigation.NavItem(
                "Inbox",
                "inbox",
                20,
                badge=lambda user: Delivery.objects.in_app_for(user).unread().count() or None,
            )
        )
        navigation.register(navigation.NavItem("Explainers", "explainer_list", 25))
        panels.register(panels.Panel("explainer", "campaigns/_explainer_panel.html", 40, explainer_panel))
        # A flush (transactional and live-server tests) empties the groups the data migration made;
        # post_migrate runs after every flush, so the roles exist again for the next test.
        post_migrate.connect(ensure_role_groups, sender=self)


def ensure_role_groups(sender, **kwargs) -> None:
    from django.contrib.auth.models import Group
    from django.utils.text import slugify

    from campaigns import roles
    from campaigns.models import MarcomTeam

    for name in roles.ALL:
        Group.objects.get_or_create(name=name)
    for name in ("PR", "Content", "Design", "Events", "Social", "Media"):
        MarcomTeam.objects.get_or_create(slug=slugify(name), defaults={"name": name})
