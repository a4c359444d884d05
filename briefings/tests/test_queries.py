"""Briefing list and coverage fetch in a fixed number of queries, however many briefings and invitees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefings.models import Invitation
from briefings.panels import coverage, coverage_panel
from briefings.tests.conftest import make_briefing
from conftest import make_user

pytestmark = pytest.mark.django_db

# Everything a page costs besides its own content (session, user, role groups, menu badges) is
# shared with every other page; this budget caps the total so a regression shows either way.
PAGE_BUDGET = 12


def grow(campaign, presenter, audiences, *, briefings: int, invitees: int, employee):
    people = [make_user(f"p{briefings}x{i}", group="Employee", department="Sales") for i in range(invitees)]
    for n in range(briefings):
        b = make_briefing(
            campaign, presenter=presenter, audiences=audiences, title=f"Session {n}", capacity=invitees // 2
        )
        invitations = Invitation.objects.bulk_create(
            Invitation(briefing=b, user=u) for u in [employee, *people]
        )
        for inv in invitations[: invitees // 2 + 2]:
            inv.respond(Invitation.Rsvp.YES)


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["ic", "presenter", "employee", "marketing"])
def test_briefing_list_queries_do_not_grow(
    request, client_for, campaign, presenter, sales, employee, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    url = reverse("briefing_list")
    grow(campaign, presenter, [sales], briefings=1, invitees=2, employee=employee)
    small = count_queries(lambda: client.get(url))
    grow(campaign, presenter, [sales], briefings=8, invitees=25, employee=employee)
    response = client.get(url)
    assert len(response.context["briefings"]) == 9
    large = count_queries(lambda: client.get(url))
    assert small == large
    assert large <= PAGE_BUDGET


@pytest.mark.parametrize(("briefings", "invitees"), [(1, 2), (10, 40)])
def test_coverage_is_two_queries(
    campaign, presenter, sales, support, employee, django_assert_num_queries, briefings, invitees
):
    grow(campaign, presenter, [sales, support], briefings=briefings, invitees=invitees, employee=employee)
    with django_assert_num_queries(2):
        rows = coverage(campaign)
    assert {r["audience"].name for r in rows} == {"Sales", "Support"}


@pytest.mark.parametrize(("briefings", "invitees"), [(1, 2), (10, 40)])
def test_coverage_panel_is_three_queries(
    rf, ic, campaign, presenter, sales, employee, django_assert_num_queries, briefings, invitees
):
    grow(campaign, presenter, [sales], briefings=briefings, invitees=invitees, employee=employee)
    request = rf.get("/")
    request.user = ic
    ic._role_names = frozenset({"IC"})  # roles are looked up once per request elsewhere
    with django_assert_num_queries(3):
        context = coverage_panel(request, campaign)
    assert len(context["briefings"]) == briefings
