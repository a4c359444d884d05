from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self) -> None:
        from campaigns import navigation, roles

        navigation.register(navigation.NavItem("Home", "home", 0))
        navigation.register(navigation.NavItem("Audiences", "audience_list", 15, roles.can_manage_campaigns))
        navigation.register(navigation.NavItem("Campaigns", "campaign_list", 10, roles.can_manage_campaigns))
