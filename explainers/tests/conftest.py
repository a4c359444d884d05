"""Fixtures for the employee experience: sent announcements and explainers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from explainers.models import Explainer
from people.models import EmployeeProfile
from rollout.models import Delivery, RolloutStage


def make_stage(campaign: Campaign, *, kind=RolloutStage.Kind.EARLY_WARNING, offset_days=-14, **fields):
    defaults = {
        "subject": "Heads up, {{ first_name }}: {{ campaign_title }}",
        "body": "{{ concept }}\n\nMore detail on {{ embargo_until }}.",
        "channels": [EmployeeProfile.Channel.IN_APP],
        "offset_minutes": offset_days * 24 * 60,
    }
    defaults.update(fields)
    stage = RolloutStage(campaign=campaign, kind=kind, **defaults)
    stage.send_at = stage.compute_send_at()
    stage.state = RolloutStage.State.SENT
    stage.save()
    return stage


def deliver(stage: RolloutStage, user, *, channel=EmployeeProfile.Channel.IN_APP, sent_at=None) -> Delivery:
    return Delivery.objects.create(
        stage=stage,
        recipient=user,
        channel=channel,
        status=Delivery.Status.SENT,
        sent_at=sent_at or timezone.now(),
    )


@pytest.fixture
def approved_campaign(campaign) -> Campaign:
    campaign.status = Campaign.Status.APPROVED
    campaign.save(update_fields=["status"])
    return campaign


@pytest.fixture
def warning(approved_campaign, employee) -> Delivery:
    """Emma's in-app early warning for the approved campaign."""
    return deliver(make_stage(approved_campaign), employee)


@pytest.fixture
def explainer(approved_campaign, sales, support) -> Explainer:
    """A ready explainer that publishes when the embargo lifts (30 days from now)."""
    e = Explainer.objects.create(
        campaign=approved_campaign,
        slug=approved_campaign.slug,
        what_and_why="We are **lowering rates** for families.",
        behaviours="Tell customers about the new rate.",
        training="- [Rates course](https://learn.example.com/rates)",
        faq="## Does it apply to existing customers?\n\nNo.",
        publishes_at_embargo=True,
    )
    e.variants.create(audience=sales, body="Sales: explain the new rate at every review.")
    e.variants.create(audience=support, body="Support: point callers to the FAQ.")
    e.scenarios.create(position=1, situation="A customer asks if their rate changes", response="You say no.")
    return e


def lift_embargo(campaign: Campaign) -> None:
    """Move the embargo into the past (the campaign keeps going live later)."""
    campaign.embargo_until = timezone.now() - timedelta(minutes=1)
    campaign.save(update_fields=["embargo_until"])
