"""Audience load: the weekly cap, 24-hour collisions, and weeks in the viewer's zone."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta

import time_machine

from campaigns import warnings
from campaigns.models import Campaign
from conftest import add_impact, make_campaign
from planning import conflicts as planned
from planning import load
from planning.entries import collect
from planning.models import AudienceCap
from planning.tests.conftest import make_briefing, make_comms, make_stage, utc
from rollout.models import RolloutStage

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TUE = utc(2027, 1, 12, 10, 0)  # a Tuesday; its ISO week starts Monday 11 January


def _kinds(conflicts) -> list[str]:
    return [c.kind for c in conflicts]


def test_it_warns_when_a_send_would_push_an_audience_over_its_weekly_cap(marketing, sales):
    for n in range(3):
        make_comms(TUE + timedelta(days=n), [sales], title=f"Item {n}")
    conflicts = planned.conflicts_for([sales], TUE + timedelta(hours=5), tz=LONDON)
    assert _kinds(conflicts) == ["cap"]
    assert conflicts[0].audience == "Sales"
    assert "announcement 4" in conflicts[0].message and "cap is 3" in conflicts[0].message
    assert sorted(i.label for i in conflicts[0].items) == ["Email: Item 0", "Email: Item 1", "Email: Item 2"]


def test_it_does_not_warn_while_the_audience_stays_within_its_cap(marketing, sales):
    make_comms(TUE, [sales])
    make_comms(TUE + timedelta(days=1), [sales])
    assert planned.conflicts_for([sales], TUE + timedelta(days=2), tz=LONDON) == []


def test_the_cap_comes_from_the_setting(settings, marketing, sales):
    settings.PLANNING_WEEKLY_CAP = 1
    make_comms(TUE, [sales])
    assert _kinds(planned.conflicts_for([sales], TUE + timedelta(days=2), tz=LONDON)) == ["cap"]


def test_an_audience_may_have_its_own_cap(marketing, sales, support):
    AudienceCap.objects.create(audience=sales, weekly_cap=1)
    make_comms(TUE, [sales, support])
    conflicts = planned.conflicts_for([sales, support], TUE + timedelta(days=2), tz=LONDON)
    assert [(c.kind, c.audience) for c in conflicts] == [("cap", "Sales")]


def test_it_warns_within_24_hours_of_another_campaigns_send_to_the_same_audience(
    campaign, other_campaign, sales
):
    make_stage(other_campaign, TUE, [sales])
    conflicts = planned.conflicts_for([sales], TUE + timedelta(hours=23), campaign=campaign, tz=LONDON)
    assert _kinds(conflicts) == ["collision"]
    assert conflicts[0].items[0].label.startswith("Secret Summer Launch")


def test_it_does_not_call_a_send_25_hours_away_a_collision(campaign, other_campaign, sales):
    make_stage(other_campaign, TUE, [sales])
    assert planned.conflicts_for([sales], TUE + timedelta(hours=25), campaign=campaign, tz=LONDON) == []


def test_a_campaigns_own_stages_are_not_a_collision(campaign, sales):
    make_stage(campaign, TUE, [sales])
    assert planned.conflicts_for([sales], TUE + timedelta(hours=2), campaign=campaign, tz=LONDON) == []


def test_a_send_to_another_audience_is_not_a_collision(campaign, other_campaign, sales, support):
    make_stage(other_campaign, TUE, [support])
    assert planned.conflicts_for([sales], TUE, campaign=campaign, tz=LONDON) == []


def test_moving_an_item_does_not_count_it_against_itself(marketing, sales):
    items = [make_comms(TUE + timedelta(days=n), [sales], title=f"Item {n}") for n in range(3)]
    assert planned.conflicts_for([sales], TUE + timedelta(hours=1), exclude=items[0], tz=LONDON) == []


def test_cancelled_and_skipped_stages_and_cancelled_campaigns_do_not_count(campaign, other_campaign, sales):
    make_stage(other_campaign, TUE, [sales], state="cancelled")
    make_stage(other_campaign, TUE, [sales], state="skipped")
    cancelled = make_campaign(campaign.owner, title="Dropped", status=Campaign.Status.CANCELLED)
    make_stage(cancelled, TUE, [sales])
    assert planned.conflicts_for([sales], TUE, campaign=campaign, tz=LONDON) == []


def test_briefings_count_in_the_load(campaign, sales):
    for n in range(3):
        make_briefing(campaign, TUE + timedelta(days=n), [sales])
    assert _kinds(planned.conflicts_for([sales], TUE, tz=LONDON)) == ["cap"]


def test_the_cap_week_is_the_iso_week_in_the_viewers_zone(marketing, sales):
    # Three items on Monday 4 January 02:00 UTC: Monday in London, still Sunday 3 January in New York.
    monday_early = utc(2027, 1, 4, 2, 0)
    for n in range(3):
        make_comms(monday_early, [sales], title=f"Item {n}")
    sunday_evening = utc(2027, 1, 3, 20, 0)  # Sunday in both zones
    assert planned.conflicts_for([sales], sunday_evening, tz=LONDON) == []
    assert _kinds(planned.conflicts_for([sales], sunday_evening, tz=NEW_YORK)) == ["cap"]


def test_the_cap_week_boundary_is_monday_midnight_local(marketing, sales):
    for n in range(3):
        make_comms(utc(2027, 1, 10, 23, 59), [sales], title=f"Sunday {n}")  # Sunday 23:59 London
    assert planned.conflicts_for([sales], utc(2027, 1, 11, 0, 0), tz=LONDON) == []  # Monday 00:00: new week
    assert _kinds(planned.conflicts_for([sales], utc(2027, 1, 10, 12, 0), tz=LONDON)) == ["cap"]


def test_the_heat_map_counts_each_week_in_the_viewers_zone(marketing, sales):
    make_comms(utc(2027, 1, 4, 2, 0), [sales])
    with time_machine.travel(utc(2027, 1, 1, 12, 0), tick=False):
        for tz, expected_monday in ((LONDON, date(2027, 1, 4)), (NEW_YORK, date(2026, 12, 28))):
            weeks = load.weeks_around(utc(2027, 1, 1, 12, 0), tz)
            rows = load.heat_map(weeks, tz)
            counts = {c.monday: c.count for c in rows[0].cells if c.count}
            assert counts == {expected_monday: 1}


def test_the_heat_map_shows_last_4_and_next_12_weeks(marketing, sales):
    weeks = load.weeks_around(TUE, LONDON)
    assert weeks[0] == date(2026, 12, 14) and weeks[4] == date(2027, 1, 11) and weeks[-1] == date(2027, 4, 5)
    assert len(weeks) == 17


def test_the_campaigns_registry_reaches_the_planning_checker(campaign, other_campaign, sales):
    make_stage(other_campaign, TUE, [sales])
    conflicts = warnings.conflicts_for([sales], TUE + timedelta(hours=1), campaign=campaign)
    assert _kinds(conflicts) == ["collision"]


def test_the_registry_returns_nothing_without_audiences_or_time(campaign, sales):
    assert warnings.conflicts_for([], TUE) == []
    assert warnings.conflicts_for([sales], None) == []


def test_weekly_counts_in_sql_agree_with_the_entries_the_calendar_shows(
    campaign, other_campaign, sales, support
):
    """The load page counts in SQL; the warnings count the calendar's entries: they must agree."""
    RolloutStage.objects.all().delete()  # the default plans move with today's date; place our own
    add_impact(campaign, support, level="medium")
    campaign.impacts.filter(audience=sales).update(level="low")  # low impact is not a default audience
    make_stage(campaign, TUE, [sales, support])
    make_stage(campaign, TUE + timedelta(days=1), [])  # no own audiences: the campaign's default ones
    make_stage(campaign, TUE + timedelta(days=2), [sales], state="skipped")  # not shown, not counted
    make_stage(other_campaign, utc(2027, 1, 17, 23, 30), [sales])  # Sunday night UTC, Monday in Auckland
    make_briefing(campaign, TUE + timedelta(days=3), [sales])
    make_briefing(campaign, TUE + timedelta(days=3), [sales], status="cancelled")
    make_comms(TUE + timedelta(days=8), [support, sales])
    cancelled = make_campaign(campaign.owner, title="Dropped", status=Campaign.Status.CANCELLED)
    make_stage(cancelled, TUE, [sales])
    for tz in (LONDON, NEW_YORK, zoneinfo.ZoneInfo("Pacific/Auckland")):
        start, end = load.local_midnight(date(2027, 1, 4), tz), load.local_midnight(date(2027, 2, 1), tz)
        index = load.LoadIndex(collect(start, end, go_lives=False).items, tz)
        expected = {key: len(found) for key, found in index.cells.items()}
        assert load.weekly_counts(start, end, tz) == expected
    two_weeks = load.local_midnight(date(2027, 1, 11), LONDON), load.local_midnight(date(2027, 1, 25), LONDON)
    assert load.weekly_counts(*two_weeks, LONDON, [support.pk]) == {
        (support.pk, date(2027, 1, 11)): 2,
        (support.pk, date(2027, 1, 18)): 1,
    }
    assert load.weekly_counts(*two_weeks, LONDON, []) == {}  # no audience asked: nothing counted


def test_the_load_counts_only_its_window_however_many_years_came_before(marketing, sales):
    """Six years of earlier stages to the same audience leave the 17 weeks' counts unchanged."""
    weeks = load.weeks_around(TUE, LONDON)
    start, end = (
        load.local_midnight(weeks[0], LONDON),
        load.local_midnight(weeks[-1] + timedelta(days=7), LONDON),
    )
    now, old = make_campaign(marketing, title="Now"), make_campaign(marketing, title="Old")
    RolloutStage.objects.all().delete()  # the default plans move with today's date; place our own
    make_stage(now, TUE, [sales])
    before = load.weekly_counts(start, end, LONDON)
    for year in range(2020, 2026):
        for week in range(0, 52, 4):
            make_stage(old, utc(year, 1, 5) + timedelta(weeks=week), [sales])
    assert load.weekly_counts(start, end, LONDON) == before == {(sales.pk, date(2027, 1, 11)): 1}
