"""The comms calendar and its .ics feed: who sees it, embargoed titles, filters, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from campaigns.models import Impact
from conftest import add_impact, make_campaign, make_user
from people.models import CalendarFeed, MarcomTeam
from planning.tests.conftest import make_briefing, make_comms, make_stage
from planning.views import LIST_PAGE_SIZE
from rollout.models import Delivery
from tests.layout_queries import layout_queries
from workplan.models import Deliverable, Workstream

NOW = timezone.datetime(2027, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _calendar(client, **params):
    return client.get(reverse("calendar"), {"date": "2027-03-10", **params})


def _titles(response) -> set[str]:
    return {e.title for d in response.context["days"] for e in d.entries}


def test_ic_sees_every_entry_with_titles_and_links(client_for, ic, campaign, other_campaign, sales):
    make_stage(other_campaign, NOW + timedelta(days=2), [sales])
    make_comms(NOW + timedelta(days=3), [sales], title="CEO town hall")
    response = _calendar(client_for(ic))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Secret Summer Launch" in body
    assert "CEO town hall" in body
    assert reverse("campaign_detail", args=[other_campaign.pk]) in body


def test_marketing_sees_another_teams_embargoed_campaign_as_embargoed(
    client_for, marketing, other_campaign, sales
):
    make_stage(other_campaign, NOW + timedelta(days=2), [sales])
    body = _calendar(client_for(marketing)).content.decode()
    assert "Embargoed campaign" in body
    assert "Secret Summer Launch" not in body
    assert "Something sunny" not in body  # the concept was never shared with Mia
    assert "Free flights" not in body
    assert reverse("campaign_detail", args=[other_campaign.pk]) not in body


def test_marketing_sees_the_concept_once_an_early_warning_reached_them(
    client_for, marketing, other_campaign, sales
):
    stage = make_stage(other_campaign, NOW - timedelta(days=1), [sales], kind="early_warning", state="sent")
    Delivery.objects.create(stage=stage, recipient=marketing, channel="in_app", status=Delivery.Status.SENT)
    make_stage(other_campaign, NOW + timedelta(days=2), [sales])
    body = _calendar(client_for(marketing)).content.decode()
    assert "Embargoed campaign" in body
    assert "Something sunny is coming." in body
    assert "Secret Summer Launch" not in body


def test_marketing_sees_their_own_embargoed_campaign_by_title(client_for, marketing, campaign, sales):
    make_stage(campaign, NOW + timedelta(days=2), [sales])
    body = _calendar(client_for(marketing)).content.decode()
    assert "Spring Savings" in body


def test_the_title_shows_to_everyone_once_the_embargo_lifts(client_for, marketing, other_marketing, sales):
    lifted = make_campaign(
        other_marketing,
        title="Public Promo",
        go_live_in=timedelta(days=5),
        embargo_until=NOW - timedelta(days=1),
    )
    make_stage(lifted, NOW + timedelta(days=2), [sales])
    body = _calendar(client_for(marketing)).content.decode()
    assert "Public Promo" in body


@pytest.mark.parametrize("persona", ["employee", "presenter"])
def test_employees_and_presenters_may_not_open_the_calendar(client_for, request, persona):
    assert _calendar(client_for(request.getfixturevalue(persona))).status_code == 403


def test_the_calendar_needs_a_sign_in(db, client):
    assert client.get(reverse("calendar")).status_code == 302


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_each_view_shows_the_entries_in_its_period(client_for, ic, campaign, sales, view):
    make_comms(NOW + timedelta(days=1), [sales], title="Benefits enrolment")
    body = _calendar(client_for(ic), view=view).content.decode()
    assert "Benefits enrolment" in body


def test_go_lives_briefings_and_stages_all_appear(client_for, ic, campaign, sales):
    campaign.go_live_at = NOW + timedelta(days=4)
    campaign.embargo_until = campaign.go_live_at
    campaign.save()
    make_stage(campaign, NOW + timedelta(days=1), [sales], kind="early_warning")
    make_briefing(campaign, NOW + timedelta(days=3), [sales], title="Team huddle")
    body = _calendar(client_for(ic), view="list").content.decode()
    assert "Go-live" in body and "Early warning" in body and "Team huddle" in body


def test_times_are_shown_in_the_viewers_zone(client_for, ic, employee_ny, sales):
    make_comms(NOW.replace(hour=15, minute=30) + timedelta(days=1), [sales], title="Town hall")
    ny_ic = make_user("nia", group="IC", time_zone="America/New_York")
    london = _calendar(client_for(ic), view="list").content.decode()
    new_york = _calendar(client_for(ny_ic), view="list").content.decode()
    assert "15:30" in london  # GMT in March before the clocks change
    assert "10:30" in new_york  # EST... until 14 March; this is 11 March


def test_filter_by_audience(client_for, ic, sales, support):
    make_comms(NOW + timedelta(days=1), [sales], title="For sales")
    make_comms(NOW + timedelta(days=1), [support], title="For support")
    assert _titles(_calendar(client_for(ic), audience=support.pk)) == {"For support"}


def test_filter_by_channel(client_for, ic, campaign, sales):
    make_comms(NOW + timedelta(days=1), [sales], title="An email", channel="email")
    make_comms(NOW + timedelta(days=1), [sales], title="A town hall", channel="event")
    assert _titles(_calendar(client_for(ic), channel="event")) == {"A town hall"}


def test_filter_by_team_and_campaign(client_for, ic, campaign, other_campaign, sales):
    campaign.teams.add(MarcomTeam.objects.get(slug="content"))
    make_stage(campaign, NOW + timedelta(days=1), [sales])
    make_stage(other_campaign, NOW + timedelta(days=1), [sales])
    client = client_for(ic)
    by_team = _titles(_calendar(client, team=MarcomTeam.objects.get(slug="content").pk))
    assert by_team == {"Spring Savings"}
    assert _titles(_calendar(client, campaign=other_campaign.pk)) == {"Secret Summer Launch"}


def test_the_list_shows_a_page_of_entries_at_a_time_keeping_the_filters(client_for, ic, sales):
    for n in range(LIST_PAGE_SIZE + 5):
        make_comms(NOW + timedelta(days=1, minutes=n), [sales], title=f"Item {n:03d}")
    client = client_for(ic)
    first = _calendar(client, view="list", audience=sales.pk)
    assert len(_titles(first)) == LIST_PAGE_SIZE and "Item 000" in _titles(first)
    body = first.content.decode()
    assert f"{LIST_PAGE_SIZE + 5} entries in this period" in body
    assert f"audience={sales.pk}&amp;view=list&amp;date=2027-03-10&amp;page=2" in body
    second = _calendar(client, view="list", audience=sales.pk, page=2)
    assert _titles(second) == {f"Item {n:03d}" for n in range(LIST_PAGE_SIZE, LIST_PAGE_SIZE + 5)}


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_entry_text_is_escaped_in_every_view(client_for, ic, sales, view):
    make_comms(NOW + timedelta(days=1), [sales], title="<script>alert(1)</script>")
    body = _calendar(client_for(ic), view=view).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_a_bad_filter_is_a_field_error_not_a_crash(client_for, ic):
    response = _calendar(client_for(ic), audience="999999", date="not-a-date")
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"audience", "date"}


def test_marketing_cannot_filter_by_a_campaign_they_cannot_see(client_for, marketing, other_campaign):
    response = _calendar(client_for(marketing), campaign=other_campaign.pk)
    assert "campaign" in response.context["form"].errors


def _seed(n: int, owner, audiences) -> None:
    for i in range(n):
        c = make_campaign(owner, title=f"Campaign {i}", go_live_in=timedelta(days=i % 20 + 1))
        for a in audiences:
            add_impact(c, a, Impact.Level.MEDIUM)
        make_stage(c, NOW + timedelta(days=i % 15), audiences)
        make_briefing(c, NOW + timedelta(days=i % 10, hours=2), audiences)
        make_comms(NOW + timedelta(days=i % 12), audiences, title=f"Item {i}")
        Deliverable.objects.create(
            workstream=Workstream.for_team(c, MarcomTeam.objects.get(slug="content")),
            title=f"Press release {i}",
            type="press_release",
            channel="press",
            offset_days=-(i % 5),
        )


@pytest.mark.parametrize("view", ["month", "week", "list"])
@pytest.mark.parametrize("n", [10, 200])
def test_the_calendar_takes_a_fixed_number_of_queries(
    client_for,
    ic,
    marketing,
    sales,
    support,
    django_assert_num_queries,
    django_assert_max_num_queries,
    view,
    n,
):
    _seed(n, marketing, [sales, support])
    client = client_for(ic)
    _calendar(client, view=view)  # warm the session
    # The layout counts menu badges; the month grid shows no audiences, so it skips their two queries
    # (the go-lives' audiences and the audience names; stages, briefings and items bring their own).
    # Workplan deliverables are one query more. Unfiltered, the month and the list first pick what
    # they draw in the database (the month's first entries of each day with the day counts; the
    # list's count and its page) and name the period's campaigns in one query, skip the campaigns'
    # teams (only the team filter needs them) and fetch a kind only if one of it is drawn (here the
    # month draws no briefing: at 14:00, none is among a day's first four).
    # A kind of entry with none on the list's page costs no query (at 200 the first page is the
    # first days' stages and briefings only), so there the pin is a ceiling.
    own = {"month": 9, "week": 11, "list": 13}[view]
    pin = django_assert_max_num_queries if (view, n) == ("list", 200) else django_assert_num_queries
    with pin(layout_queries(ic) + own):
        _calendar(client, view=view)


# --- the .ics feed ---------------------------------------------------------------------------
def _events(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_ic_gets_the_feed_by_session(client_for, ic, campaign, sales):
    make_stage(campaign, NOW + timedelta(days=1), [sales], kind="early_warning")
    response = client_for(ic).get(reverse("calendar_ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    summaries = [str(e["SUMMARY"]) for e in _events(response)]
    assert any("Early warning: Spring Savings" in s for s in summaries)


def test_ic_gets_the_feed_by_token_without_a_session(client, ic, campaign, sales):
    make_comms(NOW + timedelta(days=1), [sales], title="Town hall")
    feed = CalendarFeed.regenerate(ic, CalendarFeed.Kind.PLANNING)
    response = client.get(reverse("calendar_ics"), {"token": feed.token})
    assert response.status_code == 200
    assert any(str(e["SUMMARY"]) == "Email: Town hall" for e in _events(response))


def test_the_feed_marks_embargoed_entries_confidential_and_never_holds_details(
    client_for, ic, other_campaign, sales
):
    make_stage(other_campaign, NOW + timedelta(days=1), [sales])
    response = client_for(ic).get(reverse("calendar_ics"))
    stage = next(e for e in _events(response) if "Secret Summer Launch" in str(e["SUMMARY"]))
    assert str(stage["SUMMARY"]).startswith("[Embargoed until")
    assert str(stage["CLASS"]) == "CONFIDENTIAL"
    assert b"Free flights" not in response.content


def test_a_wrong_token_is_not_found(db, client):
    assert client.get(reverse("calendar_ics"), {"token": "nope"}).status_code == 404


def test_a_token_stops_working_when_its_owner_is_no_longer_ic(client, ic):
    feed = CalendarFeed.regenerate(ic, CalendarFeed.Kind.PLANNING)
    ic.groups.clear()
    assert client.get(reverse("calendar_ics"), {"token": feed.token}).status_code == 403


@pytest.mark.parametrize("persona", ["marketing", "employee"])
def test_others_may_not_have_the_feed(client_for, request, persona):
    assert client_for(request.getfixturevalue(persona)).get(reverse("calendar_ics")).status_code == 403


def test_ic_can_make_a_new_feed_address_and_the_old_one_stops(client_for, client, ic):
    signed_in = client_for(ic)
    signed_in.post(reverse("calendar_feed_reset"))
    old = CalendarFeed.objects.get(user=ic, kind=CalendarFeed.Kind.PLANNING).token
    signed_in.post(reverse("calendar_feed_reset"))
    new = CalendarFeed.objects.get(user=ic, kind=CalendarFeed.Kind.PLANNING).token
    assert old != new
    client.logout()
    assert client.get(reverse("calendar_ics"), {"token": old}).status_code == 404
    assert client.get(reverse("calendar_ics"), {"token": new}).status_code == 200


def test_marketing_may_not_make_a_feed_address(client_for, marketing):
    assert client_for(marketing).post(reverse("calendar_feed_reset")).status_code == 403


def test_the_feed_without_a_session_or_token_asks_to_sign_in(db, client):
    assert client.get(reverse("calendar_ics")).status_code == 302
