"""The asset library: who sees which assets, search and filters, reuse, and where each is used."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Asset, AssetReuse, Campaign
from campaigns.tests.conftest import campaign_post_data
from conftest import make_campaign
from people.models import MarcomTeam
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db


def add_link(campaign: Campaign, caption: str, *, team=None, tags=(), description="", url="") -> Asset:
    asset = Asset.objects.create(
        campaign=campaign,
        kind=Asset.Kind.LINK,
        url=url or f"https://cdn.example.com/{caption.lower().replace(' ', '-')}",
        caption=caption,
        description=description,
        team=team,
    )
    asset.set_tags(list(tags))
    return asset


@pytest.fixture
def content() -> MarcomTeam:
    return MarcomTeam.objects.get(slug="content")


@pytest.fixture
def poster(campaign, content) -> Asset:
    """Mia's poster on her embargoed Spring Savings campaign."""
    return add_link(
        campaign, "Spring poster", team=content, tags=["poster", "spring"], description="A3 print"
    )


@pytest.fixture
def omars_campaign(other_marketing) -> Campaign:
    return make_campaign(other_marketing, title="Events Week")


@pytest.fixture
def omars_secret(omars_campaign) -> Asset:
    """Another team's asset, still under embargo: Mia must not see it."""
    return add_link(omars_campaign, "Stage backdrop")


@pytest.fixture
def released(other_marketing) -> Asset:
    """An asset of a campaign whose embargo has lifted: the organisation's, reusable by any marketer."""
    past = timezone.now() - timedelta(days=3)
    old = make_campaign(other_marketing, title="Autumn Fair", go_live_at=past, status=Campaign.Status.LIVE)
    return add_link(old, "Fair logo", tags=["logo"])


def library(client, **params):
    return client.get(reverse("asset_library"), params)


def captions(response) -> list[str]:
    return [a.caption for a in response.context["page"].object_list]


# --- who may open the library and an asset -------------------------------------------------
@pytest.mark.parametrize(
    "persona, expected", [("marketing", 200), ("ic", 200), ("presenter", 403), ("employee", 403)]
)
def test_library_is_for_marketing_and_ic(client_for, request, persona, expected, poster):
    assert library(client_for(request.getfixturevalue(persona))).status_code == expected


@pytest.mark.parametrize(
    "persona, expected", [("marketing", 200), ("ic", 200), ("presenter", 403), ("employee", 403)]
)
def test_asset_page_is_for_marketing_and_ic(client_for, request, persona, expected, poster):
    response = client_for(request.getfixturevalue(persona)).get(poster.get_absolute_url())
    assert response.status_code == expected


