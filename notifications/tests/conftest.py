"""Notification fixtures: a content-team colleague of Mia's, a briefing Pat presents, helpers to read what people got."""

from __future__ import annotations

import pytest

from briefings.tests.conftest import make_briefing
from conftest import make_user
from notifications.models import Notification
from people import roles
from people.models import MarcomTeam
from tests.browser.conftest import browser, page  # noqa: F401  (Playwright fixtures for the journey)


def told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def who_was_told() -> set[str]:
    return set(Notification.objects.values_list("recipient__username", flat=True))


@pytest.fixture
def teammate(db):
    """Tom, on Mia's content team: co-edits her campaigns, hears what she hears."""
    user = make_user("tom", group=roles.MARKETING, first_name="Tom")
    MarcomTeam.objects.get(slug="content").members.add(user)
    return user


@pytest.fixture
def team_campaign(campaign):
    campaign.teams.add(MarcomTeam.objects.get(slug="content"))
    return campaign


@pytest.fixture
def briefing(campaign, presenter, sales):
    return make_briefing(campaign, presenter=presenter, audiences=[sales])
