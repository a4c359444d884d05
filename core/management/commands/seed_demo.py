"""manage.py seed_demo: idempotent demo data from every app that has a `demo` module.

Each installed app may provide `<app>/demo.py` with `seed(stdout)`; they run in INSTALLED_APPS
order (campaigns before briefings, so later apps can build on the demo campaigns). Each seed must
be idempotent: running the command twice creates nothing the second time.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule


def demo_modules() -> list:
    """The `demo` modules of installed apps, in INSTALLED_APPS order."""
    return [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "demo")
    ]


class Command(BaseCommand):
    help = "Create the demo accounts and data (idempotent; password campaignhub-demo)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            for module in demo_modules():
                self.stdout.write(f"== {module.__name__}")
                module.seed(self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Sign in as marketing, ic, presenter, employee or admin.")
        )
