"""Uploaded assets: served only through /campaigns/<id>/assets/<asset id>/file, to those who may see them."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from briefings.tests.conftest import make_briefing
from campaigns.models import Asset, Campaign
from explainers.models import Explainer
from tests.test_settings import production_env, run_manage

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"embargoed poster pixels"


def add_file_asset(campaign: Campaign, name: str = "poster.png", content: bytes = PNG, kind=Asset.Kind.IMAGE):
    asset = Asset(campaign=campaign, kind=kind, caption=f"The {name}")
    asset.file.save(name, ContentFile(content), save=True)
    return asset


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def asset(campaign, settings, tmp_path) -> Asset:
    settings.MEDIA_ROOT = tmp_path
    return add_file_asset(campaign)


def file_url(asset: Asset) -> str:
    return reverse("asset_file", args=[asset.campaign_id, asset.pk])


def publish_explainer(campaign: Campaign) -> None:
    """Approve the campaign, lift its embargo and let its ready explainer publish."""
    campaign.status = Campaign.Status.APPROVED
    campaign.embargo_until = timezone.now() - timedelta(minutes=1)
    campaign.save(update_fields=["status", "embargo_until"])
    Explainer.objects.create(campaign=campaign, slug=campaign.slug, publishes_at_embargo=True)


def test_it_serves_the_file_to_the_campaign_owner(client_for, marketing, asset):
    response = client_for(marketing).get(file_url(asset))
    assert response.status_code == 200
    assert body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="poster.png"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_serves_the_file_to_ic(client_for, ic, asset):
    assert client_for(ic).get(file_url(asset)).status_code == 200


def test_it_refuses_another_teams_marketer_as_the_campaign_page_does(client_for, other_marketing, asset):
    client = client_for(other_marketing)
    assert client.get(reverse("campaign_detail", args=[asset.campaign_id])).status_code == 403
    response = client.get(file_url(asset))
    assert response.status_code == 403
    assert PNG not in body(response)


def test_it_hides_the_file_from_an_employee_before_the_embargo(client_for, employee, asset):
    campaign = asset.campaign
    campaign.status = Campaign.Status.APPROVED
    campaign.save(update_fields=["status"])
    Explainer.objects.create(campaign=campaign, slug=campaign.slug, publishes_at_embargo=True)
    response = client_for(employee).get(file_url(asset))
    assert response.status_code == 404
    assert PNG not in body(response)


def test_it_hides_the_file_after_the_embargo_while_no_explainer_shows_it(client_for, employee, asset):
    asset.campaign.embargo_until = timezone.now() - timedelta(minutes=1)
    asset.campaign.save(update_fields=["embargo_until"])
    assert client_for(employee).get(file_url(asset)).status_code == 404


def test_it_serves_the_file_to_an_employee_on_the_published_explainer(client_for, employee, asset):
    publish_explainer(asset.campaign)
    client = client_for(employee)
    page = client.get(reverse("explainer_detail", args=[asset.campaign.slug])).content.decode()
    assert f'src="{file_url(asset)}"' in page
    response = client.get(file_url(asset))
    assert response.status_code == 200
    assert body(response) == PNG


def test_it_serves_the_file_to_the_presenter_once_the_pack_is_released(client_for, presenter, asset):
    briefing = make_briefing(asset.campaign, presenter=presenter)
    client = client_for(presenter)
    assert client.get(file_url(asset)).status_code == 404
    briefing.set_pack_release(timezone.now() - timedelta(minutes=1), None)
    assert client.get(file_url(asset)).status_code == 200


def test_it_answers_404_once_the_asset_is_deleted(client_for, marketing, asset):
    client = client_for(marketing)
    url = file_url(asset)
    client.post(reverse("asset_delete", args=[asset.campaign_id, asset.pk]))
    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert client.get(url).status_code == 404


def test_it_answers_404_when_the_file_is_gone_from_disk(client_for, marketing, asset):
    asset.file.storage.delete(asset.file.name)
    assert client_for(marketing).get(file_url(asset)).status_code == 404


def test_it_sends_office_documents_as_downloads(client_for, marketing, campaign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deck = add_file_asset(campaign, "deck.docx", b"PK\x03\x04 a deck", kind=Asset.Kind.DOCUMENT)
    response = client_for(marketing).get(file_url(deck))
    assert response["Content-Disposition"] == 'attachment; filename="deck.docx"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_hands_the_sending_to_nginx_when_a_prefix_is_set(client_for, marketing, asset, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = client_for(marketing).get(file_url(asset))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{asset.file.name}"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="poster.png"'
    assert body(response) == b""


def test_it_hands_the_sending_to_x_sendfile_when_asked(client_for, marketing, asset, settings):
    settings.MEDIA_X_SENDFILE = True
    response = client_for(marketing).get(file_url(asset))
    assert response["X-Sendfile"] == asset.file.path
    assert body(response) == b""


def test_it_never_hands_a_refused_file_to_the_proxy(client_for, employee, asset, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = client_for(employee).get(file_url(asset))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_it_asks_an_anonymous_visitor_to_sign_in(client, asset):
    response = client.get(file_url(asset))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_campaign_page_links_files_through_the_checking_view(client_for, marketing, asset):
    page = client_for(marketing).get(reverse("campaign_detail", args=[asset.campaign_id])).content.decode()
    assert f'href="{file_url(asset)}"' in page
    assert "/media/" not in page


def test_the_old_media_address_serves_nothing_even_under_debug(client_for, marketing, asset, settings):
    was_debug = settings.DEBUG
    settings.DEBUG = True  # `make run`: the old URLconf served MEDIA_ROOT to anyone under DEBUG
    importlib.reload(importlib.import_module("campaignhub.urls"))
    clear_url_caches()
    try:
        response = client_for(marketing).get(f"/media/{asset.file.name}")
    finally:
        settings.DEBUG = was_debug
        importlib.reload(importlib.import_module("campaignhub.urls"))
        clear_url_caches()
    assert response.status_code == 404
    assert PNG not in body(response)


def test_a_proxy_prefix_without_slashes_fails_at_start():
    result = run_manage("check", **production_env(MEDIA_ACCEL_REDIRECT_PREFIX="protected-media"))
    assert result.returncode != 0
    assert "MEDIA_ACCEL_REDIRECT_PREFIX must start and end with '/'" in result.stderr
