"""An explainer shows its campaign's own and reused assets and IC's library picks, each only once released."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from campaigns.asset_uses import uses_of
from campaigns.models import Asset, Campaign
from conftest import add_impact, make_campaign
from explainers.models import Explainer
from explainers.tests.test_explainer_views import _editor_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(marketing, sales) -> Campaign:
    """A live campaign with a published explainer."""
    past = timezone.now() - timedelta(days=2)
    c = make_campaign(marketing, title="Open Doors", go_live_at=past, status=Campaign.Status.LIVE)
    add_impact(c, sales)
    Explainer.objects.create(campaign=c, slug=c.slug, publishes_at_embargo=True)
    return c


@pytest.fixture
def embargoed_sheet(campaign, settings, tmp_path) -> Asset:
    """A file of Mia's campaign, embargoed for 30 days more."""
    settings.MEDIA_ROOT = tmp_path
    asset = Asset(campaign=campaign, kind=Asset.Kind.PDF, caption="Secret price sheet")
    asset.file.save("prices.pdf", ContentFile(b"%PDF-1.4 prices"), save=True)
    return asset


def explainer_page(client, campaign) -> str:
    return client.get(f"/explainers/{campaign.slug}/").content.decode()


def file_url(asset) -> str:
    return reverse("asset_file", args=[asset.campaign_id, asset.pk])


def test_ic_picks_a_library_asset_for_an_explainer(client_for, ic, public, embargoed_sheet):
    client = client_for(ic)
    page = client.get(f"/campaigns/{public.pk}/explainer/").content.decode()
    assert "Secret price sheet — Spring Savings (PDF)" in page
    response = client.post(
        f"/campaigns/{public.pk}/explainer/", _editor_post(public, assets=[str(embargoed_sheet.pk)])
    )
    assert response.status_code == 302
    assert list(public.explainer.assets.all()) == [embargoed_sheet]
    assert [use.place for use, _ in uses_of(embargoed_sheet)] == ["Origin campaign", "Explainer"]


def test_a_picked_asset_waits_for_its_own_embargo(client_for, ic, employee, public, embargoed_sheet):
    public.explainer.assets.add(embargoed_sheet)
    client = client_for(employee)
    assert "Secret price sheet" not in explainer_page(client, public)
    assert client.get(file_url(embargoed_sheet)).status_code == 404
    with time_machine.travel(embargoed_sheet.embargo_until + timedelta(minutes=1), tick=False):
        client.force_login(employee)  # the session has long expired by then
        assert "Secret price sheet" in explainer_page(client, public)
        assert client.get(file_url(embargoed_sheet)).status_code == 200


def test_an_asset_reused_on_a_campaign_shows_on_its_explainer_once_released(
    client_for, marketing, employee, public, embargoed_sheet
):
    embargoed_sheet.reuse_in(public, marketing)
    client = client_for(employee)
    assert "Secret price sheet" not in explainer_page(client, public)
    api = client.get(f"/api/v1/explainers/{public.slug}/").json()
    assert [a["caption"] for a in api["assets"]] == []
    with time_machine.travel(embargoed_sheet.embargo_until + timedelta(minutes=1), tick=False):
        client.force_login(employee)  # the session has long expired by then
        assert "Secret price sheet" in explainer_page(client, public)


def test_the_preview_shows_what_employees_will_see_at_publication(
    client_for, ic, campaign, public, embargoed_sheet
):
    """Mia's own asset is in her explainer's preview (it lifts with it); IC sees it there before the embargo."""
    Explainer.objects.create(campaign=campaign, slug=campaign.slug, publishes_at_embargo=True)
    page = client_for(ic).get(f"/campaigns/{campaign.pk}/explainer/preview/").content.decode()
    assert "Secret price sheet" in page
