"""The rollout timeline panel and IC's stage pages: roles, objects, field errors, pause/resume."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of, tick

pytestmark = pytest.mark.django_db
Kind, State = RolloutStage.Kind, RolloutStage.State


def stage_data(**overrides) -> dict:
    data = {
        "kind": Kind.CUSTOM,
        "days": 2,
        "hours": 3,
        "minutes": 30,
        "direction": "before",
        "channels": ["in_app", "email"],
        "subject": "Heads up, {{ first_name }}",
        "body": "{{ concept }}",
    }
    data.update(overrides)
    return data


def test_timeline_shows_stages_in_viewers_zone(client_for, ic, running):
    page = client_for(ic).get(running.get_absolute_url()).content.decode()
    assert "Rollout timeline" in page
    assert "Mon 18 May 2026, 10:00 BST" in page  # early warning, 09:00 UTC in London
    assert "Add a stage" in page


def test_marketing_sees_the_timeline_read_only(client_for, marketing, running):
    page = client_for(marketing).get(running.get_absolute_url()).content.decode()
    assert "Rollout timeline" in page
    assert "Add a stage" not in page
    assert "Pause rollout" not in page


def test_timeline_shows_counts_and_reasons(client_for, ic, running, employee):
    running.go_live_at = running.embargo_until = GO_LIVE - timedelta(days=10)
    running.save()
    tick(GO_LIVE - timedelta(days=17))
    page = client_for(ic).get(running.get_absolute_url()).content.decode()
    assert "only the latest overdue stage is sent" in page
    assert "2 sent · 0 failed · 0 read" in page


def test_timeline_query_count_does_not_grow_with_stages(
    client_for, ic, running, django_assert_max_num_queries
):
    client = client_for(ic)
    client.get(running.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(running.get_absolute_url())
    for n in range(10):
        RolloutStage.objects.create(
            campaign=running, offset_minutes=n, channels=["in_app"], subject="s", body="b"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(running.get_absolute_url())
    assert len(many) == len(few)


def test_ic_adds_a_stage_with_days_hours_minutes_before_go_live(client_for, ic, running):
    response = client_for(ic).post(reverse("stage_add", args=[running.pk]), stage_data())
    assert response.status_code == 302
    stage = running.stages.get(kind=Kind.CUSTOM)
    assert stage.offset_minutes == -(2 * 24 * 60 + 3 * 60 + 30)
    assert stage.send_at == GO_LIVE - timedelta(days=2, hours=3, minutes=30)


def test_stage_revealing_details_before_embargo_is_refused_with_field_error(client_for, ic, running):
    response = client_for(ic).post(reverse("stage_add", args=[running.pk]), stage_data(body="{{ details }}"))
    assert response.status_code == 200
    assert "would reveal the embargoed details" in response.context["form"].errors["body"][0]
    assert not running.stages.filter(kind=Kind.CUSTOM).exists()


def test_stage_revealing_details_after_embargo_is_accepted(client_for, ic, running):
    data = stage_data(body="{{ details }}", direction="after", days=1)
    assert client_for(ic).post(reverse("stage_add", args=[running.pk]), data).status_code == 302
    assert running.stages.filter(body="{{ details }}").exists()


def test_unknown_placeholder_is_a_field_error(client_for, ic, running):
    response = client_for(ic).post(
        reverse("stage_add", args=[running.pk]), stage_data(subject="{{ frist_name }}")
    )
    assert "Unknown placeholder" in response.context["form"].errors["subject"][0]


def test_broken_template_is_a_field_error(client_for, ic, running):
    response = client_for(ic).post(reverse("stage_add", args=[running.pk]), stage_data(body="{% if %}"))
    assert response.status_code == 200
    assert "error" in response.context["form"].errors["body"][0]


def test_zero_offset_before_go_live_is_a_field_error(client_for, ic, running):
    response = client_for(ic).post(
        reverse("stage_add", args=[running.pk]), stage_data(days=0, hours=0, minutes=0)
    )
    assert "days" in response.context["form"].errors


def test_marketing_may_not_add_stages(client_for, marketing, running):
    assert (
        client_for(marketing).post(reverse("stage_add", args=[running.pk]), stage_data()).status_code == 403
    )


def test_employee_may_not_see_stage_pages(client_for, employee, running):
    stage = stage_of(running, Kind.REMINDER)
    assert client_for(employee).get(reverse("stage_preview", args=[running.pk, stage.pk])).status_code == 403


def test_other_marketing_may_not_preview_someone_elses_campaign(client_for, other_marketing, running):
    stage = stage_of(running, Kind.REMINDER)
    assert (
        client_for(other_marketing).get(reverse("stage_preview", args=[running.pk, stage.pk])).status_code
        == 403
    )


def test_stage_of_another_campaign_is_not_found(client_for, ic, running, marketing):
    from conftest import make_campaign

    other = make_campaign(marketing, title="Other")
    stage = stage_of(other, Kind.REMINDER)
    assert client_for(ic).get(reverse("stage_edit", args=[running.pk, stage.pk])).status_code == 404


def test_ic_edits_an_unsent_stage(client_for, ic, running):
    stage = stage_of(running, Kind.REMINDER)
    response = client_for(ic).post(
        reverse("stage_edit", args=[running.pk, stage.pk]),
        stage_data(kind=Kind.REMINDER, days=2, hours=0, minutes=0),
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.send_at == GO_LIVE - timedelta(days=2)


def test_sent_stage_cannot_be_edited_or_removed(client_for, ic, running, employee):
    tick(GO_LIVE - timedelta(days=14))
    stage = stage_of(running, Kind.EARLY_WARNING)
    client = client_for(ic)
    assert client.get(reverse("stage_edit", args=[running.pk, stage.pk])).status_code == 403
    assert client.post(reverse("stage_delete", args=[running.pk, stage.pk])).status_code == 403


def test_ic_removes_an_unsent_stage(client_for, ic, running):
    stage = stage_of(running, Kind.FOLLOW_UP)
    assert client_for(ic).post(reverse("stage_delete", args=[running.pk, stage.pk])).status_code == 302
    assert not RolloutStage.objects.filter(pk=stage.pk).exists()


def test_removing_a_stage_asks_first(client_for, ic, running):
    stage = stage_of(running, Kind.FOLLOW_UP)
    response = client_for(ic).get(reverse("stage_delete", args=[running.pk, stage.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Remove the stage “Follow-up”?" in page
    assert "Nothing has been sent for this stage yet" in page
    assert f'action="{reverse("stage_delete", args=[running.pk, stage.pk])}"' in page
    assert RolloutStage.objects.filter(pk=stage.pk).exists()  # a GET never removes


def test_confirming_a_sent_stage_says_why_it_stays(client_for, ic, running, employee):
    tick(GO_LIVE - timedelta(days=14))
    stage = stage_of(running, Kind.EARLY_WARNING)
    response = client_for(ic).get(reverse("stage_delete", args=[running.pk, stage.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This cannot be removed" in page
    assert "stay on the timeline with their deliveries" in page
    assert "Remove this stage</button>" not in page


def test_marketing_cannot_open_the_stage_removal_page(client_for, marketing, running):
    stage = stage_of(running, Kind.FOLLOW_UP)
    assert client_for(marketing).get(reverse("stage_delete", args=[running.pk, stage.pk])).status_code == 403


def test_timeline_links_remove_to_the_confirmation(client_for, ic, running):
    stage = stage_of(running, Kind.FOLLOW_UP)
    page = client_for(ic).get(running.get_absolute_url()).content.decode()
    assert f'<a href="{reverse("stage_delete", args=[running.pk, stage.pk])}" class="danger-link">' in page


def test_preview_as_a_recipient_uses_their_name_and_zone(client_for, ic, running, employee_ny):
    stage = stage_of(running, Kind.REMINDER)
    url = reverse("stage_preview", args=[running.pk, stage.pk])
    page = client_for(ic).get(url, {"recipient": employee_ny.pk}).content.decode()
    assert "Hello Noah" in page
    assert "05:00 EDT" in page


def test_preview_with_unknown_recipient_is_a_field_error(client_for, ic, running):
    stage = stage_of(running, Kind.REMINDER)
    response = client_for(ic).get(reverse("stage_preview", args=[running.pk, stage.pk]), {"recipient": "x"})
    assert response.status_code == 400
    assert "Choose a person" in response.content.decode()


def test_test_send_goes_to_me_only(client_for, ic, running, employee, mailoutbox):
    stage = stage_of(running, Kind.REMINDER)
    response = client_for(ic).post(reverse("stage_test_send", args=[running.pk, stage.pk]))
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == [ic.email]
    assert message.subject.startswith("[Test] ")
    assert not Delivery.objects.exists()


def test_marketing_may_not_send_tests(client_for, marketing, running):
    stage = stage_of(running, Kind.REMINDER)
    assert (
        client_for(marketing).post(reverse("stage_test_send", args=[running.pk, stage.pk])).status_code == 403
    )


def test_ic_pauses_and_resumes_the_rollout(client_for, ic, running):
    client = client_for(ic)
    client.post(reverse("campaign_pause", args=[running.pk]))
    running.refresh_from_db()
    assert running.is_paused
    client.post(reverse("campaign_resume", args=[running.pk]), {"confirm": "1"})  # stages are overdue today
    running.refresh_from_db()
    assert not running.is_paused


def test_marketing_may_not_pause(client_for, marketing, running):
    assert client_for(marketing).post(reverse("campaign_pause", args=[running.pk])).status_code == 403
    running.refresh_from_db()
    assert not running.is_paused
