"""Planning fixtures: stages, briefings and comms items placed at exact times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from briefings.models import Briefing
from campaigns.models import Campaign
from conftest import make_campaign
from planning.models import CommsItem
from rollout.models import RolloutStage


def make_stage(campaign: Campaign, send_at: datetime, audiences, *, kind=RolloutStage.Kind.CUSTOM, **fields):
    offset = int((send_at - campaign.go_live_at).total_seconds() // 60)
    stage = RolloutStage.objects.create(
        campaign=campaign,
        kind=kind,
        offset_minutes=offset,
        send_at=send_at,
        channels=fields.pop("channels", ["in_app"]),
        subject=fields.pop("subject", f"{kind} for {campaign.title}"),
        body="Body",
        **fields,
    )
    stage.audiences.set(audiences)
    return stage


def make_briefing(campaign: Campaign, starts_at: datetime, audiences, **fields) -> Briefing:
    briefing = Briefing.objects.create(
        campaign=campaign,
        title=fields.pop("title", f"Briefing on {campaign.title}"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        **fields,
    )
    briefing.audiences.set(audiences)
    return briefing


def make_comms(starts_at: datetime, audiences, title: str = "CEO town hall", **fields) -> CommsItem:
    item = CommsItem.objects.create(title=title, starts_at=starts_at, **fields)
    item.audiences.set(audiences)
    return item


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def other_campaign(other_marketing, sales):
    """Omar's approved campaign, embargoed until its go-live in 20 days."""
    return make_campaign(
        other_marketing,
        title="Secret Summer Launch",
        go_live_in=timedelta(days=20),
        status=Campaign.Status.APPROVED,
        concept="Something sunny is coming.",
        details="Free flights for every customer.",
    )


@pytest.fixture
def make_ny_ic(db):
    from conftest import make_user

    return make_user("nia", group="IC", first_name="Nia", time_zone="America/New_York")
