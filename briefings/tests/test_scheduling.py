from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from briefings.models import Briefing
from briefings.tests.conftest import make_briefing

pytestmark = pytest.mark.django_db


def schedule_data(presenter, audiences, **overrides):
    data = {
        "title": "Sales briefing",
        "time_zone": "Europe/London",
        "starts_at": "2030-03-05T10:00",
        "ends_at": "2030-03-05T11:00",
        "place": "London HQ",
        "online_url": "",
        "presenter": presenter.pk,
        "audiences": [a.pk for a in audiences],
        "capacity": "20",
    }
    data.update(overrides)
    return data


def post_new(client, campaign, data):
    return client.post(reverse("briefing_new", args=[campaign.pk]), data)


def test_ic_schedules_a_briefing_in_the_chosen_time_zone(client_for, ic, campaign, presenter, sales):
    response = post_new(
        client_for(ic), campaign, schedule_data(presenter, [sales], time_zone="America/New_York")
    )
    briefing = Briefing.objects.get()
    assert response.status_code == 302
    assert briefing.starts_at == datetime(2030, 3, 5, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    assert briefing.presenter == presenter
    assert list(briefing.audiences.all()) == [sales]
    assert briefing.capacity == 20


def test_scheduling_copies_key_messages_into_the_pack(client_for, ic, campaign, presenter, sales):
    campaign.key_messages.create(position=1, text="Savings for every family")
    campaign.key_messages.create(position=2, text="No hidden fees")
    post_new(client_for(ic), campaign, schedule_data(presenter, [sales]))
    assert Briefing.objects.get().key_message_list() == ["Savings for every family", "No hidden fees"]


def test_schedule_and_add_another_prefills_the_next_session(client_for, ic, campaign, presenter, sales):
    client = client_for(ic)
    response = client.post(
        reverse("briefing_new", args=[campaign.pk]), schedule_data(presenter, [sales]) | {"another": "1"}
    )
    first = Briefing.objects.get()
    assert response.url == reverse("briefing_new", args=[campaign.pk]) + f"?from={first.pk}"
    page = client.get(response.url).content.decode()
    assert 'value="Sales briefing"' in page


def test_end_before_start_is_a_field_error(client_for, ic, campaign, presenter, sales):
    response = post_new(
        client_for(ic), campaign, schedule_data(presenter, [sales], ends_at="2030-03-05T09:00")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["The end must be after the start."]
    assert not Briefing.objects.exists()


def test_unknown_time_zone_is_a_field_error(client_for, ic, campaign, presenter, sales):
    response = post_new(client_for(ic), campaign, schedule_data(presenter, [sales], time_zone="Mars/Olympus"))
    assert "not a known time zone" in response.context["form"].errors["time_zone"][0]


def test_negative_capacity_is_a_field_error(client_for, ic, campaign, presenter, sales):
    response = post_new(client_for(ic), campaign, schedule_data(presenter, [sales], capacity="-1"))
    assert "greater than or equal to 0" in response.context["form"].errors["capacity"][0]


def test_presenter_without_presenter_or_ic_role_is_a_field_error(client_for, ic, campaign, employee, sales):
    response = post_new(client_for(ic), campaign, schedule_data(employee, [sales]))
    assert response.context["form"].errors["presenter"] == ["Choose someone with the Presenter or IC role."]


def test_ic_may_present(client_for, ic, campaign, sales):
    response = post_new(client_for(ic), campaign, schedule_data(ic, [sales]))
    assert response.status_code == 302


def test_a_time_the_clocks_skip_is_a_field_error(client_for, ic, campaign, presenter, sales):
    # 30 March 2030, 01:30 does not exist in London: clocks go from 01:00 to 02:00.
    data = schedule_data(presenter, [sales], starts_at="2030-03-31T01:30", ends_at="2030-03-31T03:00")
    response = post_new(client_for(ic), campaign, data)
    assert "does not exist in Europe/London" in response.context["form"].errors["starts_at"][0]


def test_session_of_a_closed_campaign_is_refused(client_for, ic, campaign, presenter, sales):
    campaign.status = "closed"
    campaign.save()
    response = post_new(client_for(ic), campaign, schedule_data(presenter, [sales]))
    assert "no sessions after it closes" in response.context["form"].non_field_errors()[0]


def test_double_booked_presenter_in_the_same_campaign_is_named_and_saves_once_confirmed(
    client_for, ic, campaign, presenter, support, sales
):
    make_briefing(
        campaign,
        presenter=presenter,
        audiences=[support],
        title="Support briefing",
        starts_at=datetime(2030, 3, 5, 10, 30, tzinfo=ZoneInfo("Europe/London")),
    )
    client = client_for(ic)
    assert (
        "Support briefing" in post_new(client, campaign, schedule_data(presenter, [sales])).content.decode()
    )
    response = post_new(client, campaign, schedule_data(presenter, [sales], confirm_conflicts="on"))
    assert Briefing.objects.count() == 2
    warnings = [str(m) for m in response.wsgi_request._messages]
    assert any("presenter is already running “Support briefing”" in w for w in warnings)


def test_audience_with_a_briefing_at_that_time_warns_but_saves(
    client_for, ic, campaign, other_presenter, presenter, sales
):
    make_briefing(
        campaign,
        presenter=other_presenter,
        audiences=[sales],
        title="Other Sales session",
        starts_at=datetime(2030, 3, 5, 10, 30, tzinfo=ZoneInfo("Europe/London")),
    )
    response = post_new(client_for(ic), campaign, schedule_data(presenter, [sales]))
    assert Briefing.objects.count() == 2
    warnings = [str(m) for m in response.wsgi_request._messages]
    assert any("Sales already has “Other Sales session”" in w for w in warnings)


def test_no_warning_when_sessions_only_touch(ic, campaign, presenter, sales):
    first = make_briefing(campaign, presenter=presenter, audiences=[sales])
    second = make_briefing(campaign, presenter=presenter, audiences=[sales], starts_at=first.ends_at)
    assert second.scheduling_warnings() == []


def test_rescheduling_bumps_sequence_and_keeps_uid(client_for, ic, briefing, presenter, sales):
    uid = briefing.uid
    data = schedule_data(
        presenter, [sales], title=briefing.title, starts_at="2030-04-01T14:00", ends_at="2030-04-01T15:00"
    )
    client_for(ic).post(reverse("briefing_edit", args=[briefing.pk]), data)
    briefing.refresh_from_db()
    assert briefing.sequence == 1
    assert briefing.uid == uid
    assert briefing.starts_at == datetime(2030, 4, 1, 14, 0, tzinfo=ZoneInfo("Europe/London"))


def test_editing_only_capacity_does_not_bump_sequence(client_for, ic, briefing, presenter, sales):
    data = BriefingFormData.from_briefing(briefing) | {"capacity": "5"}
    client_for(ic).post(reverse("briefing_edit", args=[briefing.pk]), data)
    briefing.refresh_from_db()
    assert (briefing.capacity, briefing.sequence) == (5, 0)


def test_edit_form_shows_wall_clock_times_in_the_briefing_zone(
    client_for, employee_ny, ic, campaign, presenter, sales
):
    briefing = make_briefing(
        campaign,
        presenter=presenter,
        audiences=[sales],
        time_zone="Asia/Tokyo",
        starts_at=datetime(2030, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
    )
    page = client_for(ic).get(reverse("briefing_edit", args=[briefing.pk])).content.decode()
    assert 'value="2030-03-05T09:00"' in page


class BriefingFormData:
    @staticmethod
    def from_briefing(briefing):
        return {
            "title": briefing.title,
            "time_zone": briefing.time_zone,
            "starts_at": briefing.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": briefing.local_ends_at.strftime("%Y-%m-%dT%H:%M"),
            "place": briefing.place,
            "online_url": briefing.online_url,
            "presenter": briefing.presenter_id,
            "audiences": [a.pk for a in briefing.audiences.all()],
            "capacity": "" if briefing.capacity is None else str(briefing.capacity),
        }


def test_new_briefing_form_defaults_to_go_live_and_impacted_audiences(client_for, ic, campaign, sales):
    form = client_for(ic).get(reverse("briefing_new", args=[campaign.pk])).context["form"]
    assert form.initial["audiences"] == [sales.pk]
    assert form.initial["starts_at"] + timedelta(hours=1) == form.initial["ends_at"]


def _fill_sales_week(campaign, presenter, sales) -> list[Briefing]:
    """Three Sales sessions in the week of Mon 4 Mar 2030: the audience is at its weekly cap (3)."""
    return [
        make_briefing(
            campaign,
            presenter=presenter,
            audiences=[sales],
            title=f"Existing session {day}",
            starts_at=datetime(2030, 3, day, 9, 0, tzinfo=ZoneInfo("Europe/London")),
        )
        for day in (4, 6, 7)
    ]


def test_a_briefing_over_the_audiences_weekly_cap_warns_and_saves_nothing(
    client_for, ic, campaign, presenter, sales
):
    _fill_sales_week(campaign, presenter, sales)
    response = post_new(client_for(ic), campaign, schedule_data(presenter, [sales]))
    body = response.content.decode()
    assert response.status_code == 200
    assert Briefing.objects.count() == 3
    assert "Before you save: 1 warning" in body
    assert "the cap is 3 a week" in body
    assert "Briefing: Existing session 4" in body and "Briefing: Existing session 7" in body
    assert 'name="confirm_conflicts"' in body


def test_save_anyway_schedules_the_briefing_over_the_cap(client_for, ic, campaign, presenter, sales):
    _fill_sales_week(campaign, presenter, sales)
    response = post_new(client_for(ic), campaign, schedule_data(presenter, [sales], confirm_conflicts="on"))
    assert response.status_code == 302
    assert Briefing.objects.filter(title="Sales briefing").exists()


def test_editing_a_briefing_does_not_count_it_against_its_own_audiences_cap(
    client_for, ic, campaign, presenter, sales
):
    edited = _fill_sales_week(campaign, presenter, sales)[1]
    data = BriefingFormData.from_briefing(edited) | {"capacity": "5"}
    response = client_for(ic).post(reverse("briefing_edit", args=[edited.pk]), data)
    assert response.status_code == 302
    edited.refresh_from_db()
    assert edited.capacity == 5


# --- presenter double-booking ---------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")


def _other_session(marketing, presenter, starts_at, **fields):
    from conftest import make_campaign

    other = make_campaign(marketing, title="Autumn Loans", go_live_in=-timedelta(days=1))  # public
    return make_briefing(other, presenter=presenter, starts_at=starts_at, title="Loans Q&A", **fields)


def test_presenter_double_booking_is_warned_and_needs_confirmation(
    client_for, ic, marketing, campaign, presenter, sales
):
    _other_session(marketing, presenter, datetime(2030, 3, 5, 10, 30, tzinfo=LONDON))
    client = client_for(ic)

    response = post_new(client, campaign, schedule_data(presenter, [sales]))

    assert response.status_code == 200
    assert "already presents another session" in response.context["form"].errors["presenter"][0]
    page = response.content.decode()
    assert "Loans Q&amp;A" in page
    assert "Tue 5 Mar, 10:30" in page  # in the viewer's zone (Ian: London)
    assert not Briefing.objects.filter(campaign=campaign).exists()

    response = post_new(client, campaign, schedule_data(presenter, [sales], confirm_conflicts="on"))
    assert response.status_code == 302
    assert Briefing.objects.filter(campaign=campaign).count() == 1


def test_sessions_that_only_touch_end_to_start_are_not_a_double_booking(
    client_for, ic, marketing, campaign, presenter, sales
):
    _other_session(marketing, presenter, datetime(2030, 3, 5, 11, 0, tzinfo=LONDON))  # starts as ours ends
    _other_session(marketing, presenter, datetime(2030, 3, 5, 9, 0, tzinfo=LONDON))  # ends as ours starts

    response = post_new(client_for(ic), campaign, schedule_data(presenter, [sales]))

    assert response.status_code == 302


def test_cancelled_session_is_not_a_double_booking(client_for, ic, marketing, campaign, presenter, sales):
    _other_session(
        marketing, presenter, datetime(2030, 3, 5, 10, 0, tzinfo=LONDON), status=Briefing.Status.CANCELLED
    )

    assert post_new(client_for(ic), campaign, schedule_data(presenter, [sales])).status_code == 302


def test_double_booking_compares_real_instants_across_zones_and_dst(
    client_for, ic, marketing, campaign, presenter, sales
):
    # 10 March 2030 New York moves to summer time, London not until 31 March: 06:30 in New York on
    # the 12th is 10:30 UTC (it would be 11:30 with winter time), inside London's 10:00-11:00 session.
    _other_session(marketing, presenter, datetime(2030, 3, 12, 10, 0, tzinfo=LONDON))
    data = schedule_data(
        presenter,
        [sales],
        time_zone="America/New_York",
        starts_at="2030-03-12T06:30",
        ends_at="2030-03-12T07:00",
    )

    response = post_new(client_for(ic), campaign, data)

    assert response.status_code == 200
    assert "presenter" in response.context["form"].errors


def test_another_campaigns_session_under_embargo_is_not_named(
    client_for, ic, marketing, campaign, presenter, sales
):
    from conftest import make_campaign

    secret = make_campaign(marketing, title="Secret Merger", go_live_in=timedelta(days=3000))
    make_briefing(
        secret, presenter=presenter, starts_at=datetime(2030, 3, 5, 10, 0, tzinfo=LONDON), title="Merger day"
    )

    page = post_new(client_for(ic), campaign, schedule_data(presenter, [sales])).content.decode()

    assert "Merger day" not in page
    assert "A session of another campaign (under embargo)" in page


def test_briefing_zone_field_is_the_searchable_picker_and_keeps_the_chosen_zone(client_for, ic, campaign):
    page = client_for(ic).get(reverse("briefing_new", args=[campaign.pk])).content.decode()

    assert 'data-zone-picker="" data-zone-chosen="1"' in page
    assert '<option value="America/Sao_Paulo">America/Sao Paulo</option>' in page
    assert "js/time-zone-picker.js" in page
