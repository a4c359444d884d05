"""Briefing fixtures: a scheduled session of Mia's campaign, presented by Pat, for Sales."""

from __future__ import annotations

from datetime import timedelta

import pytest

from briefings.models import Briefing, Invitation
from campaignhub.celery import app as celery_app
from conftest import make_user
from people import roles


def make_briefing(
    campaign, *, presenter=None, audiences=(), starts_in: timedelta | None = None, **fields
) -> Briefing:
    starts_at = fields.pop("starts_at", None) or campaign.go_live_at + (starts_in or timedelta(hours=1))
    starts_at = starts_at.replace(second=0, microsecond=0)  # what a form round-trips
    defaults = {
        "title": "Spring Savings: Sales briefing",
        "ends_at": starts_at + timedelta(hours=1),
        "time_zone": "Europe/London",
        "place": "London HQ, room 4",
    }
    defaults.update(fields)
    briefing = Briefing.objects.create(
        campaign=campaign, presenter=presenter, starts_at=starts_at, **defaults
    )
    briefing.audiences.set(audiences)
    return briefing


def invite(briefing: Briefing, *users) -> list[Invitation]:
    return [Invitation.objects.create(briefing=briefing, user=u) for u in users]


@pytest.fixture
def briefing(campaign, presenter, sales) -> Briefing:
    return make_briefing(campaign, presenter=presenter, audiences=[sales])


@pytest.fixture
def invited(briefing, employee) -> Invitation:
    """Emma's invitation to the Sales briefing."""
    return invite(briefing, employee)[0]


@pytest.fixture
def other_presenter(db):
    return make_user("pia", group=roles.PRESENTER, first_name="Pia")


@pytest.fixture
def eager_celery():
    """Run tasks in-process when enqueued: for content tests through the locmem outbox."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True  # a failing task fails the test
    yield
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False
