"""One rule for opening a campaign by id (Campaign.objects.for_user), the same on every app's pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from campaigns.models import Campaign

pytestmark = pytest.mark.django_db

MISSING = 999_999

# (method, url name) of pages in four apps that open a campaign by its id
READ_PAGES = [
    ("get", "campaign_detail"),
    ("get", "explainer_edit"),
    ("get", "explainer_preview"),
]
CHANGE_PAGES = [
    ("get", "campaign_edit"),
    ("get", "stage_add"),
    ("post", "campaign_pause"),
    ("get", "readiness_targets"),
]
IC_ONLY_PAGES = [("get", "stage_add"), ("post", "campaign_pause"), ("get", "readiness_targets")]


def _open(client, method: str, name: str, pk: int):
    return getattr(client, method)(reverse(name, args=[pk]))


@pytest.mark.parametrize(("method", "name"), READ_PAGES + CHANGE_PAGES)
def test_it_refuses_marketing_of_another_team_on_every_campaign_page(
    client_for, other_marketing, campaign, method, name
):
    assert _open(client_for(other_marketing), method, name, campaign.pk).status_code == 403


@pytest.mark.parametrize(("method", "name"), READ_PAGES + CHANGE_PAGES)
def test_it_refuses_employees_on_every_campaign_page(client_for, employee, campaign, method, name):
    assert _open(client_for(employee), method, name, campaign.pk).status_code == 403


@pytest.mark.parametrize(("method", "name"), READ_PAGES + CHANGE_PAGES)
def test_it_answers_404_for_an_unknown_campaign_on_every_page(client_for, ic, method, name):
    assert _open(client_for(ic), method, name, MISSING).status_code == 404


@pytest.mark.parametrize(("method", "name"), IC_ONLY_PAGES)
def test_it_refuses_marketing_on_ic_pages_without_saying_whether_the_campaign_exists(
    client_for, marketing, method, name
):
    assert _open(client_for(marketing), method, name, MISSING).status_code == 403


@pytest.mark.parametrize(("method", "name"), [("get", "campaign_edit"), ("get", "stage_add")])
def test_it_refuses_changes_to_a_cancelled_campaign(client_for, ic, campaign, method, name):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CANCELLED)
    assert _open(client_for(ic), method, name, campaign.pk).status_code == 403


def test_it_returns_the_campaign_to_its_owner_for_editing(marketing, campaign):
    assert Campaign.objects.for_user(marketing, campaign.pk, edit=True) == campaign


def test_it_keeps_ic_only_changes_from_the_owner(marketing, campaign):
    with pytest.raises(PermissionDenied):
        Campaign.objects.for_user(marketing, campaign.pk, edit=True, ic_only=True)


def test_it_raises_404_for_an_unknown_id(ic):
    with pytest.raises(Http404):
        Campaign.objects.for_user(ic, MISSING)
