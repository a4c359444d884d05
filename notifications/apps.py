"""notifications: the notification centre (bell, list, mark read) and notification emails.

Workflow events reach it through core.events (lower apps emit, this app subscribes) and overdue
sources; it decides who hears of each event, keeps one row per person and event, and emails those
who want email through Celery, with every attempt recorded on the row.

May import: every app below it (core, people, identity, campaigns, rollout, explainers, briefings, planning).
"""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from core import events
        from notifications import handlers, tick

        events.subscribe(handlers.on_event)
        events.register_overdue_source(tick.overdue_stages)
