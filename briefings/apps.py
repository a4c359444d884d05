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
        from briefings import admin_extra  # noqa: F401  (admin for the models this app added)
        from briefings.navigation import pending_answers
        from briefings.notices import invitation_attachments
        from briefings.panels import coverage_panel
        from core import navigation, panels

        navigation.register(navigation.NavItem("Briefings", "briefing_list", 30, badge=pending_answers))
        panels.register(
            panels.Panel("briefing_coverage", "briefings/_coverage_panel.html", 60, coverage_panel)
        )
        try:
            from rollout import composer
        except ImportError:  # the engine's composer is not merged yet: invitations go out without the .ics
            composer = None
        if composer is not None and hasattr(composer, "register_attachment_provider"):
            composer.register_attachment_provider(invitation_attachments)
        try:
            from explainers import faq
        except ImportError:  # the employee area's explainer FAQ registry is not merged yet
            faq = None
        if faq is not None and hasattr(faq, "register_faq_source"):
            from briefings.models import faq_pairs

            faq.register_faq_source(faq_pairs)