def test_anonymous_people_are_sent_to_sign_in(client, poster):
    for url in (reverse("asset_library"), poster.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_marketing_sees_own_and_released_assets_but_not_another_teams_embargoed_one(
    client_for, marketing, poster, omars_secret, released
):
    assert sorted(captions(library(client_for(marketing)))) == ["Fair logo", "Spring poster"]


def test_ic_sees_every_asset(client_for, ic, poster, omars_secret, released):
    assert sorted(captions(library(client_for(ic)))) == ["Fair logo", "Spring poster", "Stage backdrop"]


def test_it_refuses_another_teams_embargoed_asset(client_for, marketing, omars_secret):
    assert client_for(marketing).get(omars_secret.get_absolute_url()).status_code == 403


def test_an_unknown_asset_is_404(client_for, ic):
    assert client_for(ic).get(reverse("asset_detail", args=[999999])).status_code == 404


def test_a_reused_asset_is_visible_to_the_reusing_campaigns_team(
    client_for, ic, marketing, campaign, omars_secret
):
    omars_secret.reuse_in(campaign, ic)
    assert client_for(marketing).get(omars_secret.get_absolute_url()).status_code == 200


# --- search and filters -----------------------------------------------------------------------
def test_it_searches_caption_description_and_tags(client_for, ic, poster, released):
    client = client_for(ic)
    assert captions(library(client, q="poster")) == ["Spring poster"]
    assert captions(library(client, q="print")) == ["Spring poster"]  # the description
    assert captions(library(client, q="logo")) == ["Fair logo"]


def test_it_filters_by_campaign_team_type_and_tag(client_for, ic, campaign, content, poster, released):
    client = client_for(ic)
    assert captions(library(client, campaign=campaign.pk)) == ["Spring poster"]
    assert captions(library(client, team="content")) == ["Spring poster"]
    assert captions(library(client, kind="link")) == ["Fair logo", "Spring poster"]
    assert captions(library(client, kind="image")) == []
    assert captions(library(client, tag="logo")) == ["Fair logo"]


def test_campaign_filter_includes_assets_reused_there(client_for, ic, campaign, poster, released):
    released.reuse_in(campaign, ic)
    assert sorted(captions(library(client_for(ic), campaign=campaign.pk))) == ["Fair logo", "Spring poster"]


def test_bad_filter_is_a_field_error(client_for, ic, poster):
    response = library(client_for(ic), kind="hologram", tag="no-such-tag")
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors and "tag" in response.context["form"].errors
    assert "Choose one from the list." in response.content.decode()


def test_library_is_paginated(client_for, ic, campaign):
    for i in range(30):
        add_link(campaign, f"Banner {i}")
    client = client_for(ic)
    first, second = library(client), library(client, page=2)
    assert len(captions(first)) == 24 and len(captions(second)) == 6
    assert 'rel="next"' in first.content.decode()


# Beyond the layout: the filter options (campaigns, teams, tags), the count, the page of assets
# with campaign and team, and their tags.
LIBRARY_QUERIES = 6


@pytest.mark.parametrize("n", [10, 200])
def test_library_runs_a_fixed_number_of_queries(
    client_for, ic, campaign, content, n, django_assert_num_queries
):
    assets = Asset.objects.bulk_create(
        Asset(campaign=campaign, kind="link", url=f"https://x.example/{i}", caption=f"A{i}", team=content)
        for i in range(n)
    )
    assets[0].set_tags(["poster", "spring"])
    client = client_for(ic)
    with django_assert_num_queries(layout_queries(ic) + LIBRARY_QUERIES):
        response = library(client)
    assert response.context["page"].paginator.count == n


@pytest.mark.parametrize("n", [10, 200])
def test_library_queries_are_the_same_for_marketing(client_for, marketing, campaign, n):
    client = client_for(marketing)
    Asset.objects.bulk_create(
        Asset(campaign=campaign, kind="link", url=f"https://x.example/{i}", caption=f"A{i}") for i in range(n)
    )
    with CaptureQueriesContext(connection) as queries:
        library(client, q="A1", kind="link")
    assert len(queries.captured_queries) == layout_queries(marketing) + LIBRARY_QUERIES


# --- the asset page: used in, embargo, describe and tag --------------------------------------
def test_asset_page_shows_where_it_is_used_and_its_embargo(client_for, ic, campaign, poster, released):
    poster.reuse_in(released.campaign, ic)
    page = client_for(ic).get(poster.get_absolute_url()).content.decode()
    assert "Embargoed until" in page
    assert "Origin campaign" in page and "Spring Savings" in page and "Autumn Fair" in page


def test_a_released_asset_says_so(client_for, marketing, released):
    page = client_for(marketing).get(released.get_absolute_url()).content.decode()
    assert "Released" in page and "Embargoed until" not in page


def test_owner_describes_and_tags_an_asset(client_for, marketing, poster):
    response = client_for(marketing).post(
        poster.get_absolute_url(),
        {
            "caption": "Spring poster",
            "description": "A3 and A4",
            "team": "",
            "tag_names": "Print, poster, print",
        },
    )
    assert response.status_code == 302
    poster.refresh_from_db()
    assert poster.description == "A3 and A4" and poster.team is None
    assert [t.name for t in poster.tags.all()] == ["poster", "print"]


def test_a_marketer_may_not_edit_another_teams_released_asset(client_for, marketing, released):
    client = client_for(marketing)
    assert "Describe and tag" not in client.get(released.get_absolute_url()).content.decode()
    response = client.post(released.get_absolute_url(), {"caption": "Mine now", "tag_names": ""})
    assert response.status_code == 403


def test_editing_an_asset_needs_a_caption_and_short_tags(client_for, marketing, poster):
    response = client_for(marketing).post(poster.get_absolute_url(), {"caption": "", "tag_names": "x" * 60})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"caption", "tag_names"}


# --- reuse on another campaign without uploading again --------------------------------------
def test_campaign_form_reuses_a_library_asset(client_for, marketing, campaign, released):
    data = campaign_post_data(**{"library-assets": [str(released.pk)]})
    response = client_for(marketing).post(reverse("campaign_edit", args=[campaign.pk]), data)
    assert response.status_code == 302
    assert list(campaign.reused_assets.all()) == [released]
    assert Asset.objects.count() == 1  # no new upload
    page = client_for(marketing).get(campaign.get_absolute_url()).content.decode()
    assert "Fair logo" in page and "reused from Autumn Fair" in page
    history = client_for(marketing).get(reverse("campaign_history", args=[campaign.pk])).content.decode()
    assert "Reused from the asset library: Fair logo" in history


def test_campaign_form_stops_reusing_an_asset(client_for, marketing, campaign, released):
    released.reuse_in(campaign, marketing)
    data = campaign_post_data()
    client_for(marketing).post(reverse("campaign_edit", args=[campaign.pk]), data)
    assert not AssetReuse.objects.exists() and Asset.objects.filter(pk=released.pk).exists()


def test_campaign_form_refuses_an_asset_the_marketer_may_not_see(
    client_for, marketing, campaign, omars_secret
):
    data = campaign_post_data(**{"library-assets": [str(omars_secret.pk)]})
    response = client_for(marketing).post(reverse("campaign_edit", args=[campaign.pk]), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AssetReuse.objects.exists()


def test_campaign_form_lists_the_picker_with_a_label(client_for, marketing, campaign, released):
    page = client_for(marketing).get(reverse("campaign_edit", args=[campaign.pk])).content.decode()
    assert "Reuse from the asset library" in page
    assert '<label for="id_library-assets_0">Fair logo — Autumn Fair (Link)</label>' in page


def test_an_asset_cannot_be_reused_on_its_own_campaign(campaign, poster, marketing):
    with pytest.raises(ValidationError, match="already belongs"):
        poster.reuse_in(campaign, marketing)


def test_demo_data_fills_the_library_with_tags_and_a_reuse():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent: no second reuse, no error
    results = Asset.objects.get(caption="Campaign results")
    assert [c.title for c in results.reused_in.all()] == ["Spring Savings Boost"]
    assert not Asset.objects.filter(tags=None).exists()
