"""/api/v1/assets/: the asset library's API, with the same role, object and embargo rules as its pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Asset, AssetReuse, Campaign
from campaigns.tests.test_asset_library import add_link
from conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster(campaign) -> Asset:
    return add_link(campaign, "Spring poster", tags=["poster"])


@pytest.fixture
def omars_secret(other_marketing) -> Asset:
    return add_link(make_campaign(other_marketing, title="Events Week"), "Stage backdrop")


@pytest.fixture
def released(other_marketing) -> Asset:
    past = timezone.now() - timedelta(days=3)
    old = make_campaign(other_marketing, title="Autumn Fair", go_live_at=past, status=Campaign.Status.LIVE)
    return add_link(old, "Fair logo", tags=["logo"])


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "persona, expected", [("marketing", 200), ("ic", 200), ("presenter", 403), ("employee", 403)]
)
def test_list_is_for_marketing_and_ic(client_for, request, persona, expected, poster):
    assert client_for(request.getfixturevalue(persona)).get("/api/v1/assets/").status_code == expected


@pytest.mark.parametrize(
    "persona, expected", [("marketing", 200), ("ic", 200), ("presenter", 403), ("employee", 403)]
)
def test_detail_is_for_marketing_and_ic(client_for, request, persona, expected, poster):
    response = client_for(request.getfixturevalue(persona)).get(f"/api/v1/assets/{poster.pk}/")
    assert response.status_code == expected


def test_anonymous_callers_get_401(client, poster):
    assert client.get("/api/v1/assets/").status_code == 401
    assert client.post(f"/api/v1/assets/{poster.pk}/reuse/", {}).status_code == 401


def test_list_hides_another_teams_embargoed_asset(client_for, marketing, poster, omars_secret, released):
    assert ids(client_for(marketing).get("/api/v1/assets/")) == {poster.pk, released.pk}


def test_another_teams_embargoed_asset_is_404(client_for, marketing, omars_secret):
    assert client_for(marketing).get(f"/api/v1/assets/{omars_secret.pk}/").status_code == 404


def test_detail_says_where_it_is_used_and_its_embargo(client_for, ic, poster, released):
    poster.reuse_in(released.campaign, ic)
    body = client_for(ic).get(f"/api/v1/assets/{poster.pk}/").json()
    assert body["is_embargoed"] is True and body["embargo_until"]
    assert [(u["place"], u["title"]) for u in body["used_in"]] == [
        ("Origin campaign", "Spring Savings"),
        ("Campaign", "Autumn Fair"),
    ]
    assert body["tags"] == ["poster"] and body["reused_in"] == [released.campaign_id]


def test_list_filters_and_searches(client_for, ic, poster, released):
    client = client_for(ic)
    assert ids(client.get("/api/v1/assets/", {"tag": "logo"})) == {released.pk}
    assert ids(client.get("/api/v1/assets/", {"q": "poster"})) == {poster.pk}
    assert ids(client.get("/api/v1/assets/", {"campaign": poster.campaign_id})) == {poster.pk}


def test_bad_filter_is_400_with_field_messages(client_for, ic, poster):
    response = client_for(ic).get("/api/v1/assets/", {"kind": "hologram", "campaign": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "campaign"}


def test_marketing_adds_a_link_asset_to_own_campaign(client_for, marketing, campaign):
    response = client_for(marketing).post(
        "/api/v1/assets/",
        {"campaign": campaign.pk, "caption": "Film", "url": "https://vimeo.com/42", "tags": ["Film", "film"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    asset = Asset.objects.get(pk=response.json()["id"])
    assert asset.kind == Asset.Kind.VIDEO and asset.uploaded_by == marketing
    assert response.json()["tags"] == ["film"]


def test_marketing_uploads_a_file(client_for, marketing, campaign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("guide.pdf", b"%PDF-1.4 guide", content_type="application/pdf")
    response = client_for(marketing).post(
        "/api/v1/assets/", {"campaign": campaign.pk, "caption": "Guide", "file": upload}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["file_name"] == "guide.pdf" and response.json()["kind"] == "pdf"


def test_creating_needs_a_file_or_a_link(client_for, marketing, campaign):
    response = client_for(marketing).post(
        "/api/v1/assets/", {"campaign": campaign.pk, "caption": "Nothing"}, content_type="application/json"
    )
    assert response.status_code == 400 and "file" in response.json()


def test_creating_refuses_a_disallowed_file_type(client_for, marketing, campaign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client_for(marketing).post(
        "/api/v1/assets/", {"campaign": campaign.pk, "caption": "X", "file": upload}
    )
    assert response.status_code == 400 and "file" in response.json()


def test_marketing_may_not_add_to_another_teams_campaign(client_for, marketing, omars_secret):
    response = client_for(marketing).post(
        "/api/v1/assets/",
        {"campaign": omars_secret.campaign_id, "caption": "Sneaky", "url": "https://example.com/x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "campaign" in response.json()


def test_owner_tags_an_asset(client_for, marketing, poster):
    response = client_for(marketing).patch(
        f"/api/v1/assets/{poster.pk}/",
        {"tags": ["print"], "description": "A3"},
        content_type="application/json",
    )
    assert response.status_code == 200
    poster.refresh_from_db()
    assert [t.name for t in poster.tags.all()] == ["print"] and poster.description == "A3"


def test_a_marketer_may_not_change_another_teams_released_asset(client_for, marketing, released):
    response = client_for(marketing).patch(
        f"/api/v1/assets/{released.pk}/", {"caption": "Mine"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_changing_the_file_or_origin_is_refused(client_for, marketing, poster, released):
    client = client_for(marketing)
    url = f"/api/v1/assets/{poster.pk}/"
    assert (
        "file" in client.patch(url, {"url": "https://example.com/y"}, content_type="application/json").json()
    )
    moved = client.patch(url, {"campaign": released.campaign_id}, content_type="application/json")
    assert moved.status_code == 400 and "campaign" in moved.json()


def test_marketing_reuses_a_released_asset_on_own_campaign(client_for, marketing, campaign, released):
    response = client_for(marketing).post(
        f"/api/v1/assets/{released.pk}/reuse/", {"campaign": campaign.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["reused_in"] == [campaign.pk]
    assert AssetReuse.objects.get().added_by == marketing


def test_reuse_refuses_a_campaign_the_marketer_may_not_edit(client_for, marketing, poster, omars_secret):
    response = client_for(marketing).post(
        f"/api/v1/assets/{poster.pk}/reuse/",
        {"campaign": omars_secret.campaign_id},
        content_type="application/json",
    )
    assert response.status_code == 400 and "campaign" in response.json()


def test_reuse_on_the_origin_campaign_is_a_field_error(client_for, marketing, poster):
    response = client_for(marketing).post(
        f"/api/v1/assets/{poster.pk}/reuse/",
        {"campaign": poster.campaign_id},
        content_type="application/json",
    )
    assert response.status_code == 400 and "campaign" in response.json()


def test_employee_cannot_reuse(client_for, employee, poster, campaign):
    response = client_for(employee).post(
        f"/api/v1/assets/{poster.pk}/reuse/", {"campaign": campaign.pk}, content_type="application/json"
    )
    assert response.status_code == 403
