import io
from datetime import timedelta

import pytest

from briefings import demo
from briefings.models import Briefing, Feedback, Invitation
from campaigns.models import Campaign, Impact
from conftest import add_impact, make_campaign, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(marketing, sales, employee, employee_ny):
    make_user("presenter", group="Presenter", department="Sales")
    for n in range(3):
        make_user(f"sales{n}", group="Employee", department="Sales")
    upcoming = make_campaign(marketing, title="Upcoming", status=Campaign.Status.APPROVED)
    add_impact(upcoming, sales, Impact.Level.HIGH)
    live = make_campaign(
        marketing, title="Live one", status=Campaign.Status.LIVE, go_live_in=-timedelta(days=3)
    )
    add_impact(live, sales, Impact.Level.HIGH)


def test_demo_seed_creates_briefings_invitations_answers_and_feedback(demo_world):
    out = io.StringIO()
    demo.seed(out)
    assert Briefing.objects.count() == 3
    assert Invitation.objects.exclude(rsvp="pending").exists()
    assert Invitation.objects.filter(is_waitlisted=True).exists()
    assert Briefing.objects.filter(status="delivered").count() == 1
    assert Feedback.objects.filter(user__isnull=True).exists()
    assert "3 created" in out.getvalue()


def test_demo_seed_is_idempotent(demo_world):
    demo.seed(io.StringIO())
    counts = (Briefing.objects.count(), Invitation.objects.count(), Feedback.objects.count())
    out = io.StringIO()
    demo.seed(out)
    assert (Briefing.objects.count(), Invitation.objects.count(), Feedback.objects.count()) == counts
    assert "0 created" in out.getvalue()


def test_demo_seed_without_presenter_account_does_nothing(db):
    out = io.StringIO()
    demo.seed(out)
    assert "skipped" in out.getvalue()
    assert not Briefing.objects.exists()
