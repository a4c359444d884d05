"""Fan-out benchmark (not a test): one stage to 100,000 in-app recipients vs COPY and INSERT … SELECT.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/fanout.py

Creates its own scratch database (bench/harness.py), seeds the people with COPY, then measures, in
turns so that load on a shared machine hits all three alike (BENCH_RUNS rounds, default 3; medians
with min-max):
- the dispatch tick that fans the stage out (run in a fresh process, time and peak RSS measured there);
- a raw psycopg COPY of the same rows (ids read beforehand; in-app rows have no message_id);
- a hand-written INSERT … SELECT of the same rows, the floor for SQL fan-out.
Every run starts from an empty delivery table with the same indexes. Goal: tick <= 2x COPY.
bench/fanout_million.py runs the same at 1,000,000 recipients; email is measured in bench/email.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Timing, peak_rss_mb, ratio_line, scratch_database, setup_django

DEPARTMENT = "Fanout"


def seed_people(n: int, department: str = DEPARTMENT) -> None:
    """n active people in one department: users by COPY, their profiles by one INSERT … SELECT."""
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy(
            "COPY auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined) FROM STDIN"
        ) as copy:
            for i in range(n):
                copy.write_row(
                    ("!", False, f"p{i}", "Pat", f"N{i}", f"p{i}@example.com", False, True, "2026-01-01")
                )
        cursor.execute(
            "INSERT INTO campaigns_employeeprofile (user_id, department, team, location, role, time_zone, "
            "preferred_channels) SELECT id, %s, '', 'London', '', 'Europe/London', '[]' FROM auth_user",
            [department],
        )
        cursor.execute("VACUUM ANALYZE")


def in_app_stage(department: str = DEPARTMENT):
    """One approved campaign with one in-app stage for the department's audience; returns the stage."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from campaigns.models import Campaign, Impact
    from people.models import Audience
    from rollout.models import RolloutStage

    owner = User.objects.create(username="bench-owner")
    audience = Audience.objects.create(name=department, department=department)
    campaign = Campaign.objects.create(
        title=f"Bench {department}",
        owner=owner,
        concept="Concept",
        go_live_at=timezone.now() + timedelta(days=30),
        status=Campaign.Status.APPROVED,
    )
    Impact.objects.create(campaign=campaign, audience=audience, level=Impact.Level.HIGH)
    campaign.stages.all().delete()
    return RolloutStage.objects.create(
        campaign=campaign,
        offset_minutes=0,
        channels=["in_app"],
        subject="Hello",
        body="Hello {{ first_name }}",
    )


