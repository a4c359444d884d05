"""A briefing pack lists its campaign's own and reused assets and its library picks; the presenter
sees another campaign's asset only once that campaign's embargo has lifted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from briefings.tests.conftest import make_briefing
from campaigns.models import Asset, Campaign
from conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_briefing(marketing, presenter, sales):
    """A briefing of a live campaign: its pack is released to Pat already."""
    past = timezone.now() - timedelta(days=2)
    c = make_campaign(marketing, title="Open Doors", go_live_at=past, status=Campaign.Status.LIVE)
    return make_briefing(
        c, presenter=presenter, audiences=[sales], starts_at=timezone.now() + timedelta(days=1)
    )


@pytest.fixture
def embargoed_sheet(campaign, settings, tmp_path) -> Asset:
    settings.MEDIA_ROOT = tmp_path
    asset = Asset(campaign=campaign, kind=Asset.Kind.PDF, caption="Secret price sheet")
    asset.file.save("prices.pdf", ContentFile(b"%PDF-1.4 prices"), save=True)
    return asset


def pack_data(**overrides) -> dict:
    data = {
        "why": "Because",
        "expected": "",
        "background": "",
        "key_messages": "",
        "faq": "",
        "speaker_notes": "",
    }
    data.update(overrides)
    return data


def test_ic_picks_a_library_asset_for_the_pack(client_for, ic, public_briefing, embargoed_sheet):
    client = client_for(ic)
    url = reverse("briefing_pack_edit", args=[public_briefing.pk])
    assert "Secret price sheet — Spring Savings (PDF)" in client.get(url).content.decode()
    assert client.post(url, pack_data(pack_assets=[str(embargoed_sheet.pk)])).status_code == 302
    assert list(public_briefing.pack_assets.all()) == [embargoed_sheet]
    assert (
        "Secret price sheet"
        in client.get(reverse("briefing_pack", args=[public_briefing.pk])).content.decode()
    )


def test_pack_picker_rejects_an_unknown_asset(client_for, ic, public_briefing):
    url = reverse("briefing_pack_edit", args=[public_briefing.pk])
    response = client_for(ic).post(url, pack_data(pack_assets=["999999"]))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_presenter_sees_another_campaigns_asset_only_once_released(
    client_for, presenter, public_briefing, embargoed_sheet
):
    public_briefing.pack_assets.add(embargoed_sheet)
    client = client_for(presenter)
    pack = reverse("briefing_pack", args=[public_briefing.pk])
    file_url = reverse("asset_file", args=[embargoed_sheet.campaign_id, embargoed_sheet.pk])
    assert "Secret price sheet" not in client.get(pack).content.decode()
    assert client.get(file_url).status_code == 404
    with time_machine.travel(embargoed_sheet.embargo_until + timedelta(minutes=1), tick=False):
        client.force_login(presenter)  # the session has long expired by then
        assert "Secret price sheet" in client.get(pack).content.decode()
        assert client.get(file_url).status_code == 200


def test_presenter_sees_own_campaigns_assets_from_the_pack_release(
    client_for, ic, presenter, campaign, embargoed_sheet
):
    briefing = make_briefing(campaign, presenter=presenter)
    briefing.set_pack_release(timezone.now() - timedelta(minutes=1), ic)
    page = client_for(presenter).get(reverse("briefing_pack", args=[briefing.pk])).content.decode()
    assert "Secret price sheet" in page  # as before the library: the pack's release covers its own campaign
