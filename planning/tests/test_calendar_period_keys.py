"""The unfiltered month and list pick what they draw in the database (PeriodKeys): the same entries,
in the same order, with the same counts as collect() filtered in Python, and only those are fetched."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Impact
from conftest import add_impact, make_campaign
from people.models import MarcomTeam
from planning import entries
from planning.tests.conftest import make_briefing, make_comms, make_stage
from rollout.models import RolloutStage
from workplan.models import Deliverable, Workstream

NOW = timezone.datetime(2027, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(0))
NEW_YORK = ZoneInfo("America/New_York")
MARCH = (timezone.datetime(2027, 3, 1, tzinfo=NEW_YORK), timezone.datetime(2027, 4, 1, tzinfo=NEW_YORK))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _busy_month(owner, audiences, n: int = 12) -> None:
    """Several entries of every kind a day, some at the same minute, some near local midnight."""
    for i in range(n):
        c = make_campaign(owner, title=f"Campaign {i}", go_live_in=timedelta(days=i % 4, hours=i))
        add_impact(c, audiences[0], Impact.Level.MEDIUM)
        make_stage(c, NOW + timedelta(days=i % 3), audiences)
        make_stage(c, NOW + timedelta(days=i % 3, hours=11, minutes=30), audiences)  # ~23:30 or 04:30 NY
        make_briefing(c, NOW + timedelta(days=i % 2), audiences)  # the same minute as a stage
        make_comms(NOW + timedelta(days=i % 5, hours=1), audiences, title=f"Item {i}")
        Deliverable.objects.create(
            workstream=Workstream.for_team(c, MarcomTeam.objects.get(slug="content")),
            title=f"Press release {i}",
            type="press_release",
            channel="press",
            offset_days=-(i % 3),
        )
    cancelled = make_campaign(owner, title="Cancelled", go_live_in=timedelta(days=1))
    make_stage(cancelled, NOW, audiences)
    Campaign.objects.filter(pk=cancelled.pk).update(status=Campaign.Status.CANCELLED)
    skipped = make_stage(make_campaign(owner, title="Skipped"), NOW, audiences)
    RolloutStage.objects.filter(pk=skipped.pk).update(state=RolloutStage.State.SKIPPED)


def _expected(viewer: entries.Viewer) -> list[entries.Entry]:
    """What the calendar shows, as the filtered views compute it: everything, in Python."""
    found = entries.collect(*MARCH, with_deliverables=True)
    return [e for e in found.items if not (e.kind == "deliverable" and not viewer.can_open(e.campaign_id))]


@pytest.mark.parametrize("persona", ["ic", "marketing", "other_marketing"])
def test_the_first_entries_of_each_day_and_the_day_counts_match_the_full_month(
    request, marketing, sales, support, persona
):
    _busy_month(marketing, [sales, support])
    viewer = entries.Viewer.for_user(request.getfixturevalue(persona))
    expected = _expected(viewer)
    by_day: dict = {}
    for e in expected:
        by_day.setdefault(e.at.astimezone(NEW_YORK).date(), []).append(e.key)

    keys, counts = entries.PeriodKeys(*MARCH, NEW_YORK, viewer).first_of_each_day(4)

    assert counts == {day: len(keys_) for day, keys_ in by_day.items()}
    assert sorted(keys) == sorted(k for keys_ in by_day.values() for k in keys_[:4])
    assert max(counts.values()) > 4  # the busy days are cut


@pytest.mark.parametrize("persona", ["ic", "other_marketing"])
def test_list_pages_are_the_full_month_in_order_a_slice_at_a_time(request, marketing, sales, persona):
    _busy_month(marketing, [sales])
    viewer = entries.Viewer.for_user(request.getfixturevalue(persona))
    expected = [e.key for e in _expected(viewer)]
    period = entries.PeriodKeys(*MARCH, NEW_YORK, viewer)

    assert period.count() == len(expected)
    assert [k for start in range(0, len(expected), 7) for k in period[start : start + 7]] == expected


def test_the_period_names_the_campaigns_the_viewer_may_open(marketing, other_marketing, sales):
    _busy_month(marketing, [sales], n=3)
    found = entries.collect(*MARCH, with_deliverables=True)
    for user in (marketing, other_marketing):
        viewer = entries.Viewer.for_user(user)
        shown = sorted((c.pk, c.title) for c in found.campaigns.values() if viewer.can_open(c.pk))
        assert sorted(entries.PeriodKeys(*MARCH, NEW_YORK, viewer).campaign_choices()) == shown
    assert (
        entries.PeriodKeys(*MARCH, NEW_YORK, entries.Viewer.for_user(other_marketing)).campaign_choices()
        == []
    )


@pytest.mark.parametrize("view", ["month", "list"])
def test_the_page_fetches_only_the_entries_it_draws_however_busy_the_month(
    client_for, ic, marketing, sales, view
):
    """A month of 120 stages draws 4 a day (30 days here) or 100 a page; the stage query returns only those."""
    _busy_month(marketing, [sales], n=60)
    client = client_for(ic)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("calendar"), {"date": "2027-03-10", "view": view})
    drawn = sum(len(d.entries) for d in response.context["days"] if d.entries)
    assert drawn <= (4 * 42 if view == "month" else 100)
    stage_queries = [
        q["sql"] for q in queries.captured_queries if 'FROM "campaigns_rolloutstage"' in q["sql"]
    ]
    with connection.cursor() as cursor:
        fetched = 0
        for sql in stage_queries:
            if sql.lstrip().upper().startswith('SELECT "CAMPAIGNS_ROLLOUTSTAGE"."ID" AS "PK"'):
                cursor.execute(sql)
                fetched += len(cursor.fetchall())
    assert 0 < fetched <= drawn
    assert response.context["entry_count"] > drawn
