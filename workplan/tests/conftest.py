"""Workplan personas and helpers: Mia (Content) owns the launch, Tess is on Content with her,
Omar is on Events (also on the launch), Dora is on Design (not on it), Ian is IC."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from campaigns.models import Campaign
from conftest import make_campaign, make_user
from people import roles
from people.models import MarcomTeam
from workplan.models import Deliverable, Workstream


def team(slug: str) -> MarcomTeam:
    return MarcomTeam.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").title()})[0]


def marketer(username: str, team_slug: str, first_name: str = "") -> User:
    user = make_user(
        username, group=roles.MARKETING, first_name=first_name or username.title(), department="Marketing"
    )
    team(team_slug).members.add(user)
    return user


def add_deliverable(campaign: Campaign, team_slug: str | None, title: str, **fields) -> Deliverable:
    workstream = Workstream.for_team(campaign, team(team_slug) if team_slug else None)
    defaults = {
        "type": Deliverable.Type.PRESS_RELEASE,
        "channel": Deliverable.Channel.PRESS,
        "offset_days": -7,
    }
    defaults.update(fields)
    return Deliverable.objects.create(workstream=workstream, title=title, **defaults)


@pytest.fixture
def team_marketing(db) -> User:
    """Tess, on Mia's Content team."""
    return marketer("tess", "content", "Tess")


@pytest.fixture
def outsider(db) -> User:
    """Dora, on Design, whose team is not on the launch: she cannot see it."""
    return marketer("dora", "design", "Dora")


@pytest.fixture
def launch(marketing, other_marketing) -> Campaign:
    """Mia's product launch in 30 days; Content (Mia's) and Events (Omar's) are on it."""
    campaign = make_campaign(marketing, title="Aurora launch", time_zone="Europe/London")
    campaign.teams.add(team("content"), team("events"))
    return campaign
