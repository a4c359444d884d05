"""Engine test helpers and fixtures (fixtures re-exported by conftest.py): running campaigns, ticks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.models import Campaign, Impact
from conftest import add_impact, make_campaign, make_user
from rollout import dispatch, mailer
from rollout.models import Delivery, RolloutStage

GO_LIVE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def tick(now: datetime, *, sent_chunks: list | None = None) -> dispatch.TickReport:
    """One dispatch tick at `now`; email chunks are sent in-process (at `now`) into the locmem outbox."""

    def enqueue(ids: list[int]) -> None:
        if sent_chunks is not None:
            sent_chunks.append(ids)
        mailer.send_email_chunk(ids, now=now)

    return dispatch.dispatch_due(now, enqueue=enqueue)


def stage_of(campaign: Campaign, kind: str) -> RolloutStage:
    return campaign.stages.get(kind=kind)


def deliveries_of(stage: RolloutStage, **filters):
    return Delivery.objects.filter(stage=stage, **filters)


def make_running_campaign(owner, audience, *, go_live_at: datetime = GO_LIVE, **fields) -> Campaign:
    """An approved campaign (the default plan) with `audience` at high impact."""
    campaign = make_campaign(owner, go_live_at=go_live_at, **fields)
    add_impact(campaign, audience, Impact.Level.HIGH)
    campaign.status = Campaign.Status.APPROVED
    campaign.save(update_fields=["status"])
    return campaign


@pytest.fixture
def running(marketing, sales, employee) -> Campaign:
    """Mia's approved campaign, go-live 1 June 2026 09:00 UTC, high impact on Sales (Emma)."""
    return make_running_campaign(marketing, sales)


@pytest.fixture
def salesforce(sales):
    """Make n more Sales employees: salesforce(n) -> users."""

    def make(n: int, start: int = 0):
        return [
            make_user(f"seller{i}", department="Sales", time_zone="Europe/Paris")
            for i in range(start, start + n)
        ]

    return make


ONE_MINUTE = timedelta(minutes=1)
