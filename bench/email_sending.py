"""Email benchmark (not a test): one stage's emails to a local SMTP sink, against a plain smtplib loop.

(Not named bench/email.py: a script's folder comes first on sys.path, so that name would shadow the
standard library's `email` package for every script in bench/.)

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/email_sending.py [--runs 3] [--workers 1,2,4]

An aiosmtpd sink runs as a separate process. Prints, each as a median of --runs with min-max:
- the baseline: smtplib sending EMAIL_N PRE-BUILT messages (bytes made by our composer, untimed)
  over one connection, no database; run alternately with the next one, so both see the same load;
- ours in one process: the dispatch tick (delivery rows, chunks) and every chunk sent here by
  rollout.mailer.send_email_chunk, each message marked sent after its 250; goal >= 0.6x the baseline;
- ours through a warm Celery worker (prefork, `--concurrency` 2, the Procfile's), and the same with
  each of --workers processes: from the tick to the last delivery marked sent (needs REDIS_URL; uses
  that Redis database as the broker, so give it one nobody else uses).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import smtplib
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Timing, ratio_line, scratch_database, setup_django, timed

EMAIL_N = int(os.environ.get("BENCH_EMAIL_N", 10_000))


GOAL = "time <= 1.67x, i.e. speed >= 0.6x"


def speed(ours: Timing, baseline: Timing) -> str:
    return (
        f"{EMAIL_N / ours.median:.0f} msg/s vs {EMAIL_N / baseline.median:.0f} msg/s: "
        f"speed {baseline.median / ours.median:.2f}x the smtplib loop"
    )


def timed_once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(interval)


@contextlib.contextmanager
def smtp_sink(port: int):
    """aiosmtpd's Sink handler (accepts and discards) in its own process."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: _answers(port), timeout=15, what="aiosmtpd to listen")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def celery_worker(concurrency: int, env: dict[str, str]):
    """A prefork worker with `concurrency` processes, stopped (by its pid) afterwards."""
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "campaignhub",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def seed(n: int):
    """n employees in Sales and one approved campaign whose single stage emails them all."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from campaigns.models import Campaign, Impact
    from people.importing import unusable_password
    from people.models import Audience, EmployeeProfile
    from rollout.models import RolloutStage

    users = User.objects.bulk_create(
        [
            User(
                username=f"mail{i}",
                email=f"mail{i}@bank.example",
                first_name=f"Person{i}",
                password=unusable_password(),
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    EmployeeProfile.objects.bulk_create(
        [EmployeeProfile(user=u, department="Sales", time_zone="Europe/London") for u in users],
        batch_size=5000,
    )
    owner = User.objects.create(username="bench-owner")
    audience = Audience.objects.create(name="Sales", department="Sales")
    campaign = Campaign.objects.create(
        title="Branch launch",
        owner=owner,
        concept="New branches open in the north.",
        details="Embargoed details.",
        go_live_at=timezone.now() - timedelta(minutes=1),
        status=Campaign.Status.LIVE,
    )
    Impact.objects.create(campaign=campaign, audience=audience, level=Impact.Level.HIGH)
    campaign.stages.all().delete()
    return RolloutStage.objects.create(
        campaign=campaign,
        offset_minutes=0,
        channels=["email"],
        subject="{{ campaign_title }}: what it means for you, {{ first_name }}",
        body=(
            "Hello {{ first_name }},\n\n{{ concept }}\n\nGo-live is {{ go_live }}; more detail on "
            "{{ embargo_until }}.\n\nRead the explainer: {{ explainer_url }}"
        ),
    )


def reset(stage) -> None:
    """Back to before the first tick: no delivery rows, the stage planned and unclaimed."""
    from django.db import connection

    from rollout.models import Delivery, RolloutStage

    Delivery.objects.filter(stage=stage).delete()
    RolloutStage.objects.filter(pk=stage.pk).update(
        state="planned", claimed_at=None, heartbeat_at=None, recipients_resolved_at=None, sent_at=None
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE campaigns_delivery")


def sent(stage) -> int:
    from rollout.models import Delivery

    return Delivery.objects.filter(stage=stage, status="sent").count()


def prebuilt(stage) -> list[tuple[str, list[str], bytes]]:
    """The messages our composer makes, as bytes, built before the baseline's clock starts."""
    from rollout import composer, dispatch
    from rollout.models import Delivery, RolloutStage

    dispatch.dispatch_due(stage.send_at, enqueue=lambda ids: None)
    stage = RolloutStage.objects.select_related("campaign").get(pk=stage.pk)
    out = []
    for d in Delivery.objects.filter(stage=stage).select_related("recipient__profile").order_by("pk"):
        m = composer.build_email(stage, d.recipient, delivery=d).message()
        out.append((m["From"], [m["To"]], m.as_bytes(linesep="\r\n")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4", help="worker process counts for the scaling curve")
    parser.add_argument("--no-worker", action="store_true", help="only the in-process figures")
    args = parser.parse_args()
    port = free_port()
    redis_url = os.environ.get("REDIS_URL", "")
    with scratch_database("email") as url, smtp_sink(port):
        setup_django(
            url, EMAIL_URL=f"smtp://127.0.0.1:{port}", **({"REDIS_URL": redis_url} if redis_url else {})
        )
        from django.conf import settings
        from django.db import connection

        from rollout import dispatch, mailer

        stage = seed(EMAIL_N)
        print(
            f"PostgreSQL {connection.pg_version}; {EMAIL_N:,} emails, chunks of {settings.DISPATCH_CHUNK_SIZE}; "
            "aiosmtpd Sink in its own process"
        )
        payloads = prebuilt(stage)

        def smtplib_loop() -> None:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for sender, to, payload in payloads:
                    smtp.sendmail(sender, to, payload)

        def one_process() -> None:
            chunks: list[list[int]] = []
            dispatch.dispatch_due(stage.send_at, enqueue=chunks.append)
            for chunk in chunks:
                mailer.send_email_chunk(chunk)
            assert sent(stage) == EMAIL_N

        # Alternated run by run, so both see the same load on a shared machine.
        baseline_s, ours_s, baseline_cpu, ours_cpu = [], [], [], []
        for _ in range(max(args.runs, 3)):
            cpu = time.process_time()
            baseline_s.append(timed_once(smtplib_loop))
            baseline_cpu.append(time.process_time() - cpu)
            reset(stage)
            cpu = time.process_time()
            ours_s.append(timed_once(one_process))
            ours_cpu.append(time.process_time() - cpu)
        baseline, ours = Timing(baseline_s), Timing(ours_s)
        print(ratio_line("one process (tick + chunks)", ours, "smtplib pre-built", baseline, goal=GOAL))
        print(f"  {speed(ours, baseline)}")
        print(
            f"  CPU of this process per message (load-independent): ours "
            f"{1000 * Timing(ours_cpu).median / EMAIL_N:.2f} ms, smtplib loop "
            f"{1000 * Timing(baseline_cpu).median / EMAIL_N:.2f} ms"
        )
        sys.stdout.flush()
        if args.no_worker or not redis_url:
            print("(no REDIS_URL or --no-worker: worker figures skipped)")
            return

        env = {
            **os.environ,
            "DATABASE_URL": url,
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "REDIS_URL": redis_url,
        }
        counts = sorted({2, *(int(c) for c in args.workers.split(","))})
        for concurrency in counts:  # printed as measured: the whole curve takes a while
            t = through_worker(stage, concurrency, env, args.runs)
            label = f"warm {concurrency}-process worker"
            print(ratio_line(label, t, "smtplib pre-built", baseline, goal=GOAL if concurrency == 2 else ""))
            print(f"  {speed(t, baseline)}", flush=True)
        sys.stdout.flush()


def through_worker(stage, concurrency: int, env: dict[str, str], runs: int) -> Timing:
    """From the tick (chunks published to the broker) to the last delivery marked sent."""
    from campaignhub.celery import app
    from rollout import dispatch
    from rollout.tasks import enqueue_email_chunk

    app.control.purge()
    with celery_worker(concurrency, env):
        reset(stage)  # warm-up: every process connects to the database and SMTP once
        dispatch.dispatch_due(stage.send_at, enqueue=enqueue_email_chunk)
        wait_until(lambda: sent(stage) == EMAIL_N, timeout=600, what="the warm-up stage")

        def send() -> None:
            dispatch.dispatch_due(stage.send_at, enqueue=enqueue_email_chunk)
            wait_until(lambda: sent(stage) == EMAIL_N, timeout=600, what="every email sent")

        return timed(send, runs=runs, before=lambda: reset(stage))


if __name__ == "__main__":
    main()
