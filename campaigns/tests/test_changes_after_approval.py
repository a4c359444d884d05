"""Marketing's changes to an approved campaign go back to IC for review, with the reason recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.history import campaign_history
from campaigns.models import Campaign, Impact
from campaigns.tests.conftest import edit_post_data, local_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(campaign) -> Campaign:
    campaign.status = Campaign.Status.APPROVED
    campaign.save(update_fields=["status"])
    return campaign


def _edit(client, campaign: Campaign, **changes):
    response = client.post(
        f"/campaigns/{campaign.pk}/edit/", edit_post_data(campaign, **changes), follow=True
    )
    campaign.refresh_from_db()
    return response


def _reasons(campaign: Campaign) -> list[str]:
    return [line.label for line in campaign_history(campaign)[0].lines if not line.is_change]


def test_marketing_editing_approved_go_live_sends_it_back_for_review(client_for, marketing, approved):
    response = _edit(
        client_for(marketing), approved, go_live_at=local_input(approved.go_live_at + timedelta(days=2))
    )
    assert approved.status == Campaign.Status.SUBMITTED
    assert any("Go-live" in reason and "back to IC for review" in reason for reason in _reasons(approved))
    assert "goes back to IC for review" in response.content.decode()


def test_marketing_changing_approved_audiences_sends_it_back_for_review(client_for, marketing, approved):
    _edit(client_for(marketing), approved, **{"impacts-0-level": Impact.Level.LOW})
    assert approved.status == Campaign.Status.SUBMITTED
    assert any("Audiences" in reason for reason in _reasons(approved))


def test_marketing_editing_approved_details_sends_it_back_for_review(client_for, marketing, approved):
    _edit(client_for(marketing), approved, details="Rates drop to 1.7% instead.")
    assert approved.status == Campaign.Status.SUBMITTED


def test_unchanged_save_keeps_the_campaign_approved(client_for, marketing, approved):
    _edit(client_for(marketing), approved)
    assert approved.status == Campaign.Status.APPROVED


def test_ic_editing_an_approved_campaign_keeps_it_approved(client_for, ic, approved):
    _edit(client_for(ic), approved, details="IC tightened the wording.")
    assert approved.status == Campaign.Status.APPROVED


def test_marketing_changing_approved_go_live_through_the_api_sends_it_back_for_review(
    client_for, marketing, approved
):
    url = f"/api/v1/campaigns/{approved.pk}/"
    new_go_live = (approved.go_live_at + timedelta(days=2)).isoformat()
    response = client_for(marketing).patch(url, {"go_live_at": new_go_live}, content_type="application/json")
    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.status == Campaign.Status.SUBMITTED
    assert any("Go-live" in reason and "back to IC for review" in reason for reason in _reasons(approved))


def test_marketing_changing_only_channels_through_the_api_keeps_it_approved(client_for, marketing, approved):
    url = f"/api/v1/campaigns/{approved.pk}/"
    response = client_for(marketing).patch(
        url, {"external_channels": ["press"]}, content_type="application/json"
    )
    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.status == Campaign.Status.APPROVED
