"""Calendar files: parsed back with icalendar; UID, SEQUENCE, METHOD, zones and DST; the personal feed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from briefings.ics import briefing_calendar, briefing_uid
from briefings.tests.conftest import make_briefing
from people.models import CalendarFeed
from rollout.models import Delivery, RolloutStage

BRIEFINGS = CalendarFeed.Kind.BRIEFINGS

pytestmark = pytest.mark.django_db


def parse(content: bytes):
    cal = Calendar.from_ical(content)
    return cal, cal.walk("VEVENT")


def test_ics_download_parses_with_uid_sequence_and_zone(client_for, employee, briefing, invited):
    response = client_for(employee).get(reverse("briefing_ics", args=[briefing.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    cal, (event,) = parse(response.content)
    assert str(cal["method"]) == "PUBLISH"
    assert str(event["uid"]) == briefing_uid(briefing)
    assert event["sequence"] == 0
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event.decoded("dtstart") == briefing.starts_at
    assert event.decoded("dtend") == briefing.ends_at
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


def test_ics_never_carries_embargoed_details(client_for, employee, briefing, invited):
    content = client_for(employee).get(reverse("briefing_ics", args=[briefing.pk])).content.decode()
    assert briefing.campaign.concept.split()[0] in content
    assert "1.9%" not in content


def test_ics_is_only_for_people_who_may_see_the_briefing(client_for, employee_ny, briefing):
    assert client_for(employee_ny).get(reverse("briefing_ics", args=[briefing.pk])).status_code == 404


def test_reschedule_keeps_uid_and_raises_sequence_in_the_file(briefing):
    before = parse(briefing_calendar(briefing))[1][0]
    briefing.bump_sequence()
    after = parse(briefing_calendar(briefing, method="REQUEST"))
    assert str(after[0]["method"]) == "REQUEST"
    assert after[1][0]["uid"] == before["uid"]
    assert after[1][0]["sequence"] == before["sequence"] + 1


def test_cancelled_briefing_file_has_method_cancel_and_status_cancelled(ic, briefing):
    briefing.cancel(ic)
    cal, (event,) = parse(briefing_calendar(briefing, method="CANCEL"))
    assert str(cal["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1


@pytest.mark.parametrize(
    ("zone", "day", "utc_offset_before", "utc_offset_after"),
    [
        # London springs forward on 28 March 2027 at 01:00 GMT; New York on 14 March 2027 at 02:00 EST.
        ("Europe/London", datetime(2027, 3, 28), timedelta(0), timedelta(hours=1)),
        ("America/New_York", datetime(2027, 3, 14), timedelta(hours=-5), timedelta(hours=-4)),
        # And fall back: London 31 October 2027, New York 7 November 2027.
        ("Europe/London", datetime(2027, 10, 31), timedelta(hours=1), timedelta(0)),
        ("America/New_York", datetime(2027, 11, 7), timedelta(hours=-4), timedelta(hours=-5)),
    ],
)
def test_briefing_on_the_day_clocks_change_keeps_local_times(
    campaign, presenter, zone, day, utc_offset_before, utc_offset_after
):
    tz = ZoneInfo(zone)
    starts = day.replace(hour=9, tzinfo=tz)  # after the change: the new offset applies
    briefing = make_briefing(
        campaign, presenter=presenter, time_zone=zone, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    cal, (event,) = parse(briefing_calendar(briefing))
    assert event["dtstart"].params["TZID"] == zone
    assert event["dtstart"].to_ical() == day.strftime("%Y%m%d").encode() + b"T090000"
    assert event["dtend"].to_ical() == day.strftime("%Y%m%d").encode() + b"T110000"
    assert event.decoded("dtstart").utcoffset() == utc_offset_after
    # The VTIMEZONE describes the change itself, so any client computes the same instant.
    (vtimezone,) = cal.walk("VTIMEZONE")
    transitions = [
        (c.decoded("dtstart"), c.decoded("tzoffsetfrom"), c.decoded("tzoffsetto"))
        for c in vtimezone.subcomponents
    ]
    assert any(
        start.date() == day.date() and before == utc_offset_before and after == utc_offset_after
        for start, before, after in transitions
    )
    assert vtimezone.to_tz().utcoffset(day.replace(hour=9)) == utc_offset_after


def test_briefing_spanning_the_change_has_the_right_length(campaign, presenter):
    tz = ZoneInfo("Europe/London")
    starts = datetime(2027, 3, 28, 0, 30, tzinfo=tz)  # GMT
    ends = datetime(2027, 3, 28, 3, 30, tzinfo=tz)  # BST: 2 real hours later
    briefing = make_briefing(
        campaign, presenter=presenter, time_zone="Europe/London", starts_at=starts, ends_at=ends
    )
    event = parse(briefing_calendar(briefing))[1][0]
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=3)  # wall clock
    assert event.decoded("dtend").astimezone(ZoneInfo("UTC")) - event.decoded("dtstart").astimezone(
        ZoneInfo("UTC")
    ) == timedelta(hours=2)


# --- personal feed ----------------------------------------------------------------------------
def feed_url(user) -> str:
    return reverse("briefing_feed", args=[CalendarFeed.regenerate(user, BRIEFINGS).token])


def test_feed_lists_my_briefings_without_a_session(client, employee, briefing, invited):
    response = client.get(feed_url(employee))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    _cal, events = parse(response.content)
    assert [str(e["uid"]) for e in events] == [briefing_uid(briefing)]


def test_feed_leaves_out_briefings_i_declined(client, employee, briefing, invited):
    invited.respond("no")
    assert parse(client.get(feed_url(employee)).content)[1] == []


def test_feed_lists_briefings_i_present(client, presenter, briefing):
    assert len(parse(client.get(feed_url(presenter)).content)[1]) == 1


def test_feed_lists_go_lives_i_was_warned_of_with_concept_only(client, employee, campaign, sales):
    stage = RolloutStage.objects.create(
        campaign=campaign,
        kind="early_warning",
        offset_minutes=-7 * 24 * 60,
        send_at=campaign.go_live_at,
        channels=["in_app"],
        subject="Heads up",
        body="{{ concept }}",
        state="sent",
    )
    Delivery.objects.create(stage=stage, recipient=employee, channel="in_app", status="sent")
    content = client.get(feed_url(employee)).content
    (event,) = parse(content)[1]
    assert str(event["summary"]) == f"Go-live: {campaign.title}"
    assert event.decoded("dtstart") == campaign.go_live_at.replace(microsecond=0)
    assert campaign.details.encode() not in content
    assert b"1.9%" not in content


def test_feed_leaves_out_go_lives_never_announced_to_me(client, employee, campaign):
    assert parse(client.get(feed_url(employee)).content)[1] == []


def test_wrong_token_is_404(client, employee, briefing, invited):
    CalendarFeed.regenerate(employee, BRIEFINGS)
    response = client.get(reverse("briefing_feed", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert briefing.title.encode() not in response.content


def test_revoked_token_is_404(client, employee, briefing, invited):
    url = feed_url(employee)
    CalendarFeed.revoke(employee, BRIEFINGS)
    assert client.get(url).status_code == 404


def test_regenerated_token_replaces_the_old_one(client, employee, briefing, invited):
    old = feed_url(employee)
    new = feed_url(employee)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_calendar_settings_page_creates_and_revokes_the_feed(client_for, employee):
    client = client_for(employee)
    assert "Create my calendar address" in client.get(reverse("calendar_settings")).content.decode()
    client.post(reverse("calendar_regenerate"))
    feed = CalendarFeed.objects.get(user=employee, kind=BRIEFINGS)
    assert feed.token in client.get(reverse("calendar_settings")).content.decode()
    client.post(reverse("calendar_revoke"))
    assert not CalendarFeed.objects.filter(user=employee, kind=BRIEFINGS).exists()


def test_calendar_feed_of_an_inactive_user_is_404(client, employee, briefing, invited):
    url = feed_url(employee)
    employee.is_active = False
    employee.save()
    assert client.get(url).status_code == 404
