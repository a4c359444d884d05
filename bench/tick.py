"""Tick benchmark (not a test): the dispatch tick stays cheap and on time.

Needs PostgreSQL (DATABASE_URL names the server; a private scratch database is created and dropped).
Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/tick.py`
(or `make bench`). REDIS_URL, if set, is the broker for part (b); otherwise a filesystem broker in a
temporary folder.

Prints:
(a) an idle tick with 3 live campaigns of TICK_PEOPLE (100,000) people each (people seeded with
    COPY, each campaign's sent stage with its delivery rows) vs no live campaign (the same three
    paused), measured alternately; and for scale what checking those audiences in full costs (what
    every tick did before);
(b) the latency from due to claimed of a 20-person stage that falls due while a 5,000-person email
    fan-out drains to a local aiosmtpd sink (separate process), with real Celery processes as in the
    Procfile (email worker, tick worker, beat), vs one tick interval (TICK_INTERVAL, 5 s here).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Timing, peak_rss_mb, ratio_line, scratch_database, setup_django, timed

PEOPLE = int(os.environ.get("TICK_PEOPLE", 100_000))
FANOUT = int(os.environ.get("TICK_FANOUT", 5_000))
SMALL = 20
INTERVAL = int(os.environ.get("TICK_INTERVAL", 5))
RUNS = int(os.environ.get("TICK_RUNS", 5))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def seed_people(department: str, n: int) -> None:
    """n users with an Employee profile in `department`, by COPY (the change triggers fire as for any import)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM auth_user")
        (first,) = cursor.fetchone()
        raw = cursor.connection
        with raw.cursor().copy(
            "COPY auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined) FROM STDIN"
        ) as rows:
            for i in range(first + 1, first + n + 1):
                name = f"{department}{i}"
                rows.write_row(
                    (i, "!", False, name, "Bench", "Person", f"{name}@example.com", False, True, "now")
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('auth_user', 'id'), (SELECT max(id) FROM auth_user))"
        )
        with raw.cursor().copy(
            "COPY campaigns_employeeprofile (user_id, department, team, location, role, time_zone,"
            " preferred_channels) FROM STDIN"
        ) as rows:
            for i in range(first + 1, first + n + 1):
                rows.write_row((i, department, "", "", "", "", "[]"))
        cursor.execute("ANALYZE")


def campaign_for(owner, department: str, *, go_live_at, channels=("in_app", "email")):
    """An approved campaign for everyone in `department`, with the default plan."""
    from campaigns.models import Campaign, Impact
    from people.models import Audience

    audience, _ = Audience.objects.get_or_create(name=department, defaults={"department": department})
    campaign = Campaign.objects.create(
        title=f"Bench {department} {go_live_at:%H%M%S%f}",
        owner=owner,
        concept="Concept",
        details="Details",
        go_live_at=go_live_at,
        status=Campaign.Status.APPROVED,
    )
    Impact.objects.create(campaign=campaign, audience=audience, level=Impact.Level.HIGH)
    campaign.stages.update(channels=list(channels))
    return campaign


def mark_sent(stage, now) -> None:
    """The stage went out to its audience: its rows inserted server-side (as the fan-out does)."""
    from django.db import connection

    from rollout.models import RolloutStage

    people = stage.recipients().values("pk").query
    sql, params = people.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_delivery (stage_id, recipient_id, channel, status, message_id, attempts,"
            " last_error, created_at, sent_at) SELECT %s, u.id, c.channel, 'sent', gen_random_uuid(), 1, '',"
            f" %s, %s FROM ({sql}) u(id) CROSS JOIN (VALUES ('in_app'), ('email')) c(channel)",
            [stage.pk, now, now, *params],
        )
    RolloutStage.objects.filter(pk=stage.pk).update(
        state="sent",
        claimed_at=now,
        heartbeat_at=now,
        recipients_resolved_at=now,
        joiners_checked_at=now,
        sent_at=now,
    )


def idle_ticks(now, campaigns) -> tuple[Timing, Timing]:
    """Idle ticks with the campaigns paused (none live) and running (live), alternately, RUNS each.

    Alternating keeps the two measures under the same load (the machine is shared) and caches.
    """
    from django.db import connection

    from campaigns.models import Campaign
    from rollout import dispatch

    ids = [c.pk for c in campaigns]

    def tick() -> float:
        start = time.perf_counter()
        report = dispatch.dispatch_due(now, enqueue=lambda ids: None)
        seconds = time.perf_counter() - start
        assert not (report.claimed or report.chunks or report.late_deliveries), report
        return seconds

    tick()  # warm: takes whatever changed before (the seeding, the new impacts)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: the change rows just taken are dead tuples
    paused, live = [], []
    for _ in range(max(RUNS, 3)):
        Campaign.objects.filter(pk__in=ids).update(paused_at=now)
        paused.append(tick())
        Campaign.objects.filter(pk__in=ids).update(paused_at=None)
        live.append(tick())
    return Timing(paused), Timing(live)