class FanoutRuns:
    """The three ways to write one stage's in-app rows, each from an empty delivery table."""

    def __init__(self, stage, database_url: str):
        from django.contrib.auth.models import User

        self.stage, self.database_url = stage, database_url
        self.now = stage.send_at
        self.count = stage.recipients().count()
        self.user_ids = list(User.objects.filter(profile__department=DEPARTMENT).values_list("pk", flat=True))
        self.rss: list[tuple[float, float]] = []

    def reset(self) -> None:
        from django.db import connection

        from rollout.models import RolloutStage

        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE campaigns_delivery")
        RolloutStage.objects.filter(pk=self.stage.pk).update(
            state="planned", claimed_at=None, heartbeat_at=None, recipients_resolved_at=None, sent_at=None
        )

    def copy(self) -> float:
        from django.db import connection

        start = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(
                "COPY campaigns_delivery (stage_id, recipient_id, channel, status, message_id, attempts, "
                "last_error, created_at, sent_at) FROM STDIN"
            ) as rows,
        ):
            for user_id in self.user_ids:
                rows.write_row((self.stage.pk, user_id, "in_app", "sent", None, 0, "", self.now, self.now))
        return time.perf_counter() - start

    def insert_select(self) -> float:
        from django.db import connection

        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO campaigns_delivery (stage_id, recipient_id, channel, status, message_id, attempts, "
                "last_error, created_at, sent_at) SELECT %s, u.id, 'in_app', 'sent', NULL, 0, '', "
                "%s, %s FROM auth_user u JOIN campaigns_employeeprofile p ON p.user_id = u.id "
                "WHERE p.department = %s AND u.is_active",
                [self.stage.pk, self.now, self.now, DEPARTMENT],
            )
            assert cursor.rowcount == self.count
        return time.perf_counter() - start

    def tick(self) -> float:
        """The dispatch tick in a fresh process (so its peak RSS is its own); its own timing of the tick."""
        out = subprocess.run(
            [sys.executable, __file__, "--tick", self.database_url, self.now.isoformat(), str(self.count)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        self.rss.append((result["rss_before_mb"], result["rss_peak_mb"]))
        return result["seconds"]

    def measure(self, runs: int) -> dict[str, Timing]:
        """Rounds of copy, INSERT … SELECT and tick, in turns, each from an empty delivery table."""
        seconds: dict[str, list[float]] = {"copy": [], "insert_select": [], "tick": []}
        for _ in range(max(runs, 3)):
            for name in seconds:
                self.reset()
                seconds[name].append(getattr(self, name)())
        return {name: Timing(values) for name, values in seconds.items()}


def own_peak_rss_mb() -> float:
    """This process's peak RSS since it started (VmHWM): getrusage's maxrss survives exec on Linux, so
    in a child it would report the parent's size at the fork."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def tick_in_this_process(now_iso: str, expected: int) -> None:
    """Child: one dispatch tick at now; prints seconds and RSS (before the tick and peak) as JSON."""
    from datetime import datetime

    from rollout import dispatch
    from rollout.models import Delivery

    before = own_peak_rss_mb()
    start = time.perf_counter()
    report = dispatch.dispatch_due(datetime.fromisoformat(now_iso), enqueue=lambda ids: None)
    seconds = time.perf_counter() - start
    assert len(report.claimed) == 1 and Delivery.objects.count() == expected, report
    print(json.dumps({"seconds": seconds, "rss_before_mb": before, "rss_peak_mb": own_peak_rss_mb()}))


def run(n: int, *, runs: int, goal: str) -> None:
    with scratch_database("fanout") as url:
        setup_django(url)
        from django.db import connection

        print(
            f"PostgreSQL {connection.pg_version}; DISPATCH_INSERT_BATCH {os.environ.get('DISPATCH_INSERT_BATCH', 'default')}"
        )
        start = time.perf_counter()
        seed_people(n)
        bench = FanoutRuns(in_app_stage(), url)
        print(f"seeded {bench.count:,} people in {time.perf_counter() - start:.1f} s")
        timings = bench.measure(runs)
        print(
            f"\nIn-app fan-out of {bench.count:,} recipients, one stage (medians of {len(timings['tick'].seconds)}):"
        )
        print(ratio_line("  dispatch tick", timings["tick"], "COPY", timings["copy"], goal))
        print(ratio_line("  dispatch tick", timings["tick"], "INSERT … SELECT", timings["insert_select"]))
        print(ratio_line("  INSERT … SELECT", timings["insert_select"], "COPY", timings["copy"]))
        before = max(b for b, _ in bench.rss)
        peak = max(p for _, p in bench.rss)
        print(
            f"  dispatching process peak RSS {peak:.0f} MB (after Django start-up, before the tick: {before:.0f} MB)"
        )


def main() -> None:
    if sys.argv[1:2] == ["--tick"]:
        database_url, now_iso, expected = sys.argv[2:5]
        setup_django(database_url, migrate=False)
        tick_in_this_process(now_iso, int(expected))
        return
    n = int(os.environ.get("BENCH_IN_APP_N", 100_000))
    run(n, runs=int(os.environ.get("BENCH_RUNS", 3)), goal="<= 2x")


if __name__ == "__main__":
    main()
