"""The tick runs a fixed number of queries per chunk, whatever the number of recipients."""

from __future__ import annotations

from datetime import timedelta
from math import ceil

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Max, Min

from people.models import EmployeeProfile
from rollout import dispatch, mailer
from rollout.models import Delivery, MembershipChange
from rollout.tests.engine import GO_LIVE

pytestmark = pytest.mark.django_db

CHUNK = 50  # rows per INSERT stay under SQLite's bound-parameter limit, so one INSERT per chunk
EARLY = GO_LIVE - timedelta(days=14)
TICK_BASE_QUERIES = (
    22  # claim (and interrupted stages), resolve (id bounds), late joiners (no changes), queue, complete
)


def add_sales_people(n: int) -> None:
    users = User.objects.bulk_create([User(username=f"u{i}", email=f"u{i}@example.com") for i in range(n)])
    EmployeeProfile.objects.bulk_create([EmployeeProfile(user=u, department="Sales") for u in users])


@pytest.mark.parametrize("recipients", [10, 1000])
def test_tick_query_count_grows_only_with_chunks(recipients, running, settings, django_assert_num_queries):
    settings.DISPATCH_CHUNK_SIZE = settings.DISPATCH_INSERT_BATCH = CHUNK
    add_sales_people(recipients)
    MembershipChange.objects.all().delete()  # they joined before this tick: an earlier tick took those
    people = recipients + 1  # and Emma (the `running` fixture)
    rows = 2 * people  # in-app + email each
    ids = User.objects.filter(profile__department="Sales").aggregate(first=Min("pk"), last=Max("pk"))
    id_ranges = ceil((ids["last"] - ids["first"] + 1) / CHUNK)
    # per range of user ids an INSERT … SELECT per channel and a heartbeat; email claims
    per_chunk = 3 * id_ranges + ceil(people / CHUNK)
    queued: list = []
    with django_assert_num_queries(TICK_BASE_QUERIES + per_chunk):
        dispatch.dispatch_due(EARLY, enqueue=queued.append)
    assert Delivery.objects.count() == rows
    assert len(queued) == ceil(people / CHUNK)


@pytest.mark.parametrize("recipients", [10, 50])
def test_email_chunk_runs_fixed_queries_plus_one_per_message(
    recipients, running, settings, django_assert_num_queries, monkeypatch
):
    settings.DISPATCH_CHUNK_SIZE = CHUNK
    monkeypatch.setattr(mailer, "PAUSE_CHECK_SECONDS", 3600)  # only the per-message-count checks
    add_sales_people(recipients - 1)  # and Emma
    queued: list = []
    dispatch.dispatch_due(EARLY, enqueue=queued.append)
    # savepoint, claim (select + update), release, load rows, load stage, one update per accepted
    # message, completion (select + update); on PostgreSQL also SET/RESET synchronous_commit, and the
    # per-message update goes through libpq's asynchronous calls (overlapped with the next message's
    # SMTP round trips), outside Django's cursor, so it is not counted here: the rows say it ran.
    postgresql = connection.vendor == "postgresql"
    fixed = 8 + (2 if postgresql else 0)
    marks = 0 if postgresql else recipients
    pause_checks = (recipients - 1) // mailer.PAUSE_CHECK_EVERY  # one indexed read every few messages
    with django_assert_num_queries(fixed + marks + pause_checks):
        assert mailer.send_email_chunk(queued[0], now=EARLY) == recipients
    assert Delivery.objects.filter(channel="email", status="sent").count() == recipients
