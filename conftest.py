"""Shared fixtures: personas and small factories so each test reads as a story."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from campaigns.models import Campaign, Impact
from people import roles
from people.models import Audience, EmployeeProfile, MarcomTeam

PASSWORD = "campaignhub-test"


def pytest_configure(config):
    """The SQLite test database (and the filesystem broker) live under var/, which git ignores and
    settings never create on import: a fresh clone's first `make test` needs it made here."""
    from django.conf import settings

    Path(settings.VAR_DIR).mkdir(exist_ok=True)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: every test must run against the real services."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") == "true" and reporter and reporter.stats.get("skipped"):
        reporter.write_line(
            f"CI: {len(reporter.stats['skipped'])} skipped test(s); failing the run.", red=True
        )
        session.exitstatus = 1


def make_user(
    username: str, *, group: str | None = None, first_name: str = "", time_zone: str = "UTC", **profile
) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password=PASSWORD,
        first_name=first_name or username.title(),
        last_name="Tester",
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    EmployeeProfile.objects.create(user=user, time_zone=time_zone, **profile)
    return user


def make_campaign(
    owner: User, *, title: str = "Spring Savings", go_live_in: timedelta = timedelta(days=30), **fields
) -> Campaign:
    go_live_at = fields.pop("go_live_at", None) or timezone.now() + go_live_in
    defaults = {
        "concept": "A fresh look at savings for families.",
        "details": "Rates drop to 1.9% for all new customers.",
        "go_live_at": go_live_at,
        "embargo_until": fields.pop("embargo_until", None) or go_live_at,
    }
    defaults.update(fields)
    return Campaign.objects.create(title=title, owner=owner, **defaults)


def add_impact(campaign: Campaign, audience: Audience, level: str = Impact.Level.HIGH, **fields) -> Impact:
    return Impact.objects.create(campaign=campaign, audience=audience, level=level, **fields)


@pytest.fixture
def marketing(db) -> User:
    user = make_user(
        "mia", group=roles.MARKETING, first_name="Mia", department="Marketing", time_zone="Europe/London"
    )
    MarcomTeam.objects.get(slug="content").members.add(user)
    return user


@pytest.fixture
def other_marketing(db) -> User:
    """A marketer on another team: must not see or edit Mia's campaigns."""
    user = make_user("omar", group=roles.MARKETING, first_name="Omar", department="Marketing")
    MarcomTeam.objects.get(slug="events").members.add(user)
    return user


@pytest.fixture
def ic(db) -> User:
    return make_user(
        "ian", group=roles.IC, first_name="Ian", department="Communications", time_zone="Europe/London"
    )


@pytest.fixture
def presenter(db) -> User:
    return make_user(
        "pat", group=roles.PRESENTER, first_name="Pat", department="Sales", team="North", location="London"
    )


@pytest.fixture
def employee(db) -> User:
    """Emma, a London branch employee in Sales."""
    return make_user(
        "emma",
        group=roles.EMPLOYEE,
        first_name="Emma",
        department="Sales",
        team="North",
        location="London",
        role="Adviser",
        time_zone="Europe/London",
    )


@pytest.fixture
def employee_ny(db) -> User:
    """Noah, a support agent in New York: another audience and another time zone."""
    return make_user(
        "noah",
        group=roles.EMPLOYEE,
        first_name="Noah",
        department="Support",
        team="East",
        location="New York",
        role="Agent",
        time_zone="America/New_York",
    )


@pytest.fixture
def sales(db) -> Audience:
    return Audience.objects.create(name="Sales", department="Sales")


@pytest.fixture
def support(db) -> Audience:
    return Audience.objects.create(name="Support", department="Support")


@pytest.fixture
def campaign(marketing, sales) -> Campaign:
    """Mia's draft campaign, going live in 30 days, high impact on Sales."""
    c = make_campaign(marketing)
    add_impact(c, sales, Impact.Level.HIGH, what_changes="New rates to explain", what_to_do="Read the FAQ")
    return c


@pytest.fixture
def client_for(client):
    """Sign a persona in: client_for(user) returns the logged-in test client."""

    def sign_in(user: User):
        client.force_login(user)
        return client

    return sign_in
