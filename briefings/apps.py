"""briefings: team briefings for go-live: sessions, packs, invitations and RSVPs, attendance,
feedback, calendar files and secret calendar feeds.

May import: core, people, campaigns, rollout, explainers (it fills explainers.faq and the
composer's attachment providers).
"""

from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "briefings"

    def ready(self) -> None:
        from briefings.models import faq_pairs, pack_shows_asset, pack_uses
        from briefings.navigation import pending_answers
        from briefings.notices import invitation_attachments
        from briefings.panels import (
            coverage_panel,
            my_briefings_home_panel,
            presenter_home_panel,
            timeline_marks,
        )
        from campaigns import asset_access, asset_uses
        from core import navigation, panels
        from explainers import faq
        from rollout import composer, timeline

        navigation.register(navigation.NavItem("Briefings", "briefing_list", 30, badge=pending_answers))
        panels.register(
            panels.Panel(
                "briefing_coverage", "briefings/_coverage_panel.html", 60, coverage_panel, "Briefings"
            )
        )
        panels.register(
            panels.Panel("presenter", "briefings/_home_presenter.html", 5, presenter_home_panel),
            page=panels.HOME,
        )
        panels.register(
            panels.Panel("my-briefings", "briefings/_home_briefings.html", 30, my_briefings_home_panel),
            page=panels.HOME,
        )
        timeline.register_lane(timeline.Lane("briefings", "Briefings", 10, timeline_marks))
        composer.register_attachment_provider(invitation_attachments)
        faq.register_faq_source(faq_pairs)
        asset_access.register_reader(pack_shows_asset)  # the pack lists the campaign's assets
        asset_uses.register_use_finder(pack_uses)  # assets picked from the library
