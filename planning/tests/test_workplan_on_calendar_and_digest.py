"""Workplan deliverables on the comms calendar (filterable by team, only for people who may see the
campaign) and in the weekly digest for their owners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import make_campaign, make_user
from people import roles
from people.models import MarcomTeam
from planning.digest import send_due_digests
from workplan.models import Deliverable, Workstream

pytestmark = pytest.mark.django_db

MONDAY_0800_LONDON = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)


def team(slug: str) -> MarcomTeam:
    return MarcomTeam.objects.get(slug=slug)


def deliverable(campaign, slug, title, **fields) -> Deliverable:
    defaults = {"type": "press_release", "channel": "press", "offset_days": -3}
    defaults.update(fields)
    return Deliverable.objects.create(
        workstream=Workstream.for_team(campaign, team(slug)), title=title, **defaults
    )


@pytest.fixture
def launch(marketing):
    with time_machine.travel(MONDAY_0800_LONDON, tick=False):
        c = make_campaign(marketing, title="Aurora launch", go_live_in=timedelta(days=10))
    c.teams.add(team("content"), team("events"))
    return c


def titles(response) -> set[str]:
    return {e.title for d in response.context["days"] for e in d.entries}


def calendar(client, **params):
    return client.get(reverse("calendar"), {"date": "2027-03-10", "view": "list", **params})


def test_deliverables_are_on_the_calendar_filterable_by_team(client_for, ic, launch):
    deliverable(launch, "content", "Launch blog post")
    deliverable(launch, "events", "Invitations", shared_with=team("pr"))
    client = client_for(ic)
    assert {"Launch blog post", "Invitations"} <= titles(calendar(client))
    assert titles(calendar(client, team=team("content").pk)) >= {"Launch blog post"}
    assert "Invitations" not in titles(calendar(client, team=team("content").pk))
    assert "Invitations" in titles(calendar(client, team=team("pr").pk))  # shared with PR


def test_deliverables_do_not_count_in_the_audience_load(launch):
    from planning.entries import collect

    deliverable(launch, "content", "Launch blog post")
    found = collect(
        launch.go_live_at - timedelta(days=30), launch.go_live_at + timedelta(days=1), with_deliverables=True
    )
    assert [e.counts_in_load for e in found.items if e.kind == "deliverable"] == [False]


def test_a_marketer_who_cannot_open_the_campaign_sees_none_of_its_deliverables(client_for, launch):
    dora = make_user("dora", group=roles.MARKETING)
    team("design").members.add(dora)
    deliverable(launch, "content", "Launch blog post")
    assert "Launch blog post" not in titles(calendar(client_for(dora)))


def test_owners_get_their_deliverables_in_the_weekly_digest(launch, other_marketing, mailoutbox):
    deliverable(
        launch, "events", "Launch event invitations", owner=other_marketing, type="event", channel="events"
    )
    deliverable(launch, "content", "Not Omar's")
    send_due_digests(MONDAY_0800_LONDON)
    (message,) = [m for m in mailoutbox if m.to == [other_marketing.email]]
    assert "YOUR DELIVERABLES DUE IN THE NEXT TWO WEEKS" in message.body
    assert "Launch event invitations (Events, Aurora launch)" in message.body
    assert "Not Omar's" not in message.body
    assert f"/campaigns/{launch.pk}/workplan/" in message.alternatives[0][0]
