"""The weekly digest: Monday 08:00 in each person's zone, once a week, go-lives and over-cap audiences."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings

from campaigns.models import Impact
from conftest import add_impact, make_campaign, make_user
from planning.digest import send_due_digests
from planning.models import DigestLog
from planning.tests.conftest import make_comms

MONDAY_0800_LONDON = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)  # GMT until 28 March
MONDAY_0800_NEW_YORK = datetime(2027, 3, 8, 13, 0, tzinfo=UTC)  # EST until 14 March


@pytest.fixture
def go_live(marketing, sales):
    with time_machine.travel(MONDAY_0800_LONDON, tick=False):
        c = make_campaign(marketing, title="Spring Savings", go_live_in=timedelta(days=10))
    add_impact(c, sales, Impact.Level.HIGH)
    return c


def _to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_ic_gets_the_digest_on_monday_at_eight_in_their_zone(ic, go_live, mailoutbox):
    go_live.stages.all().delete()  # without the engine's default plan nothing is tracked yet
    assert send_due_digests(MONDAY_0800_LONDON - timedelta(minutes=30)) == 0
    assert send_due_digests(MONDAY_0800_LONDON) == 2  # Ian (IC) and Mia (the owner)
    (message,) = _to(mailoutbox, ic)
    assert message.subject == "CampaignHub week ahead: 1 go-live in the next two weeks"
    assert "Spring Savings" in message.body and "Thu 18 Mar, 08:00" in message.body
    assert "Sales (high impact" in message.body and "warned not tracked yet" in message.body


def test_the_digest_is_multipart_with_an_html_table(ic, go_live, mailoutbox):
    send_due_digests(MONDAY_0800_LONDON)
    html, mimetype = mailoutbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert "<table" in html and "Spring Savings" in html and "not tracked yet" in html


def test_a_person_in_new_york_gets_it_at_eight_new_york_time(go_live, mailoutbox, sales):
    nia = make_user("nia", group="IC", time_zone="America/New_York")
    send_due_digests(MONDAY_0800_LONDON)
    assert _to(mailoutbox, nia) == []
    send_due_digests(MONDAY_0800_NEW_YORK)
    (message,) = _to(mailoutbox, nia)
    assert "Thu 18 Mar, 04:00" in message.body  # go-live 08:00 GMT is 04:00 EDT that day


def test_each_person_gets_one_digest_a_week_however_many_ticks(ic, go_live, mailoutbox):
    for hours in range(0, 12):
        send_due_digests(MONDAY_0800_LONDON + timedelta(hours=hours))
    assert len(_to(mailoutbox, ic)) == 1
    send_due_digests(MONDAY_0800_LONDON + timedelta(days=7))
    assert len(_to(mailoutbox, ic)) == 2


def test_no_digest_on_other_days(ic, go_live, mailoutbox):
    assert send_due_digests(MONDAY_0800_LONDON + timedelta(days=1)) == 0


def test_an_owner_gets_only_their_own_go_lives(marketing, other_marketing, go_live, sales, mailoutbox):
    with time_machine.travel(MONDAY_0800_LONDON, tick=False):
        make_campaign(other_marketing, title="Secret Summer Launch", go_live_in=timedelta(days=5))
    send_due_digests(MONDAY_0800_LONDON)
    (mia,) = _to(mailoutbox, marketing)
    assert "Spring Savings" in mia.body and "Secret Summer Launch" not in mia.body
    (omar,) = _to(mailoutbox, other_marketing)
    assert "Secret Summer Launch" in omar.body and "Spring Savings" not in omar.body


def test_owners_with_nothing_going_live_get_no_digest(marketing, mailoutbox):
    with time_machine.travel(MONDAY_0800_LONDON, tick=False):
        make_campaign(marketing, go_live_in=timedelta(days=40))
    assert send_due_digests(MONDAY_0800_LONDON) == 0


def test_the_digest_names_audiences_over_cap(ic, go_live, sales, mailoutbox):
    for n in range(4):
        make_comms(MONDAY_0800_LONDON + timedelta(days=7, hours=n), [sales], title=f"Item {n}")
    send_due_digests(MONDAY_0800_LONDON)
    body = _to(mailoutbox, ic)[0].body
    # Four comms items, and the campaign's default reminder and go-live stages (to Sales, high impact).
    assert "Sales, week of Mon 15 Mar: 6 announcements (cap 3)" in body
    assert "1 audience week over cap" in _to(mailoutbox, ic)[0].subject


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_failed_send_gives_the_week_back_for_the_next_tick(ic, go_live, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    assert send_due_digests(MONDAY_0800_LONDON) == 0
    assert DigestLog.objects.get(user=ic).last_digest_on < MONDAY_0800_LONDON.date()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_due_digests(MONDAY_0800_LONDON + timedelta(hours=1))
    assert len(_to(mailoutbox, ic)) == 1


def test_beat_ticks_the_digest_hourly():
    entry = django_settings.CELERY_BEAT_SCHEDULE["planning-weekly-digest"]
    assert entry["task"] == "planning.tasks.send_weekly_digests"
    assert entry["schedule"] == timedelta(hours=1)
