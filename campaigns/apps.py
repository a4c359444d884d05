"""campaigns: a campaign and what marketing logs: concept, details and embargo, go-live, channels,
key messages, impacts on audiences, assets, status moves, change history, the intake pages, the
role home pages, the health check and the campaigns API.

May import: core, people.
"""

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self) -> None:
        from campaigns.views import audience_impacts_panel, review_queue_panel
        from core import navigation, panels
        from people import roles

        navigation.register(navigation.NavItem("Home", "home", 0))
        navigation.register(navigation.NavItem("Campaigns", "campaign_list", 10, roles.can_manage_campaigns))
        navigation.register(navigation.NavItem("Assets", "asset_library", 12, roles.can_manage_campaigns))
        panels.register(
            panels.Panel("impacts", "campaigns/_audience_impacts.html", 10, audience_impacts_panel),
            page=panels.AUDIENCE,
        )
        panels.register(
            panels.Panel("review-queue", "campaigns/_home_review_queue.html", 10, review_queue_panel),
            page=panels.HOME,
        )
