"""Benchmark /inbox/ for one employee as the delivery table grows from 100,000 to 10,000,000 rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/inbox.py [--runs 9]
    ... bench/inbox.py --keep bench_inbox_mine   # keep the 10M-row database for re-runs (about 2 GB)

The employee is one of STAGES stages' recipients in both cases (the same 1,000 announcements, 50 a
page); only everyone else's rows grow, seeded with COPY. Prints the page's p50 at each size, the
ratio (goal <= 1.5x) and the EXPLAIN (ANALYZE, BUFFERS) of the inbox query at the large size.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Timing, ratio_line, scratch_database, setup_django

STAGES = 1000
SMALL, LARGE = 100_000, 10_000_000
OTHERS = LARGE // STAGES - 1  # everyone else who gets every stage at the large size
GOAL = "<= 1.5x"


def seed_people_and_stages() -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from campaigns.models import Campaign
    from people.models import EmployeeProfile
    from rollout.models import RolloutStage

    owner = User.objects.create_user("bench-owner", "owner@example.com", "x")
    reader = User.objects.create_user("bench-reader", "reader@example.com", "x")
    EmployeeProfile.objects.create(user=reader, time_zone="Europe/London")
    User.objects.bulk_create(
        [User(username=f"emp{n}", email=f"emp{n}@example.com", password="!") for n in range(OTHERS)],
        batch_size=5000,
    )
    start = timezone.now() - timedelta(days=3 * 365)
    campaigns = Campaign.objects.bulk_create(
        [
            Campaign(
                title=f"Campaign {n:04d}",
                slug=f"campaign-{n:04d}",
                owner=owner,
                status=Campaign.Status.CLOSED,
                concept="A concept.",
                details="Details.",
                go_live_at=start + timedelta(days=n),
                embargo_until=start + timedelta(days=n),
            )
            for n in range(STAGES)
        ]
    )
    RolloutStage.objects.bulk_create(
        [
            RolloutStage(
                campaign=c,
                kind="go_live",
                offset_minutes=0,
                send_at=c.go_live_at,
                channels=["in_app"],
                subject=f"{c.title} is live",
                body="**What changes**: everything.",
                state="sent",
            )
            for c in campaigns
        ]
    )


def copy_deliveries(recipients_per_stage: range) -> int:
    """COPY one sent in-app delivery per stage and recipient (the n-th others, by pk order)."""
    from django.contrib.auth.models import User
    from django.db import connection

    from rollout.models import RolloutStage

    stages = list(RolloutStage.objects.order_by("pk").values_list("pk", "send_at"))
    others = list(User.objects.filter(username__startswith="emp").order_by("pk").values_list("pk", flat=True))
    people = others[recipients_per_stage.start : recipients_per_stage.stop]
    if recipients_per_stage.start == 0:
        people = [User.objects.get(username="bench-reader").pk, *people[:-1]]
    columns = "stage_id, recipient_id, channel, status, message_id, attempts, last_error, created_at, sent_at"
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # skip FK triggers for the seed only
        with cursor.cursor.copy(f"COPY campaigns_delivery ({columns}) FROM STDIN") as copy:
            for stage_pk, sent_at in stages:
                at = sent_at.isoformat()
                block = "".join(
                    f"{stage_pk}\t{p}\tin_app\tsent\t{stage_pk:016x}{p:016x}\t1\t\t{at}\t{at}\n"
                    for p in people
                )
                copy.write(block)
                rows += len(people)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE campaigns_delivery")
    return rows


def delivery_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM campaigns_delivery")
        return cursor.fetchone()[0]


def measure_inbox(runs: int) -> Timing:
    from django.contrib.auth.models import User
    from django.test import Client, override_settings

    statics = {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    with override_settings(STORAGES=statics, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(User.objects.get(username="bench-reader"))
        for _ in range(2):
            response = client.get("/inbox/")
            assert response.status_code == 200, response.status_code
            assert b"Campaign 0999" in response.content
        seconds = []
        for _ in range(max(runs, 3)):
            start = time.perf_counter()
            client.get("/inbox/")
            seconds.append(time.perf_counter() - start)
    return Timing(seconds)


def explain_inbox() -> None:
    from django.contrib.auth.models import User
    from django.db import connection

    from explainers.views import INBOX_PAGE_SIZE, inbox_deliveries

    page = inbox_deliveries(User.objects.get(username="bench-reader"))[:INBOX_PAGE_SIZE]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="page loads per size (at least 3)")
    parser.add_argument(
        "--keep", metavar="DBNAME", help="keep the seeded database (reused when it has 10M rows)"
    )
    args = parser.parse_args()
    with scratch_database("inbox", keep=args.keep) as url:
        setup_django(url)
        per_stage_small = SMALL // STAGES
        if delivery_count() == 0:
            started = time.perf_counter()
            seed_people_and_stages()
            copy_deliveries(range(0, per_stage_small))
            print(
                f"seeded {delivery_count():,} deliveries in {time.perf_counter() - started:.0f} s", flush=True
            )
        small = None
        if delivery_count() < LARGE:
            small = measure_inbox(args.runs)
            print(f"/inbox/ at {delivery_count():,} deliveries: {small}", flush=True)
            started = time.perf_counter()
            copy_deliveries(range(per_stage_small - 1, OTHERS))
            print(
                f"COPY to {delivery_count():,} deliveries in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
        large = measure_inbox(args.runs)
        if small is not None:
            print(ratio_line("/inbox/ p50 at 10M rows", large, "at 100k rows", small, GOAL))
        else:
            print(f"/inbox/ p50 at 10M rows: {large} (kept database: no 100k figure this run)")
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the inbox page query at 10M rows:")
        explain_inbox()


if __name__ == "__main__":
    main()
