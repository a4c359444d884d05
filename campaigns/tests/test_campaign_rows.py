"""Add-another rows on the campaign form (impacts, key messages, assets) and asking before removing an asset."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Asset, Campaign, Impact
from campaigns.tests.conftest import campaign_post_data, edit_post_data
from conftest import make_campaign

pytestmark = pytest.mark.django_db

NEW = "/campaigns/new/"


def test_add_another_keeps_what_was_typed_without_saving(client_for, marketing, sales):
    data = campaign_post_data(
        title="",  # would be an error when saving: not on an add-another round trip
        **{
            "impacts-TOTAL_FORMS": "1",
            "impacts-0-audience": sales.pk,
            "impacts-0-level": Impact.Level.HIGH,
            "impacts-0-what_changes": "New tariffs",
            "add_row": "impacts",
        },
    )
    response = client_for(marketing).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Campaign.objects.exists()
    assert 'id="error-summary"' not in html and "field-error" not in html
    assert 'name="impacts-TOTAL_FORMS" value="2"' in html
    assert 'id="impacts-1"' in html  # the new empty row
    assert "New tariffs" in html
    assert 'value="Switching is free"' in html
    assert re.search(rf'<option value="{sales.pk}" selected>', html)


@pytest.mark.parametrize(("kind", "button"), [("messages", "key message"), ("assets", "asset")])
def test_each_section_adds_a_row_of_its_own(client_for, marketing, kind, button):
    html = client_for(marketing).post(NEW, campaign_post_data(add_row=kind)).content.decode()
    assert f"Add another {button}" in html
    assert f'id="{kind}-{0 if kind == "assets" else 2}"' in html
    assert f'formaction="#{kind}-' in html


def test_add_another_asks_to_choose_a_file_again(client_for, marketing):
    upload = SimpleUploadedFile("poster.png", b"\x89PNG\r\n", content_type="image/png")
    data = campaign_post_data(add_row="assets", **{"assets-TOTAL_FORMS": "1", "assets-0-file": upload})
    html = client_for(marketing).post(NEW, data).content.decode()
    assert "Choose your files again" in html
    assert not Asset.objects.exists()


def test_the_form_carries_a_template_row_for_script(client_for, marketing):
    html = client_for(marketing).get(NEW).content.decode()
    for prefix in ("impacts", "messages", "assets"):
        assert f'<template id="{prefix}-empty-row">' in html
        assert f'data-add-row="{prefix}"' in html
    assert 'name="impacts-__prefix__-audience"' in html


def test_several_rows_of_each_kind_save_in_one_go(client_for, marketing, sales, support):
    data = campaign_post_data(
        **{
            "messages-TOTAL_FORMS": "3",
            "messages-2-text": "Your number stays",
            "impacts-TOTAL_FORMS": "2",
            "impacts-0-audience": sales.pk,
            "impacts-0-level": Impact.Level.HIGH,
            "impacts-1-audience": support.pk,
            "impacts-1-level": Impact.Level.LOW,
            "assets-TOTAL_FORMS": "2",
            "assets-0-caption": "Landing page",
            "assets-0-url": "https://example.com/switch",
            "assets-1-caption": "Video",
            "assets-1-url": "https://youtu.be/abc",
        }
    )
    response = client_for(marketing).post(NEW, data)
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.ordered_key_messages() == [
        "Switching is free",
        "It takes five minutes",
        "Your number stays",
    ]
    assert {i.audience for i in campaign.impacts.all()} == {sales, support}
    assert sorted(campaign.assets.values_list("caption", flat=True)) == ["Landing page", "Video"]


def test_a_row_left_out_is_not_saved(client_for, marketing, sales):
    data = campaign_post_data(
        **{
            "messages-1-DELETE": "on",
            "impacts-TOTAL_FORMS": "1",
            "impacts-0-audience": sales.pk,
            "impacts-0-level": Impact.Level.HIGH,
            "impacts-0-DELETE": "on",
        }
    )
    assert client_for(marketing).post(NEW, data).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.ordered_key_messages() == ["Switching is free"]
    assert not campaign.impacts.exists()


def test_an_invalid_row_is_linked_from_the_summary_and_nothing_is_lost(client_for, marketing):
    data = campaign_post_data(
        **{
            "impacts-TOTAL_FORMS": "1",
            "impacts-0-level": Impact.Level.HIGH,
            "impacts-0-what_changes": "Keep this text",
            "assets-TOTAL_FORMS": "1",
            "assets-0-caption": "No file, no link",
        }
    )
    response = client_for(marketing).post(NEW, data)
    html = response.content.decode()
    assert not Campaign.objects.exists()
    assert '<a href="#id_impacts-0-audience">Who it affects, row 1, Audience: Choose the audience' in html
    assert 'href="#id_assets-0-file"' in html
    assert 'aria-describedby="id_impacts-0-audience_error"' in html
    assert "Keep this text" in html and 'value="No file, no link"' in html
    assert 'value="Switching is free"' in html


def test_editing_removes_a_key_message_row(client_for, marketing, campaign):
    campaign.set_key_messages(["First", "Second"])
    data = edit_post_data(campaign, **{"messages-0-DELETE": "on"})
    assert client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    assert campaign.ordered_key_messages() == ["Second"]


def test_removing_an_asset_asks_first_and_names_where_it_also_shows(client_for, marketing, campaign):
    asset = Asset.objects.create(
        campaign=campaign, kind="link", url="https://example.com/a", caption="Poster"
    )
    other = make_campaign(marketing, title="Autumn Offer")
    asset.reuse_in(other, marketing)
    url = f"/campaigns/{campaign.pk}/assets/{asset.pk}/delete/"
    response = client_for(marketing).get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Remove the asset “Poster”?" in html
    assert "It also disappears from: Campaign “Autumn Offer”." in html
    assert Asset.objects.filter(pk=asset.pk).exists()  # a GET never removes


def test_someone_else_cannot_open_the_asset_removal_page(client_for, other_marketing, campaign):
    asset = Asset.objects.create(
        campaign=campaign, kind="link", url="https://example.com/a", caption="Poster"
    )
    response = client_for(other_marketing).get(f"/campaigns/{campaign.pk}/assets/{asset.pk}/delete/")
    assert response.status_code in (403, 404)
    assert Asset.objects.filter(pk=asset.pk).exists()
