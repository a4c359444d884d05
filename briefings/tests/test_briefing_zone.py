"""A briefing's "in <its zone>" line and its printable pack show the session's own wall-clock time."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from briefings.forms import BriefingForm
from briefings.tests.conftest import make_briefing
from conftest import make_user
from people import roles

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def ic_in_new_york(db):
    return make_user("ivy", group=roles.IC, first_name="Ivy", time_zone="America/New_York")


@pytest.fixture
def london_session(campaign, presenter, sales):
    """A 10:15 to 11:15 session in London on go-live day."""
    day = campaign.go_live_at.astimezone(LONDON).date()
    starts = datetime.combine(day, time(10, 15), tzinfo=LONDON)
    return make_briefing(
        campaign, presenter=presenter, audiences=[sales], starts_at=starts, ends_at=starts.replace(hour=11)
    )


def test_it_shows_the_sessions_own_wall_clock_time_next_to_its_zone(
    client_for, ic_in_new_york, london_session
):
    page = client_for(ic_in_new_york).get(london_session.get_absolute_url()).content.decode()
    assert "10:15\u201311:15 in Europe/London" in page
    local = london_session.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert local.strftime("%H:%M") in page  # the viewer's own time stays the main line


def test_it_prints_the_pack_in_the_sessions_own_wall_clock_time(client_for, ic_in_new_york, london_session):
    url = reverse("briefing_pack_print", args=[london_session.pk])
    page = client_for(ic_in_new_york).get(url).content.decode()
    assert "10:15\u201311:15 (Europe/London)" in page


@pytest.mark.parametrize("name", ["localtime", "Factory"])
def test_it_offers_no_system_names_in_the_zone_list(campaign, name):
    choices = [value for value, _ in BriefingForm(campaign=campaign).fields["time_zone"].choices]
    assert "Europe/London" in choices
    assert name not in choices