def part_a(owner) -> None:
    from django.utils import timezone

    from rollout import dispatch
    from rollout.models import RolloutStage

    seed_people("Field", PEOPLE)
    now = timezone.now()
    campaigns = [campaign_for(owner, "Field", go_live_at=now + timedelta(days=10)) for _ in range(3)]
    for campaign in campaigns:
        mark_sent(campaign.stages.get(kind="early_warning"), now - timedelta(days=4))
    none_live, three_live = idle_ticks(now, campaigns)
    print(
        ratio_line(
            f"(a) idle tick, 3 live campaigns x {PEOPLE:,} people",
            three_live,
            "no live campaign (the same 3 paused)",
            none_live,
            goal="<= 2x",
        )
    )

    def full_check() -> None:  # every stage checks its whole audience, as each tick did before
        RolloutStage.objects.update(joiners_checked_at=None)
        dispatch.deliver_to_late_joiners(now)

    print(
        f"    for scale: checking those 3 audiences in full (each tick's work before): {timed(full_check, runs=3)}"
    )


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def part_b(owner, database_url: str) -> None:
    from django.utils import timezone

    from rollout.models import Delivery, RolloutStage

    seed_people("Sales", FANOUT)
    seed_people("Support", SMALL)
    tmp = Path(tempfile.mkdtemp(prefix="bench-tick-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DISPATCH_INTERVAL_SECONDS": str(INTERVAL),
        "CELERY_FILESYSTEM_DIR": str(tmp / "broker"),
        "LOG_LEVEL": "WARNING",
    }
    celery = [str(Path(sys.executable).with_name("celery")), "-A", "campaignhub"]
    procs = [
        start(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{port}",
                "-c",
                "aiosmtpd.handlers.Sink",
            ],
            env,
            tmp / "smtp.log",
        ),
        # As in the Procfile: email (and everything else) on one worker, the tick alone on another.
        start(
            [*celery, "worker", "--concurrency=2", "--queues=celery", "--hostname=mail@%h"],
            env,
            tmp / "worker.log",
        ),
        start(
            [*celery, "worker", "--pool=solo", "--queues=tick", "--hostname=tick@%h"], env, tmp / "tick.log"
        ),
        start([*celery, "beat", f"--schedule={tmp / 'beat-schedule'}"], env, tmp / "beat.log"),
    ]
    latencies, waiting = [], []
    try:
        for run in range(3):
            large = campaign_for(
                owner, "Sales", go_live_at=timezone.now() + timedelta(days=14), channels=["email"]
            )
            large.stages.exclude(kind="early_warning").delete()
            fanout = large.stages.get()
            wait_until(
                lambda f=fanout: Delivery.objects.filter(stage=f, status="sent").count() >= FANOUT // 10,
                timeout=120,
                what=f"run {run}: the fan-out under way (logs in {tmp})",
            )
            small = campaign_for(owner, "Support", go_live_at=timezone.now() + timedelta(days=14, seconds=1))
            small.stages.exclude(kind="early_warning").delete()
            stage = small.stages.get()
            wait_until(
                lambda s=stage: RolloutStage.objects.filter(pk=s.pk, claimed_at__isnull=False).exists(),
                timeout=120,
                what=f"run {run}: the small stage claimed (logs in {tmp})",
            )
            stage.refresh_from_db()
            latencies.append((stage.claimed_at - stage.send_at).total_seconds())
            wait_until(
                lambda f=fanout: not Delivery.objects.filter(stage=f).exclude(status="sent").exists(),
                timeout=600,
                what=f"run {run}: the fan-out drained (logs in {tmp})",
            )
            waiting.append(Delivery.objects.filter(stage=fanout, sent_at__gt=stage.claimed_at).count())
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(
        ratio_line(
            f"(b) due -> claimed, {SMALL}-person stage during a {FANOUT:,}-email fan-out",
            Timing(latencies),
            "one tick interval",
            Timing([float(INTERVAL)] * 3),
            goal="<= 1x",
        )
    )
    print(f"    emails of the fan-out still to send when it was claimed: {waiting} (of {FANOUT:,})")


def main() -> None:
    with scratch_database("tick") as url:
        setup_django(url)
        from django.contrib.auth.models import User
        from django.db import connection

        print(f"PostgreSQL {connection.pg_version}; tick interval in (b): {INTERVAL} s")
        owner = User.objects.create(username="bench-owner")
        part_a(owner)
        part_b(owner, url)
        print(f"peak RSS of the bench process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
