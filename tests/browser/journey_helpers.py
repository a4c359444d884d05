"""Small helpers shared by the journey tests."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

from tests.browser.conftest import tab_to


def local_input(dt) -> str:
    """A datetime-local value in Europe/London (the personas' zone)."""
    return timezone.localtime(dt, zoneinfo.ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


def choose(select, text: str) -> None:
    """Pick the option whose label contains `text` (labels may carry counts or roles)."""
    label = select.locator("option", has_text=text).first.text_content().strip()
    select.select_option(label=label)


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)
