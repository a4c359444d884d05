from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def history_reasons(campaign) -> list[str]:
    return [h.history_change_reason or "" for h in campaign.history.all()]


def test_presenter_cannot_open_the_pack_before_release(client_for, presenter, briefing):
    response = client_for(presenter).get(reverse("briefing_pack", args=[briefing.pk]))
    assert response.status_code == 403


def test_presenter_sees_pack_with_embargoed_details_from_embargo_until(client_for, presenter, briefing):
    with time_machine.travel(briefing.campaign.embargo_until + timedelta(seconds=1)):
        response = client_for(presenter).get(reverse("briefing_pack", args=[briefing.pk]))
    assert response.status_code == 200
    assert briefing.campaign.details in response.content.decode()


def test_ic_sets_an_earlier_release_time_and_the_campaign_history_records_it(
    client_for, ic, presenter, briefing
):
    release = timezone.now() + timedelta(days=2)
    data = {
        "why": "Because",
        "expected": "",
        "background": "",
        "key_messages": "One\nTwo",
        "faq": "",
        "speaker_notes": "Smile",
        "pack_release_at": release.astimezone(ic.profile.zone).strftime("%Y-%m-%dT%H:%M"),
    }
    client_for(ic).post(reverse("briefing_pack_edit", args=[briefing.pk]), data)
    briefing.refresh_from_db()
    assert briefing.pack_release_at == release.replace(second=0, microsecond=0)
    assert any("released to presenter early" in r for r in history_reasons(briefing.campaign))
    with time_machine.travel(release + timedelta(minutes=1)):
        assert client_for(presenter).get(reverse("briefing_pack", args=[briefing.pk])).status_code == 200


def test_release_now_is_an_explicit_action_recorded_with_who_did_it(client_for, ic, presenter, briefing):
    client_for(ic).post(reverse("briefing_pack_release", args=[briefing.pk]))
    briefing.refresh_from_db()
    assert briefing.is_pack_released()
    latest = briefing.campaign.history.first()
    assert "released to presenter early" in latest.history_change_reason
    assert latest.history_user == ic
    assert client_for(presenter).get(reverse("briefing_pack", args=[briefing.pk])).status_code == 200


def test_release_after_the_embargo_is_not_noted_as_early(ic, briefing):
    briefing.set_pack_release(briefing.campaign.embargo_until + timedelta(hours=1), ic)
    assert not any("early" in r for r in history_reasons(briefing.campaign))


def test_presenter_cannot_release_the_pack(client_for, presenter, briefing):
    assert client_for(presenter).post(reverse("briefing_pack_release", args=[briefing.pk])).status_code == 403


def test_pack_shows_key_messages_faq_and_assets(client_for, ic, briefing):
    briefing.key_messages = "Savings for every family\nNo hidden fees"
    briefing.faq = "Q: Does it apply to existing customers?\nA: Not yet.\nQ: When?"
    briefing.save()
    briefing.campaign.assets.create(kind="link", url="https://example.com/poster", caption="Poster")
    page = client_for(ic).get(reverse("briefing_pack", args=[briefing.pk])).content.decode()
    assert "No hidden fees" in page
    assert "Does it apply to existing customers?" in page and "Not yet." in page
    assert "(answer to follow)" in page
    assert "https://example.com/poster" in page


def test_faq_items_parse_questions_and_answers(briefing):
    briefing.faq = "Q: One?\nA: Yes.\ncontinued\nQ: Two?\nA: No."
    assert briefing.faq_items() == [("One?", "Yes. continued"), ("Two?", "No.")]


def test_presenter_view_shows_speaker_notes(client_for, ic, briefing):
    briefing.speaker_notes = "Open with the customer story."
    briefing.save()
    page = client_for(ic).get(reverse("briefing_presenter", args=[briefing.pk])).content.decode()
    assert "Open with the customer story." in page


def test_printable_pack_has_no_speaker_notes(client_for, ic, briefing):
    briefing.speaker_notes = "Open with the customer story."
    briefing.save()
    page = client_for(ic).get(reverse("briefing_pack_print", args=[briefing.pk])).content.decode()
    assert "Open with the customer story." not in page
    assert "Confidential until" in page


def test_employee_sees_details_on_briefing_page_only_after_embargo(client_for, employee, briefing, invited):
    details = briefing.campaign.details
    assert details not in client_for(employee).get(briefing.get_absolute_url()).content.decode()
    with time_machine.travel(briefing.campaign.embargo_until + timedelta(seconds=1)):
        assert details in client_for(employee).get(briefing.get_absolute_url()).content.decode()


def test_employee_cannot_open_the_pack_even_after_embargo(client_for, employee, briefing, invited):
    with time_machine.travel(briefing.campaign.embargo_until + timedelta(days=1)):
        assert client_for(employee).get(reverse("briefing_pack", args=[briefing.pk])).status_code == 403


def test_long_titles_still_fit_the_history_reason(ic, briefing):
    briefing.title = "A very long briefing title " * 8
    briefing.set_pack_release(timezone.now(), ic)
    reason = briefing.campaign.history.first().history_change_reason
    assert reason.startswith("Briefing pack released to presenter early") and len(reason) <= 100


def test_early_release_shows_in_the_campaign_history(client_for, ic, briefing):
    client = client_for(ic)
    client.post(reverse("briefing_pack_release", args=[briefing.pk]))
    page = client.get(reverse("campaign_history", args=[briefing.campaign.pk])).content.decode()
    assert "Briefing pack released to presenter early" in page
