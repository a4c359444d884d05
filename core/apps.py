"""core: the site frame every app plugs into, and nothing of the domain.

Holds the navigation and page-panel registries, the one Markdown sanitiser (`core.markup`), SQL
aggregate helpers, and `seed_demo` (which runs each app's `demo.seed` in INSTALLED_APPS order).
May import: Django and libraries only; never another CampaignHub app.
"""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
