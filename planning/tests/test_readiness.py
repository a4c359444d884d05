"""Readiness: per affected audience, measured against the campaign's targets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Invitation
from campaigns.models import Impact
from conftest import add_impact, make_campaign
from explainers.models import Explainer, ExplainerRead
from planning.models import ReadinessThreshold
from planning.readiness import AMBER, GREEN, NO_TARGET, RED, readiness_for
from planning.tests.conftest import make_briefing, make_stage
from rollout.models import Delivery
from tests.layout_queries import layout_queries


@pytest.fixture
def sales_people(employee, presenter, sales):
    """Sales has exactly two people: Emma and Pat."""
    return [employee, presenter]


def _row(campaign):
    return readiness_for([campaign])[0].rows[0]


def _warn(campaign, people, audiences):
    stage = make_stage(
        campaign, timezone.now() - timedelta(days=1), audiences, kind="early_warning", state="sent"
    )
    for p in people:
        Delivery.objects.create(stage=stage, recipient=p, channel="in_app", status=Delivery.Status.SENT)
    return stage


def _brief(campaign, invited, attended, audiences):
    briefing = make_briefing(campaign, timezone.now() + timedelta(days=3), audiences)
    for p in invited:
        Invitation.objects.create(
            briefing=briefing, user=p, attended_at=timezone.now() if p in attended else None
        )
    return briefing


def test_signals_without_a_source_are_not_tracked_yet_rather_than_zero(campaign, sales_people):
    campaign.stages.all().delete()  # without the engine's default plan there is no early warning
    row = _row(campaign)
    assert row.size == 2
    for measure in row.measures:
        assert measure.text == "not tracked yet"
    assert row.warned.why_untracked == "no early-warning stage"


def test_warned_counts_people_in_the_audience_who_got_an_early_warning(
    campaign, sales_people, sales, employee
):
    _warn(campaign, [employee], [sales])
    assert _row(campaign).warned.text == "50% (1 of 2)"


def test_an_early_warning_not_sent_yet_is_zero_not_untracked(campaign, sales_people, sales):
    make_stage(campaign, timezone.now() + timedelta(days=2), [sales], kind="early_warning")
    assert _row(campaign).warned.text == "0% (0 of 2)"


def test_invited_briefed_read_and_acknowledged_are_measured(
    campaign, sales_people, sales, employee, presenter
):
    _brief(campaign, [employee, presenter], [employee], [sales])
    explainer = Explainer.objects.create(campaign=campaign, slug="spring")
    ExplainerRead.objects.create(explainer=explainer, user=presenter)
    stage = make_stage(
        campaign, timezone.now() - timedelta(hours=1), [sales], state="sent", requires_acknowledgement=True
    )
    Delivery.objects.create(
        stage=stage,
        recipient=employee,
        channel="in_app",
        status=Delivery.Status.SENT,
        acknowledged_at=timezone.now(),
    )
    row = _row(campaign)
    assert (row.invited.pct, row.briefed.pct, row.read.pct, row.acknowledged.pct) == (100, 50, 50, 50)


def test_people_outside_the_audience_do_not_count(campaign, sales_people, sales, employee_ny):
    _warn(campaign, [employee_ny], [sales])
    assert _row(campaign).warned.done == 0


def test_a_high_impact_audience_is_green_when_warned_and_briefed_meet_the_targets(
    campaign, sales_people, sales
):
    _warn(campaign, sales_people, [sales])
    _brief(campaign, sales_people, sales_people, [sales])
    assert _row(campaign).rag == GREEN


def test_an_early_warning_that_reached_too_few_is_amber_with_why_and_fix(
    campaign, sales_people, sales, employee
):
    campaign.stages.all().delete()  # no later warning in the plan that could still reach them
    _warn(campaign, [employee], [sales])  # 50% < 90%
    _brief(campaign, sales_people, sales_people, [sales])
    row = _row(campaign)
    assert row.rag == AMBER
    (finding,) = row.findings
    assert finding.why == "The early warning reached 50% (1 of 2) of Sales (target 90%)."
    assert "Check failed deliveries" in finding.fix


def test_a_draft_44_days_out_is_on_track_not_behind(marketing, sales, sales_people):
    draft = make_campaign(marketing, go_live_in=timedelta(days=44))
    add_impact(draft, sales, Impact.Level.HIGH)
    row = _row(draft)  # the default plan's early warning is 30 days away; briefings due in 37
    assert row.rag == GREEN
    assert row.findings == []
    assert any(n.startswith("early warning planned for") for n in row.notes)
    assert any(n.startswith("schedule a briefing by") for n in row.notes)


def test_a_low_impact_audience_the_plan_never_warns_is_judged_on_what_is_planned(
    marketing, sales, sales_people
):
    c = make_campaign(marketing, go_live_in=timedelta(days=3))
    add_impact(c, sales, Impact.Level.LOW)  # the default plan goes to medium and high only
    row = _row(c)
    assert row.rag == GREEN
    assert row.notes == ["no early warning planned (low impact)"]


def test_a_medium_audience_no_early_warning_is_planned_for_is_amber(marketing, sales, support, sales_people):
    c = make_campaign(marketing)
    add_impact(c, sales, Impact.Level.MEDIUM)
    add_impact(c, support, Impact.Level.MEDIUM)
    c.stages.filter(kind="early_warning").get().audiences.set([support])
    row = next(r for r in readiness_for([c])[0].rows if r.audience == sales)
    assert row.rag == AMBER
    assert row.findings[0].why == "No early warning is planned for Sales, so it cannot reach 90% warned."
    assert row.findings[0].fix == "Add an early-warning stage for it on the rollout timeline."


def test_an_early_warning_due_while_the_campaign_waits_for_approval_lags(marketing, sales, sales_people):
    c = make_campaign(marketing, go_live_in=timedelta(days=10), status="submitted")
    add_impact(c, sales, Impact.Level.MEDIUM)  # the warning was due 4 days ago
    row = _row(c)
    assert row.rag == AMBER
    assert "but the campaign is not approved" in row.findings[0].why
    assert row.findings[0].fix == "Approve the internal plan so it can go out."


def test_an_early_warning_planned_after_go_live_cannot_warn(campaign, sales_people, sales):
    campaign.stages.filter(kind="early_warning").update(send_at=campaign.go_live_at + timedelta(days=1))
    row = _row(campaign)
    assert row.rag == AMBER
    assert row.findings[0].fix == "Move it to before go-live."


def test_sessions_that_cannot_seat_enough_people_are_amber(campaign, sales_people, sales):
    _brief(campaign, [], [], [sales]).__class__.objects.update(capacity=1)  # 2 people, 70% needs 2
    row = _row(campaign)
    assert row.rag == AMBER
    assert "seat 1, but 2 more of Sales" in row.findings[0].why


def test_sessions_to_come_with_room_enough_are_on_track(campaign, sales_people, sales):
    _brief(campaign, sales_people, [], [sales])
    row = _row(campaign)
    assert row.rag == GREEN
    assert "1 session to come" in row.notes


def test_too_few_briefed_after_every_session_is_amber(campaign, sales_people, sales, employee):
    briefing = _brief(campaign, sales_people, [], [sales])
    briefing.__class__.objects.update(starts_at=timezone.now() - timedelta(days=1))
    row = _row(campaign)
    assert row.rag == AMBER
    assert row.findings[0].why.startswith("Every session has taken place")


def test_below_target_turns_red_within_a_week_of_go_live(marketing, sales, sales_people, employee):
    soon = make_campaign(marketing, go_live_in=timedelta(days=5))
    add_impact(soon, sales, Impact.Level.HIGH)
    soon.stages.all().delete()
    _warn(soon, [employee], [sales])
    assert _row(soon).rag == RED


def test_a_missing_briefing_for_a_high_impact_audience_is_a_shortfall_once_due(
    marketing, sales_people, sales
):
    c = make_campaign(marketing, go_live_in=timedelta(days=6, hours=12))
    add_impact(c, sales, Impact.Level.HIGH)
    _warn(c, sales_people, [sales])
    row = _row(c)
    assert row.rag == RED  # within the default 7 days of go-live
    assert row.shortfalls == [
        f"No briefing session is scheduled for Sales (due by {(c.go_live_at - timedelta(days=7)):%-d %b}). "
        "Schedule a session under Briefings and coverage."
    ]


def test_briefing_is_not_a_target_for_a_medium_impact_audience(marketing, sales, sales_people):
    c = make_campaign(marketing)
    add_impact(c, sales, Impact.Level.MEDIUM)
    _warn(c, sales_people, [sales])
    assert _row(c).rag == GREEN


def test_campaign_targets_replace_the_defaults(campaign, sales_people, sales, employee):
    ReadinessThreshold.objects.create(campaign=campaign, warned_pct=50, briefed_pct=0)
    campaign.stages.all().delete()
    _warn(campaign, [employee], [sales])
    assert _row(campaign).rag == GREEN


def test_an_empty_audience_has_no_target(marketing):
    from people.models import Audience

    nobody = Audience.objects.create(name="Nobody", department="Nowhere")
    c = make_campaign(marketing)
    add_impact(c, nobody)
    assert _row(c).rag == NO_TARGET


def test_a_list_audience_counts_its_listed_members(marketing, employee, employee_ny):
    from people.models import Audience

    listed = Audience.objects.create(name="Pilot group", kind=Audience.Kind.LIST)
    listed.members.set([employee, employee_ny])
    c = make_campaign(marketing)
    add_impact(c, listed)
    _warn(c, [employee_ny], [listed])
    assert _row(c).warned.text == "50% (1 of 2)"


# --- pages -----------------------------------------------------------------------------------
def test_ic_sees_readiness_of_every_upcoming_go_live(client_for, ic, campaign, other_campaign):
    response = client_for(ic).get(reverse("readiness"))
    assert response.status_code == 200
    titles = [r.campaign.title for r in response.context["results"]]
    assert titles == ["Secret Summer Launch", "Spring Savings"]


def test_marketing_sees_readiness_of_their_own_campaigns_only(
    client_for, marketing, campaign, other_campaign
):
    body = client_for(marketing).get(reverse("readiness")).content.decode()
    assert "Spring Savings" in body and "Secret Summer Launch" not in body


@pytest.mark.parametrize("persona", ["employee", "presenter"])
def test_employees_and_presenters_may_not_see_readiness(client_for, request, persona):
    assert client_for(request.getfixturevalue(persona)).get(reverse("readiness")).status_code == 403


def test_readiness_url_does_not_clash_with_campaign_pages(client_for, ic, campaign):
    client = client_for(ic)
    assert client.get("/campaigns/readiness/").resolver_match.url_name == "readiness"
    assert client.get(f"/campaigns/{campaign.pk}/").resolver_match.url_name == "campaign_detail"


def test_the_campaign_page_has_the_readiness_panel(client_for, marketing, campaign, sales_people):
    body = client_for(marketing).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert 'id="readiness-h"' in body
    assert "not tracked yet" in body
    assert "Set targets" not in body  # marketing cannot change targets


def test_ic_sets_targets_for_a_campaign(client_for, ic, campaign):
    response = client_for(ic).post(
        reverse("readiness_targets", args=[campaign.pk]),
        {"warned_pct": 80, "briefed_pct": 60, "red_within_days": 3},
    )
    assert response.status_code == 302
    t = campaign.readiness_threshold
    assert (t.warned_pct, t.briefed_pct, t.red_within_days) == (80, 60, 3)


def test_a_target_over_100_percent_is_a_field_error(client_for, ic, campaign):
    response = client_for(ic).post(
        reverse("readiness_targets", args=[campaign.pk]),
        {"warned_pct": 150, "briefed_pct": 60, "red_within_days": 3},
    )
    assert response.status_code == 200 and "warned_pct" in response.context["form"].errors


def test_marketing_may_not_set_targets(client_for, marketing, campaign):
    response = client_for(marketing).post(
        reverse("readiness_targets", args=[campaign.pk]),
        {"warned_pct": 10, "briefed_pct": 10, "red_within_days": 1},
    )
    assert response.status_code == 403
    assert not ReadinessThreshold.objects.exists()


def test_targets_of_an_unknown_campaign_are_not_found(client_for, ic):
    assert client_for(ic).get(reverse("readiness_targets", args=[999])).status_code == 404


@pytest.mark.parametrize("n", [10, 200])
def test_the_readiness_page_takes_a_fixed_number_of_queries(
    client_for, ic, marketing, sales, support, employee, django_assert_num_queries, n
):
    for i in range(n):
        c = make_campaign(marketing, title=f"Campaign {i}", go_live_in=timedelta(days=i + 1))
        add_impact(c, sales)
        add_impact(c, support, Impact.Level.LOW)
        _warn(c, [employee], [sales])
        _brief(c, [employee], [employee], [sales])
    client = client_for(ic)
    client.get(reverse("readiness"))
    with django_assert_num_queries(layout_queries(ic) + 7):  # the layout counts menu badges
        client.get(reverse("readiness"))


def _largest_result(run) -> int:
    """The most rows any one query returned while `run()` ran (PostgreSQL reports it per SELECT)."""
    from django.db import connection

    largest = 0

    def count_rows(execute, sql, params, many, context):
        nonlocal largest
        result = execute(sql, params, many, context)
        largest = max(largest, context["cursor"].rowcount)
        return result

    with connection.execute_wrapper(count_rows):
        run()
    return largest


def test_readiness_counts_people_in_the_database_not_row_by_row(campaign, sales, marketing):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not report how many rows a SELECT returned")
    from django.contrib.auth.models import User

    from people.models import EmployeeProfile

    people = User.objects.bulk_create([User(username=f"sales{n}") for n in range(60)])
    EmployeeProfile.objects.bulk_create(
        [EmployeeProfile(user=u, department="Sales", time_zone="Europe/London") for u in people]
    )
    _warn(campaign, people, [sales])
    _brief(campaign, people, people[:30], [sales])
    rows = []
    largest = _largest_result(lambda: rows.extend(readiness_for([campaign])[0].rows))
    (row,) = rows
    assert (row.size, row.warned.done, row.invited.done, row.briefed.done) == (60, 60, 60, 30)
    assert largest < 10  # a group of counts per signal, never a row per person
