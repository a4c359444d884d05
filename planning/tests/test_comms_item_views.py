"""Other comms items: IC logs them; the form warns about load before saving."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from planning.models import CommsItem
from planning.tests.conftest import make_comms, make_stage

NOW = timezone.datetime(2027, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _data(audiences, **overrides) -> dict:
    data = {
        "title": "Benefits enrolment",
        "description": "Pick your benefits.",
        "starts_at": "2027-03-16T10:00",
        "ends_at": "",
        "audiences": [a.pk for a in audiences],
        "channel": "email",
    }
    data.update(overrides)
    return data


def test_ic_logs_a_comms_item_in_their_own_zone(client_for, ic, sales):
    response = client_for(ic).post(reverse("comms_item_create"), _data([sales]))
    item = CommsItem.objects.get()
    assert response.status_code == 302 and response.url == reverse("comms_item_detail", args=[item.pk])
    assert item.starts_at == timezone.datetime(2027, 3, 16, 10, 0, tzinfo=timezone.get_fixed_timezone(0))
    assert list(item.audiences.all()) == [sales] and item.created_by == ic


@pytest.mark.parametrize("persona", ["marketing", "employee", "presenter"])
def test_only_ic_may_log_comms_items(client_for, request, persona, sales):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("comms_item_create")).status_code == 403
    assert client.post(reverse("comms_item_create"), _data([sales])).status_code == 403
    assert not CommsItem.objects.exists()


def test_marketing_may_read_a_comms_item_but_not_edit_or_delete_it(client_for, marketing, sales):
    item = make_comms(NOW + timedelta(days=2), [sales])
    client = client_for(marketing)
    assert client.get(reverse("comms_item_detail", args=[item.pk])).status_code == 200
    assert client.post(reverse("comms_item_edit", args=[item.pk]), _data([sales])).status_code == 403
    assert client.post(reverse("comms_item_delete", args=[item.pk])).status_code == 403
    assert CommsItem.objects.filter(pk=item.pk).exists()


def test_an_employee_may_not_read_comms_items(client_for, employee, sales):
    item = make_comms(NOW + timedelta(days=2), [sales])
    assert client_for(employee).get(reverse("comms_item_detail", args=[item.pk])).status_code == 403


def test_ic_edits_and_deletes_a_comms_item(client_for, ic, sales, support):
    item = make_comms(NOW + timedelta(days=2), [sales])
    client = client_for(ic)
    client.post(reverse("comms_item_edit", args=[item.pk]), _data([support], title="Renamed"))
    item.refresh_from_db()
    assert item.title == "Renamed" and list(item.audiences.all()) == [support]
    assert client.post(reverse("comms_item_delete", args=[item.pk])).status_code == 302
    assert not CommsItem.objects.exists()


def test_deleting_needs_a_post(client_for, ic, sales):
    item = make_comms(NOW + timedelta(days=2), [sales])
    assert client_for(ic).get(reverse("comms_item_delete", args=[item.pk])).status_code == 405


def test_a_missing_item_is_not_found(client_for, ic):
    assert client_for(ic).get(reverse("comms_item_edit", args=[999])).status_code == 404


def test_an_end_before_the_start_is_a_field_error(client_for, ic, sales):
    response = client_for(ic).post(reverse("comms_item_create"), _data([sales], ends_at="2027-03-15T10:00"))
    assert response.status_code == 200
    assert "ends_at" in response.context["form"].errors
    assert not CommsItem.objects.exists()


def test_missing_title_and_audiences_are_field_errors(client_for, ic):
    response = client_for(ic).post(reverse("comms_item_create"), _data([], title=""))
    assert set(response.context["form"].errors) == {"title", "audiences"}


def test_the_form_warns_before_saving_an_item_that_pushes_an_audience_over_cap(client_for, ic, sales):
    for n in range(3):
        make_comms(
            timezone.datetime(2027, 3, 15 + n, 9, 0, tzinfo=timezone.get_fixed_timezone(0)),
            [sales],
            title=f"Existing {n}",
        )
    response = client_for(ic).post(reverse("comms_item_create"), _data([sales]))
    assert response.status_code == 200
    assert CommsItem.objects.count() == 3
    body = response.content.decode()
    assert "Before you save: 1 warning" in body
    assert "Existing 0" in body and "Existing 2" in body
    assert "Save anyway" in body


def test_confirming_the_warning_saves_the_item(client_for, ic, sales):
    for n in range(3):
        make_comms(
            timezone.datetime(2027, 3, 15 + n, 9, 0, tzinfo=timezone.get_fixed_timezone(0)),
            [sales],
            title=f"Existing {n}",
        )
    response = client_for(ic).post(reverse("comms_item_create"), _data([sales], confirm_conflicts="on"))
    assert response.status_code == 302
    assert CommsItem.objects.count() == 4


def test_the_form_names_another_campaigns_send_within_24_hours(client_for, ic, other_campaign, sales):
    make_stage(
        other_campaign, timezone.datetime(2027, 3, 16, 20, 0, tzinfo=timezone.get_fixed_timezone(0)), [sales]
    )
    response = client_for(ic).post(reverse("comms_item_create"), _data([sales]))
    assert response.status_code == 200
    assert "within 24 hours of another campaign" in response.content.decode()
    assert "Secret Summer Launch" in response.content.decode()


def test_moving_an_item_within_its_week_does_not_warn_about_itself(client_for, ic, sales):
    items = [
        make_comms(
            timezone.datetime(2027, 3, 15 + n, 9, 0, tzinfo=timezone.get_fixed_timezone(0)),
            [sales],
            title=f"Item {n}",
        )
        for n in range(3)
    ]
    response = client_for(ic).post(
        reverse("comms_item_edit", args=[items[0].pk]),
        _data([sales], title="Item 0", starts_at="2027-03-18T09:00"),
    )
    assert response.status_code == 302


def test_the_cap_warning_uses_the_week_in_the_planners_zone(client_for, sales, make_ny_ic):
    # Three items on Monday 15 March 03:00 UTC: still Sunday 14 March 23:00 in New York (EDT).
    for n in range(3):
        make_comms(
            timezone.datetime(2027, 3, 15, 3, 0, tzinfo=timezone.get_fixed_timezone(0)),
            [sales],
            title=f"Early {n}",
        )
    ny = client_for(make_ny_ic)
    # Sunday 14 March 10:00 in New York: the same local week as the three items.
    response = ny.post(reverse("comms_item_create"), _data([sales], starts_at="2027-03-14T10:00"))
    assert response.status_code == 200 and "Before you save" in response.content.decode()


def test_the_same_time_is_another_week_for_a_london_planner(client_for, ic, sales):
    for n in range(3):
        make_comms(
            timezone.datetime(2027, 3, 15, 3, 0, tzinfo=timezone.get_fixed_timezone(0)),
            [sales],
            title=f"Early {n}",
        )
    # Sunday 14 March 14:00 in London is the same instant as 10:00 in New York, but London's week differs.
    response = client_for(ic).post(reverse("comms_item_create"), _data([sales], starts_at="2027-03-14T14:00"))
    assert response.status_code == 302


def test_the_list_shows_recent_and_upcoming_items(client_for, marketing, sales):
    make_comms(NOW + timedelta(days=2), [sales], title="Upcoming")
    make_comms(NOW - timedelta(days=60), [sales], title="Long ago")
    body = client_for(marketing).get(reverse("comms_item_list")).content.decode()
    assert "Upcoming" in body and "Long ago" not in body
