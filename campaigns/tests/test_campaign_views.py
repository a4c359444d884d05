"""Logging and editing a campaign: the form, its parts, and bad input."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Asset, Campaign, Impact, KeyMessage
from campaigns.tests.conftest import campaign_post_data, edit_post_data, key_message_rows, local_input
from conftest import add_impact, make_campaign
from people.models import MarcomTeam

pytestmark = pytest.mark.django_db

NEW = "/campaigns/new/"


def test_new_campaign_page_shows_the_form(client_for, marketing):
    response = client_for(marketing).get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="title"' in html
    assert "<legend>MARCOM teams involved" in html
    assert "Save and submit to IC" in html


def test_marketing_logs_a_campaign_as_draft(client_for, marketing):
    content = MarcomTeam.objects.get(slug="content")
    response = client_for(marketing).post(NEW, campaign_post_data(teams=[content.pk]))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response.url == campaign.get_absolute_url()
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.owner == marketing
    assert campaign.time_zone == "Europe/London"
    assert campaign.embargo_until == campaign.go_live_at
    assert campaign.external_channels == ["social", "press"]
    assert list(campaign.teams.all()) == [content]
    assert campaign.ordered_key_messages() == ["Switching is free", "It takes five minutes"]


def test_go_live_is_read_in_the_users_time_zone(client_for, marketing):
    client_for(marketing).post(NEW, campaign_post_data(go_live_at="2030-07-01T09:00"))
    go_live = Campaign.objects.get().go_live_at
    assert go_live.astimezone(UTC).strftime("%H:%M") == "08:00"  # 09:00 BST


def test_save_and_submit_sends_the_campaign_to_ic(client_for, marketing):
    client_for(marketing).post(NEW, campaign_post_data(submit_to_ic="1"))
    assert Campaign.objects.get().status == Campaign.Status.SUBMITTED


def test_missing_title_is_a_field_error_and_saves_nothing(client_for, marketing):
    response = client_for(marketing).post(NEW, campaign_post_data(title=""))
    assert response.status_code == 200
    assert response.context["editor"].form.errors["title"]
    assert 'href="#id_title"' in response.content.decode()  # the error summary links to the field
    assert not Campaign.objects.exists()


def test_go_live_in_the_past_is_refused_for_a_new_campaign(client_for, marketing):
    past = local_input(timezone.now() - timedelta(hours=1))
    response = client_for(marketing).post(NEW, campaign_post_data(go_live_at=past))
    assert "must be in the future" in response.context["editor"].form.errors["go_live_at"][0]
    assert not Campaign.objects.exists()


def test_bad_datetime_is_a_field_error(client_for, marketing):
    response = client_for(marketing).post(NEW, campaign_post_data(go_live_at="next tuesday"))
    assert response.status_code == 200
    assert response.context["editor"].form.errors["go_live_at"]
    assert "embargo_until" not in response.context["editor"].form.errors
    assert not Campaign.objects.exists()


def test_embargo_after_go_live_is_a_field_error(client_for, marketing):
    go_live = timezone.now() + timedelta(days=10)
    data = campaign_post_data(
        go_live_at=local_input(go_live), embargo_until=local_input(go_live + timedelta(days=1))
    )
    response = client_for(marketing).post(NEW, data)
    assert "at or before go-live" in response.context["editor"].form.errors["embargo_until"][0]
    assert not Campaign.objects.exists()


def test_embargo_before_go_live_is_kept(client_for, marketing):
    go_live = timezone.now() + timedelta(days=10)
    data = campaign_post_data(
        go_live_at=local_input(go_live), embargo_until=local_input(go_live - timedelta(days=2))
    )
    client_for(marketing).post(NEW, data)
    campaign = Campaign.objects.get()
    assert campaign.go_live_at - campaign.embargo_until == timedelta(days=2)


def _with_impacts(data: dict, *impacts: tuple) -> dict:
    data.update({"impacts-TOTAL_FORMS": str(len(impacts)), "impacts-INITIAL_FORMS": "0"})
    for i, (audience, level) in enumerate(impacts):
        data.update(
            {
                f"impacts-{i}-audience": audience.pk if audience else "",
                f"impacts-{i}-level": level,
                f"impacts-{i}-what_changes": "New prices",
                f"impacts-{i}-what_to_do": "Read the FAQ",
            }
        )
    return data


def test_marketing_names_affected_audiences(client_for, marketing, sales, support):
    data = _with_impacts(campaign_post_data(), (sales, "high"), (support, "low"))
    client_for(marketing).post(NEW, data)
    impacts = {i.audience.name: i for i in Impact.objects.select_related("audience")}
    assert impacts["Sales"].level == "high"
    assert impacts["Support"].level == "low"
    assert impacts["Sales"].what_to_do == "Read the FAQ"


def test_every_audience_high_impact_saves_with_a_be_focused_warning(client_for, marketing, sales, support):
    data = _with_impacts(campaign_post_data(), (sales, "high"), (support, "high"))
    response = client_for(marketing).post(NEW, data, follow=True)
    assert Impact.objects.count() == 2
    assert "Be focused" in response.content.decode()


def test_same_audience_twice_is_an_error(client_for, marketing, sales):
    data = _with_impacts(campaign_post_data(), (sales, "high"), (sales, "low"))
    response = client_for(marketing).post(NEW, data)
    assert response.status_code == 200
    assert response.context["editor"].impacts.non_form_errors() or any(
        f.errors for f in response.context["editor"].impacts.forms
    )
    assert not Campaign.objects.exists()


def test_adding_an_audience_already_named_is_an_error_not_a_500(client_for, marketing, campaign, sales):
    data = edit_post_data(campaign)
    data.update({"impacts-TOTAL_FORMS": "2", "impacts-1-audience": sales.pk, "impacts-1-level": "low"})
    response = client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 200
    assert "Name each audience once" in str(response.context["editor"].error_links)
    assert campaign.impacts.count() == 1


def test_impact_without_audience_is_a_field_error(client_for, marketing):
    data = _with_impacts(campaign_post_data(), (None, "high"))
    response = client_for(marketing).post(NEW, data)
    assert "Choose the audience" in response.context["editor"].impacts.forms[0].errors["audience"][0]
    assert not Campaign.objects.exists()


def _with_asset(data: dict, **fields) -> dict:
    data.update({"assets-TOTAL_FORMS": "1", "assets-INITIAL_FORMS": "0"})
    data.update({f"assets-0-{name}": value for name, value in fields.items()})
    return data


def test_marketing_uploads_an_image_asset(client_for, marketing, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("poster.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    client_for(marketing).post(NEW, _with_asset(campaign_post_data(), caption="Poster", file=upload))
    asset = Asset.objects.get()
    assert asset.kind == Asset.Kind.IMAGE
    assert asset.uploaded_by == marketing
    assert asset.file.name.endswith("poster.png")


def test_marketing_links_a_video_asset(client_for, marketing):
    data = _with_asset(campaign_post_data(), caption="Launch film", url="https://www.youtube.com/watch?v=abc")
    client_for(marketing).post(NEW, data)
    assert Asset.objects.get().kind == Asset.Kind.VIDEO


def test_file_of_a_type_not_allowed_is_a_field_error(client_for, marketing, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("run-me.exe", b"MZ" + b"0" * 100)
    response = client_for(marketing).post(NEW, _with_asset(campaign_post_data(), caption="Tool", file=upload))
    assert "not allowed" in response.context["editor"].assets.forms[0].errors["file"][0]
    assert not Campaign.objects.exists()
    assert not Asset.objects.exists()


@override_settings(ASSET_MAX_UPLOAD_MB=1)
def test_file_over_the_upload_limit_is_a_field_error(client_for, marketing, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("deck.pdf", b"%PDF" + b"0" * (1024 * 1024 + 1))
    response = client_for(marketing).post(NEW, _with_asset(campaign_post_data(), caption="Deck", file=upload))
    assert "larger than 1 MB" in response.context["editor"].assets.forms[0].errors["file"][0]
    assert not Campaign.objects.exists()


def test_asset_needs_a_file_or_a_link(client_for, marketing):
    response = client_for(marketing).post(NEW, _with_asset(campaign_post_data(), caption="Nothing"))
    assert response.context["editor"].assets.forms[0].errors["file"]
    assert not Campaign.objects.exists()


def test_edit_page_shows_the_current_values(client_for, marketing, campaign):
    KeyMessage.objects.create(campaign=campaign, position=1, text="Rates are lower")
    response = client_for(marketing).get(f"/campaigns/{campaign.pk}/edit/")
    html = response.content.decode()
    assert response.status_code == 200
    assert campaign.title in html
    assert "Rates are lower" in html


def test_owner_edits_title_and_key_messages(client_for, marketing, campaign):
    KeyMessage.objects.create(campaign=campaign, position=1, text="Old message")
    data = edit_post_data(campaign, title="Spring Savings 2")
    data.update(key_message_rows(["New first", "Old message"], initial=1))
    response = client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "Spring Savings 2"
    assert campaign.ordered_key_messages() == ["New first", "Old message"]


def test_editing_with_embargo_left_empty_follows_go_live(client_for, marketing, campaign):
    later = campaign.go_live_at + timedelta(days=3)
    data = edit_post_data(campaign, go_live_at=local_input(later))
    client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data)
    campaign.refresh_from_db()
    assert campaign.embargo_until == campaign.go_live_at == later.replace(second=0, microsecond=0)


def test_edit_with_embargo_after_go_live_saves_nothing(client_for, marketing, campaign, support):
    data = edit_post_data(
        campaign,
        title="Changed",
        embargo_until=local_input(campaign.go_live_at + timedelta(days=1)),
    )
    data.update({"impacts-TOTAL_FORMS": "2", "impacts-1-audience": support.pk, "impacts-1-level": "low"})
    response = client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data)
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.title == "Spring Savings"
    assert campaign.impacts.count() == 1


def test_owner_removes_an_audience(client_for, marketing, campaign, support):
    add_impact(campaign, support, "low")
    data = edit_post_data(campaign)
    data["impacts-1-DELETE"] = "on"
    client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data)
    assert [i.audience.name for i in campaign.impacts.all()] == ["Sales"]


def test_owner_removes_an_asset_in_the_form(client_for, marketing, campaign):
    Asset.objects.create(campaign=campaign, kind="link", url="https://example.com/a", caption="Page")
    data = edit_post_data(campaign)
    data["assets-0-DELETE"] = "on"
    client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data)
    assert not campaign.assets.exists()


def test_owner_removes_an_asset_from_the_campaign_page(client_for, marketing, campaign):
    asset = Asset.objects.create(campaign=campaign, kind="link", url="https://example.com/a", caption="Page")
    response = client_for(marketing).post(f"/campaigns/{campaign.pk}/assets/{asset.pk}/delete/")
    assert response.status_code == 302
    assert not campaign.assets.exists()


def test_asset_of_another_campaign_is_not_found(client_for, marketing, campaign):
    other = make_campaign(marketing, title="Other")
    asset = Asset.objects.create(campaign=other, kind="link", url="https://example.com/a", caption="Page")
    response = client_for(marketing).post(f"/campaigns/{campaign.pk}/assets/{asset.pk}/delete/")
    assert response.status_code == 404
    assert other.assets.exists()


def test_editing_keeps_a_past_go_live_of_a_live_campaign(client_for, ic, marketing):
    live = make_campaign(marketing, status=Campaign.Status.LIVE)
    live.go_live_at = live.embargo_until = timezone.now() - timedelta(days=1)
    live.save()
    past_go_live = live.go_live_at
    response = client_for(ic).post(f"/campaigns/{live.pk}/edit/", edit_post_data(live, objectives="More"))
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.go_live_at == past_go_live
    assert live.objectives == "More"


def test_cancelled_campaign_can_not_be_edited(client_for, marketing, campaign):
    campaign.status = Campaign.Status.CANCELLED
    campaign.save()
    assert client_for(marketing).get(f"/campaigns/{campaign.pk}/edit/").status_code == 403


def test_campaign_page_shows_facts_impacts_and_edit_button(client_for, marketing, campaign):
    html = client_for(marketing).get(campaign.get_absolute_url()).content.decode()
    assert "Spring Savings" in html
    assert "New rates to explain" in html
    assert reverse("campaign_edit", args=[campaign.pk]) in html


def test_edit_over_someone_elses_change_is_refused_then_allowed_on_purpose(client_for, marketing, campaign):
    client = client_for(marketing)
    data = edit_post_data(campaign, title="Renamed by Mia")
    campaign.objectives = "Set by Ian meanwhile"
    campaign.save()
    response = client.post(f"/campaigns/{campaign.pk}/edit/", data)
    assert "Someone else changed this campaign" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.title == "Spring Savings"
    data["version"] = campaign.updated_at.isoformat()  # what the re-shown form now carries
    assert client.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "Renamed by Mia"


def test_reshown_form_carries_the_current_version(client_for, marketing, campaign):
    data = edit_post_data(campaign)
    campaign.save()
    response = client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data)
    campaign.refresh_from_db()
    assert f'value="{campaign.updated_at.isoformat()}"' in response.content.decode()


def test_edit_records_only_the_field_that_changed(client_for, marketing, campaign):
    data = edit_post_data(campaign, title="Renamed")
    client_for(marketing).post(f"/campaigns/{campaign.pk}/edit/", data)
    assert campaign.history.first().diff_against(campaign.history.all()[1]).changed_fields == ["title"]


def test_tampered_post_without_formset_data_is_an_error_not_a_500(client_for, marketing):
    data = {k: v for k, v in campaign_post_data().items() if not k.startswith(("impacts-", "assets-"))}
    response = client_for(marketing).post(NEW, data)
    assert response.status_code == 200
    assert not Campaign.objects.exists()


def test_too_long_key_message_is_a_field_error(client_for, marketing):
    response = client_for(marketing).post(NEW, campaign_post_data(**{"messages-1-text": "x" * 501}))
    assert response.context["editor"].messages.forms[1].errors["text"]
    assert 'href="#id_messages-1-text"' in response.content.decode()
    assert not Campaign.objects.exists()
