"""Role homes: what each role finds on its home page, and that each costs the same number of
queries with little data and with a lot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from briefings.models import Briefing, Invitation
from campaigns.models import Impact
from conftest import add_impact, make_campaign
from planning.tests.conftest import make_briefing, make_stage
from rollout.models import Delivery
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db


def _lots_of(n, marketing, sales, support, employee, presenter):
    """n campaigns affecting Sales, each with a sent early warning to Emma, a session Pat presents
    (one upcoming, attended, delivered with feedback), and a submitted or approved status."""
    for i in range(n):
        c = make_campaign(
            marketing,
            title=f"C{i}",
            go_live_in=timedelta(days=i + 2),
            status="submitted" if i % 2 else "approved",
        )
        add_impact(c, sales)
        add_impact(c, support, Impact.Level.LOW)
        stage = make_stage(
            c, timezone.now() - timedelta(hours=1), [sales], kind="early_warning", state="sent"
        )
        Delivery.objects.create(
            stage=stage, recipient=employee, channel="in_app", status="sent", sent_at=timezone.now()
        )
        upcoming = make_briefing(c, timezone.now() + timedelta(days=1, hours=i), [sales], presenter=presenter)
        Invitation.objects.create(briefing=upcoming, user=employee)
        past = make_briefing(
            c,
            timezone.now() - timedelta(days=2, hours=i),
            [sales],
            presenter=presenter,
            status=Briefing.Status.DELIVERED,
        )
        Invitation.objects.create(
            briefing=past, user=employee, attended_at=timezone.now() - timedelta(days=2)
        )


# What each home fetches after the layout (session, user, profile, menu and its badges). Readiness
# (planning.readiness_for) is 5 here: impacts, flags, warnings planned, sessions, and every count
# (audience sizes and each signal per audience, one UNION ALL of GROUP BYs).
PANEL_QUERIES = {
    "ic": 1 + 1 + 5 + 3,  # review queue; next go-lives + readiness; load (counted in SQL, caps, audiences)
    "marketing": 1 + 5,  # my campaigns + readiness
    "presenter": 3 + 2 + 3 + 2,  # sessions; inbox; my briefings; explainers
    "employee": 2 + 3 + 3,  # inbox; my briefings and feedback waiting; explainers (audiences, campaigns)
}


@pytest.mark.parametrize("n", [2, 20])
@pytest.mark.parametrize("persona", ["ic", "marketing", "presenter", "employee"])
def test_every_home_takes_a_fixed_number_of_queries(
    client_for, request, persona, n, marketing, sales, support, employee, presenter, django_assert_num_queries
):
    _lots_of(n, marketing, sales, support, employee, presenter)
    user = request.getfixturevalue(persona)
    client = client_for(user)
    client.get("/")
    with django_assert_num_queries(layout_queries(user) + PANEL_QUERIES[persona]):
        assert client.get("/").status_code == 200


# --- what each role finds ------------------------------------------------------------------------
def test_presenter_sees_next_sessions_with_rsvp_counts_and_pack_and_attendance(
    client_for, campaign, sales, presenter, employee
):
    session = make_briefing(
        campaign, timezone.now() + timedelta(days=2), [sales], presenter=presenter, capacity=12
    )
    Invitation.objects.create(briefing=session, user=employee, rsvp="yes")
    body = client_for(presenter).get("/").content.decode()
    assert "Briefing on Spring Savings" in body
    assert "<strong>1</strong> coming of 12 seats" in body
    assert f"/briefings/{session.pk}/attendance/" in body
    assert "Pack opens" in body  # the pack is released at the embargo, 30 days away


def test_presenter_is_asked_to_take_attendance_after_a_session(client_for, campaign, sales, presenter):
    make_briefing(campaign, timezone.now() - timedelta(hours=3), [sales], presenter=presenter)
    body = client_for(presenter).get("/").content.decode()
    assert "Waiting for you: record who came" in body


def test_employee_answers_a_briefing_in_one_tap_from_home(client_for, campaign, sales, employee):
    session = make_briefing(campaign, timezone.now() + timedelta(days=2), [sales])
    invitation = Invitation.objects.create(briefing=session, user=employee)
    client = client_for(employee)
    assert 'name="answer" value="maybe"' in client.get("/").content.decode()
    response = client.post(f"/briefings/{session.pk}/rsvp/", {"answer": "maybe", "next": "home"})
    assert response.status_code == 302 and response.url == "/"
    invitation.refresh_from_db()
    assert invitation.rsvp == "maybe"


def test_employee_sees_unread_items_and_the_teaser_of_a_campaign_that_affects_them(
    client_for, campaign, sales, employee
):
    campaign.status = "approved"
    campaign.save()
    stage = make_stage(
        campaign, timezone.now() - timedelta(hours=1), [sales], kind="early_warning", state="sent"
    )
    Delivery.objects.create(
        stage=stage, recipient=employee, channel="in_app", status="sent", sent_at=timezone.now()
    )
    body = client_for(employee).get("/").content.decode()
    assert "1 unread" in body
    assert campaign.concept in body
    assert campaign.details not in body  # embargoed until go-live


def test_marketing_sees_who_is_behind_and_why(client_for, marketing, campaign, employee):
    campaign.stages.all().delete()  # no early warning planned for a high-impact audience
    body = client_for(marketing).get("/").content.decode()
    assert "<strong>Sales</strong> is behind: No early warning is planned for Sales" in body


def test_ic_sees_next_go_lives_with_readiness_and_load_warnings(client_for, ic, campaign, sales, employee):
    campaign.status = "approved"
    campaign.save()
    for hours in range(4):  # four sends in one week over the default cap of three
        make_stage(campaign, timezone.now() + timedelta(days=1, hours=hours), [sales])
    body = client_for(ic).get("/").content.decode()
    assert "Next go-lives" in body and "Green: on track" in body
    assert "audience week over cap" in body
