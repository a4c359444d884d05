"""Fixtures for the campaign pages: valid form data to start from, and more personas."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from campaigns.models import Campaign
from conftest import make_user
from people import roles
from people.models import MarcomTeam


def local_input(dt) -> str:
    """A datetime as a datetime-local input value in the active zone."""
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def key_message_rows(texts: list[str], *, initial: int = 0) -> dict:
    """The key messages formset as a browser posts it: one row per message."""
    data = {"messages-TOTAL_FORMS": str(len(texts)), "messages-INITIAL_FORMS": str(initial)}
    data.update({f"messages-{i}-text": text for i, text in enumerate(texts)})
    return data


def campaign_post_data(**overrides) -> dict:
    """What a browser posts for a valid new campaign with no audiences and no assets."""
    go_live = timezone.now() + timedelta(days=20)
    data = {
        "title": "Summer Switch",
        "concept": "Switching made simple.",
        "details": "Free switching until August.",
        "objectives": "10k switches",
        "go_live_at": local_input(go_live),
        "embargo_until": "",
        **key_message_rows(["Switching is free", "It takes five minutes"]),
        "external_channels": ["social", "press"],
        "impacts-TOTAL_FORMS": "0",
        "impacts-INITIAL_FORMS": "0",
        "assets-TOTAL_FORMS": "0",
        "assets-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def edit_post_data(campaign: Campaign, **overrides) -> dict:
    """What the edit page posts back unchanged for this campaign (impacts and assets included)."""
    data = {
        "title": campaign.title,
        "concept": campaign.concept,
        "details": campaign.details,
        "objectives": campaign.objectives,
        "go_live_at": local_input(campaign.go_live_at),
        "embargo_until": ""
        if campaign.embargo_until == campaign.go_live_at
        else local_input(campaign.embargo_until),
        **key_message_rows(campaign.ordered_key_messages(), initial=len(campaign.ordered_key_messages())),
        "external_channels": list(campaign.external_channels),
        "teams": [t.pk for t in campaign.teams.all()],
        "version": campaign.updated_at.isoformat(),
    }
    if campaign.is_go_live_tentative:
        data["is_go_live_tentative"] = "on"
    impacts = list(campaign.impacts.all())
    data.update({"impacts-TOTAL_FORMS": str(len(impacts)), "impacts-INITIAL_FORMS": str(len(impacts))})
    for i, impact in enumerate(impacts):
        data.update(
            {
                f"impacts-{i}-id": impact.pk,
                f"impacts-{i}-audience": impact.audience_id,
                f"impacts-{i}-level": impact.level,
                f"impacts-{i}-what_changes": impact.what_changes,
                f"impacts-{i}-what_to_do": impact.what_to_do,
            }
        )
    assets = list(campaign.assets.all())
    data.update({"assets-TOTAL_FORMS": str(len(assets)), "assets-INITIAL_FORMS": str(len(assets))})
    for i, asset in enumerate(assets):
        data.update(
            {f"assets-{i}-id": asset.pk, f"assets-{i}-caption": asset.caption, f"assets-{i}-url": asset.url}
        )
    data.update(overrides)
    return data


@pytest.fixture
def team_marketing(db) -> User:
    """Tess, a marketer on Mia's team (Content): co-edits the campaigns of that team."""
    user = make_user("tess", group=roles.MARKETING, first_name="Tess", department="Marketing")
    MarcomTeam.objects.get(slug="content").members.add(user)
    return user


@pytest.fixture
def superuser(db) -> User:
    user = make_user("root", first_name="Ada")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


@pytest.fixture
def team_campaign(campaign) -> Campaign:
    """Mia's campaign, with her Content team on it."""
    campaign.teams.add(MarcomTeam.objects.get(slug="content"))
    return campaign
