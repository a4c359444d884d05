from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self) -> None:
        from campaigns import navigation, panels, roles
        from campaigns.employee_panels import explainer_panel
        from campaigns.models import Delivery

        navigation.register(navigation.NavItem("Home", "home", 0))
        navigation.register(navigation.NavItem("Campaigns", "campaign_list", 10, roles.can_manage_campaigns))
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
