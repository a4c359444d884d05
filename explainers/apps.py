"""explainers: what employees read: their inbox of announcements, and explainers with per-audience
parts, scenarios, reads, helpfulness and questions, and the employee API.

May import: core, people, campaigns, rollout.
"""

from django.apps import AppConfig


class ExplainersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "explainers"

    def ready(self) -> None:
        from campaigns import asset_access, asset_uses
        from core import navigation, panels
        from explainers import faq
        from explainers.models import answered_questions, explainer_shows_asset, explainer_uses
        from explainers.panels import explainer_panel, explainers_home_panel, inbox_home_panel
        from rollout.models import Delivery

        navigation.register(
            navigation.NavItem(
                "Inbox",
                "inbox",
                20,
                badge=lambda user: Delivery.objects.in_app_for(user).unread().count() or None,
            )
        )
        navigation.register(navigation.NavItem("Explainers", "explainer_list", 25))
        panels.register(
            panels.Panel("explainer", "explainers/_explainer_panel.html", 40, explainer_panel, "Explainer")
        )
        panels.register(
            panels.Panel("inbox", "explainers/_home_inbox.html", 20, inbox_home_panel), page=panels.HOME
        )
        panels.register(
            panels.Panel("explainers", "explainers/_home_explainers.html", 40, explainers_home_panel),
            page=panels.HOME,
        )
        asset_access.register_reader(explainer_shows_asset)  # its page shows the campaign's assets
        asset_uses.register_use_finder(explainer_uses)  # assets picked from the library
        faq.register_faq_source(answered_questions)  # answered explainer questions, before briefings' ones
