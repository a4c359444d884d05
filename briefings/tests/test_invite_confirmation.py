"""Inviting a running campaign's audiences sends the invitation at the next tick: the page asks first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from briefings.models import Invitation
from campaigns.models import Campaign
from rollout.models import RolloutStage

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_briefing(briefing):
    """The campaign is approved and IC removed its planned invitation: inviting adds one that goes now."""
    briefing.campaign.status = Campaign.Status.APPROVED
    briefing.campaign.save(update_fields=["status"])
    briefing.campaign.stages.filter(kind=RolloutStage.Kind.BRIEFING_INVITATION).delete()
    return briefing


def test_inviting_audiences_of_a_running_campaign_asks_first(client_for, ic, approved_briefing, employee):
    url = reverse("briefing_invite", args=[approved_briefing.pk])
    response = client_for(ic).post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sends now: Briefing invitation to " in page
    assert "in-app and email" in page
    assert f'href="{approved_briefing.get_absolute_url()}"' in page  # Cancel
    assert not Invitation.objects.exists()
    assert not RolloutStage.objects.filter(briefing__isnull=False).exists()


def test_inviting_audiences_with_confirm_invites(client_for, ic, approved_briefing, employee):
    url = reverse("briefing_invite", args=[approved_briefing.pk])
    assert client_for(ic).post(url, {"confirm": "1"}).status_code == 302
    assert Invitation.objects.filter(user=employee).exists()


def test_inviting_audiences_of_a_draft_campaign_does_not_ask(client_for, ic, briefing, employee):
    assert client_for(ic).post(reverse("briefing_invite", args=[briefing.pk])).status_code == 302
    assert Invitation.objects.filter(user=employee).exists()


def test_inviting_into_the_plans_future_invitation_stage_does_not_ask(client_for, ic, briefing, employee):
    """The plan's own invitation stage is a week before go-live: filling it sends nothing now."""
    briefing.campaign.status = Campaign.Status.APPROVED
    briefing.campaign.save(update_fields=["status"])
    assert client_for(ic).post(reverse("briefing_invite", args=[briefing.pk])).status_code == 302
    assert Invitation.objects.filter(user=employee).exists()
