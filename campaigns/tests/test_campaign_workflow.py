"""Status moves: draft → submitted → approved → live → closed, or cancelled before live."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def _move(client, campaign: Campaign, action: str, **data):
    return client.post(f"/campaigns/{campaign.pk}/{action}/", data, follow=True)


def _set_status(campaign: Campaign, status: str) -> Campaign:
    campaign.status = status
    campaign.save(update_fields=["status"])
    return campaign


def test_owner_submits_a_draft_to_ic(client_for, marketing, campaign):
    response = _move(client_for(marketing), campaign, "submit")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SUBMITTED
    assert "now submitted to ic" in response.content.decode().lower()


def test_ic_approves_with_a_comment(client_for, ic, campaign):
    _set_status(campaign, Campaign.Status.SUBMITTED)
    _move(client_for(ic), campaign, "approve", comment="Good plan")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.APPROVED
    assert campaign.review_comment == "Good plan"


def test_ic_sends_back_with_a_comment(client_for, ic, campaign):
    _set_status(campaign, Campaign.Status.SUBMITTED)
    response = _move(client_for(ic), campaign, "send-back", comment="Name fewer audiences")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.review_comment == "Name fewer audiences"
    assert "Name fewer audiences" in response.content.decode()


def test_sending_back_without_a_comment_is_refused(client_for, ic, campaign):
    _set_status(campaign, Campaign.Status.SUBMITTED)
    response = _move(client_for(ic), campaign, "send-back", comment="  ")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SUBMITTED
    assert "comment is required" in response.content.decode()


def test_ic_takes_an_approved_campaign_live_then_closes_it(client_for, ic, campaign):
    _set_status(campaign, Campaign.Status.APPROVED)
    client = client_for(ic)
    _move(client, campaign, "go-live")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.LIVE
    _move(client, campaign, "close")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED


def test_owner_cancels_before_live(client_for, marketing, campaign):
    _move(client_for(marketing), campaign, "cancel")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED


def test_illegal_move_shows_a_clear_message_not_a_500(client_for, ic, campaign):
    response = _move(client_for(ic), campaign, "close")  # a draft cannot be closed
    campaign.refresh_from_db()
    assert response.status_code == 200
    assert campaign.status == Campaign.Status.DRAFT
    assert "A draft campaign cannot move to “closed”" in response.content.decode()


def test_live_campaign_can_not_be_cancelled(client_for, ic, campaign):
    _set_status(campaign, Campaign.Status.LIVE)
    response = _move(client_for(ic), campaign, "cancel")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.LIVE
    assert "cannot move to “cancelled”" in response.content.decode()


def test_unknown_action_is_not_found(client_for, ic, campaign):
    assert client_for(ic).post(f"/campaigns/{campaign.pk}/explode/").status_code == 404


def test_status_actions_refuse_get(client_for, ic, campaign):
    assert client_for(ic).get(f"/campaigns/{campaign.pk}/submit/").status_code == 405


def test_marketing_can_not_approve(client_for, marketing, campaign):
    _set_status(campaign, Campaign.Status.SUBMITTED)
    response = client_for(marketing).post(f"/campaigns/{campaign.pk}/approve/")
    campaign.refresh_from_db()
    assert response.status_code == 403
    assert campaign.status == Campaign.Status.SUBMITTED


def test_page_offers_only_allowed_moves_to_marketing(client_for, marketing, campaign):
    html = client_for(marketing).get(campaign.get_absolute_url()).content.decode()
    assert f"/campaigns/{campaign.pk}/submit/" in html
    assert f"/campaigns/{campaign.pk}/cancel/" in html
    assert f"/campaigns/{campaign.pk}/approve/" not in html
    assert f"/campaigns/{campaign.pk}/close/" not in html


def test_page_offers_review_moves_to_ic(client_for, ic, campaign):
    _set_status(campaign, Campaign.Status.SUBMITTED)
    html = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    assert f"/campaigns/{campaign.pk}/approve/" in html
    assert f"/campaigns/{campaign.pk}/send-back/" in html
    assert f"/campaigns/{campaign.pk}/submit/" not in html


def test_closed_campaign_offers_no_moves(client_for, ic, campaign):
    _set_status(campaign, Campaign.Status.CLOSED)
    html = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    assert "Next step" not in html


def test_team_member_who_is_not_owner_can_not_cancel(team_campaign, team_marketing):
    assert Campaign.Status.CANCELLED not in team_campaign.allowed_moves(team_marketing)
    assert Campaign.Status.SUBMITTED in team_campaign.allowed_moves(team_marketing)


def test_move_to_records_the_reason_in_history(ic, campaign):
    _set_status(campaign, Campaign.Status.SUBMITTED)
    campaign.move_to(Campaign.Status.DRAFT, ic, "Too broad")
    assert campaign.history.first().history_change_reason == "Status → Draft: Too broad"


def test_a_stale_copy_decides_on_the_current_status(ic, campaign):
    stale = Campaign.objects.get(pk=campaign.pk)
    campaign.move_to(Campaign.Status.CANCELLED, ic)
    with pytest.raises(ValidationError, match="cancelled campaign cannot move"):
        stale.move_to(Campaign.Status.SUBMITTED, ic)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED


def test_overlong_comment_is_refused_with_a_message(client_for, ic, campaign):
    _set_status(campaign, Campaign.Status.SUBMITTED)
    response = _move(client_for(ic), campaign, "send-back", comment="x" * 2001)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SUBMITTED
    assert "at most 2000 characters" in response.content.decode()


def test_approved_campaign_offers_reopen_for_review_not_submit(client_for, ic, campaign):
    campaign.move_to(Campaign.Status.SUBMITTED, ic)
    campaign.move_to(Campaign.Status.APPROVED, ic)
    page = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    assert "Reopen for IC review" in page
    assert "Submit to IC" not in page
