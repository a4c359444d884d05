"""Planning sees every announcement: a stage without its own audiences goes to the campaign's medium
and high impact audiences, and the load, the warnings and the calendar count it there too."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from campaigns import warnings
from campaigns.models import Impact
from conftest import add_impact
from people.models import Audience
from planning.tests.conftest import make_comms, make_stage, utc
from rollout.models import RolloutStage

TUE = utc(2027, 1, 12, 10, 0)  # a Tuesday; its ISO week starts Monday 11 January


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(utc(2027, 1, 5, 12, 0), tick=False):
        yield


@pytest.fixture
def bystanders(db) -> Audience:
    return Audience.objects.create(name="Bystanders", department="Elsewhere")


@pytest.fixture
def default_plan(campaign, sales, support, bystanders):
    """Two default-plan stages (no audiences of their own) of Mia's campaign, in the week of 11 January:
    Sales is high impact, Support medium, Bystanders low."""
    add_impact(campaign, support, Impact.Level.MEDIUM)
    add_impact(campaign, bystanders, Impact.Level.LOW)
    return [make_stage(campaign, TUE + timedelta(hours=n), []) for n in (0, 1)]


WEEK = date(2027, 1, 11)


def _heat(client, audience: Audience) -> int:
    """The heat map's count for the audience in the week of 11 January."""
    rows = client.get(reverse("planning_load")).context["rows"]
    (row,) = [r for r in rows if r.audience == audience]
    (cell,) = [c for c in row.cells if c.monday == WEEK]
    return cell.count


def test_default_plan_stages_count_towards_audience_load(
    client_for, ic, default_plan, sales, support, bystanders
):
    client = client_for(ic)
    assert (_heat(client, sales), _heat(client, support), _heat(client, bystanders)) == (2, 2, 0)


def test_default_plan_stages_count_towards_the_weekly_cap(default_plan, sales):
    make_comms(TUE + timedelta(days=1), [sales])
    conflicts = warnings.conflicts_for([sales], TUE + timedelta(days=2))
    assert [c.kind for c in conflicts] == ["cap"]
    assert "announcement 4" in conflicts[0].message


def test_a_send_near_another_campaigns_default_plan_stage_is_a_collision(
    default_plan, other_campaign, support
):
    conflicts = warnings.conflicts_for([support], TUE + timedelta(hours=3), campaign=other_campaign)
    assert [c.kind for c in conflicts] == ["collision"]
    assert conflicts[0].items[0].label.startswith("Spring Savings")


def test_the_calendar_audience_filter_finds_default_plan_stages(client_for, ic, default_plan, support):
    response = client_for(ic).get(
        reverse("calendar"), {"view": "list", "date": "2027-01-12", "audience": support.pk}
    )
    shown = [e for d in response.context["days"] for e in d.entries if d.day == date(2027, 1, 12)]
    assert [(e.title, e.label) for e in shown] == [("Spring Savings", "Custom"), ("Spring Savings", "Custom")]
    assert all(e.audience_text == "Sales, Support" for e in shown)


def test_the_campaign_page_warns_when_default_plan_stages_overload_an_audience(
    client_for, ic, campaign, default_plan, support
):
    make_comms(TUE + timedelta(days=1), [support], title="Support town hall")
    make_comms(TUE + timedelta(days=2), [support], title="Support survey")
    page = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    assert "Support 4 announcements (cap 3)" in page


def test_an_explicit_audience_replaces_the_campaigns_impacts(campaign, sales, support):
    stage = make_stage(campaign, TUE, [support])
    default = make_stage(campaign, TUE, [])
    ids = RolloutStage.objects.filter(pk__in=[stage.pk, default.pk]).target_ids()
    assert ids == {stage.pk: {support.pk}, default.pk: {sales.pk}}
    assert [a.pk for a in default.target_audiences()] == [sales.pk]


def test_a_default_stage_counts_for_an_audience_added_to_the_campaign_later(
    client_for, ic, campaign, sales, support
):
    make_stage(campaign, TUE, [])
    assert _heat(client_for(ic), support) == 0
    add_impact(campaign, support, Impact.Level.HIGH)
    assert _heat(client_for(ic), support) == 1
