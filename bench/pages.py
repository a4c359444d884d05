"""Benchmark the planning pages on PostgreSQL: 1,000 campaigns x 5 stages x 20 audiences.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages.py [--runs 15]

Creates a scratch database (ch_bench_pages on the same server), migrates and seeds it, renders each
page through Django's test client as an IC user, prints each page's median time and its ratio to a
minimal Django view (login required, full middleware, "ok") measured in the same run, then drops the
scratch database. Goal: each page <= 10x the minimal view.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = os.environ.get("BENCH_SCRATCH_DB", "ch_bench_pages")
CAMPAIGNS, STAGES, AUDIENCES, EMPLOYEES, COMMS_ITEMS = 1000, 5, 20, 2000, 100


def scratch_url(url: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{SCRATCH}"))


def admin_conninfo(url: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/postgres"))


def recreate(url: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{SCRATCH}"')


def exists(url: str) -> bool:
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SCRATCH]).fetchone() is not None


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = scratch_url(url)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["DEBUG"] = "false"  # DEBUG would record every query and slow every page
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignhub.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed() -> None:
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from briefings.models import Briefing
    from campaigns.models import Campaign, Impact, KeyMessage
    from people.models import Audience, EmployeeProfile
    from planning.models import CommsItem
    from rollout.models import Delivery, RolloutStage

    rng = random.Random(7)
    now = timezone.now()
    departments = [f"Dept {n:02d}" for n in range(AUDIENCES)]
    audiences = Audience.objects.bulk_create(
        [Audience(name=f"Audience {n:02d}", department=d) for n, d in enumerate(departments)]
    )
    users = User.objects.bulk_create(
        [User(username=f"emp{n}", email=f"emp{n}@example.com", password="!") for n in range(EMPLOYEES)]
    )
    EmployeeProfile.objects.bulk_create(
        [
            EmployeeProfile(user=u, department=departments[n % AUDIENCES], time_zone="Europe/London")
            for n, u in enumerate(users)
        ]
    )
    ic = User.objects.create_user("bench-ic", "ic@example.com", "x")
    ic.groups.add(Group.objects.get(name="IC"))
    EmployeeProfile.objects.create(user=ic, time_zone="Europe/London")
    owner = User.objects.create_user("bench-owner", "owner@example.com", "x")

    statuses = [
        Campaign.Status.APPROVED,
        Campaign.Status.LIVE,
        Campaign.Status.SUBMITTED,
        Campaign.Status.DRAFT,
    ]
    campaigns = []
    for n in range(CAMPAIGNS):
        go_live = now + timedelta(days=rng.uniform(-30, 180))
        campaigns.append(
            Campaign(
                title=f"Campaign {n:04d}",
                slug=f"campaign-{n:04d}",
                owner=owner,
                status=statuses[n % len(statuses)],
                concept="A concept.",
                details="Embargoed details.",
                go_live_at=go_live,
                embargo_until=go_live,
            )
        )
    campaigns = Campaign.objects.bulk_create(campaigns)
    Impact.objects.bulk_create(
        [
            Impact(campaign=c, audience=a, level="high" if i < 3 else "medium")
            for c in campaigns
            for i, a in enumerate(audiences)
        ]
    )
    KeyMessage.objects.bulk_create(
        [
            KeyMessage(campaign=c, position=p, text=f"Message {p} of {c.title}")
            for c in campaigns
            for p in range(3)
        ]
    )
    kinds = ["early_warning", "briefing_invitation", "reminder", "go_live", "follow_up"]
    offsets = [-14, -7, -2, 0, 7]
    stages = []
    for c in campaigns:
        for kind, days in zip(kinds, offsets, strict=True):
            send_at = c.go_live_at + timedelta(days=days)
            stages.append(
                RolloutStage(
                    campaign=c,
                    kind=kind,
                    offset_minutes=days * 1440,
                    send_at=send_at,
                    channels=["in_app", "email"],
                    subject=kind,
                    body="Body",
                    state="sent" if send_at < now else "planned",
                    requires_acknowledgement=kind == "go_live",
                )
            )
    stages = RolloutStage.objects.bulk_create(stages)
    through = RolloutStage.audiences.through
    through.objects.bulk_create(
        [through(rolloutstage=s, audience=a) for s in stages for a in audiences], batch_size=10000
    )
    deliveries = []
    for s in stages:
        if s.state == "sent" and s.kind == "early_warning":
            deliveries += [
                Delivery(stage=s, recipient=u, channel="in_app", status="sent", sent_at=s.send_at)
                for u in rng.sample(users, 100)
            ]
    Delivery.objects.bulk_create(deliveries, batch_size=10000)
    briefings = Briefing.objects.bulk_create(
        [
            Briefing(
                campaign=c,
                presenter=owner,  # the briefings coverage panel needs one (see report)
                title=f"Briefing {c.title}",
                starts_at=c.go_live_at - timedelta(days=1),
                ends_at=c.go_live_at - timedelta(days=1) + timedelta(hours=1),
            )
            for c in campaigns
        ]
    )
    bthrough = Briefing.audiences.through
    bthrough.objects.bulk_create(
        [bthrough(briefing=b, audience=audiences[i % AUDIENCES]) for i, b in enumerate(briefings)]
    )
    items = CommsItem.objects.bulk_create(
        [
            CommsItem(title=f"Comms {n}", starts_at=now + timedelta(days=rng.uniform(-30, 90)))
            for n in range(COMMS_ITEMS)
        ]
    )
    cthrough = CommsItem.audiences.through
    cthrough.objects.bulk_create(
        [cthrough(commsitem=i, audience=audiences[n % AUDIENCES]) for n, i in enumerate(items)]
    )
    # Fresh bulk inserts have no planner statistics yet; a live database has them (autovacuum).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"seeded {len(campaigns)} campaigns, {len(stages)} stages x {AUDIENCES} audiences, {len(deliveries)} deliveries, {EMPLOYEES} employees"
    )


def measure(runs: int) -> None:
    from django.contrib.auth.decorators import login_required
    from django.contrib.auth.models import User
    from django.http import HttpResponse
    from django.test import Client, override_settings
    from django.urls import include, path
    from django.utils import timezone

    from campaigns.models import Campaign

    @login_required
    def minimal(request):
        return HttpResponse("ok")

    class BenchUrls:
        urlpatterns = [path("bench/minimal/", minimal), path("", include("campaignhub.urls"))]

    upcoming = (
        Campaign.objects.filter(go_live_at__gte=timezone.now() + timedelta(days=20))
        .order_by("go_live_at")
        .first()
    )
    pages = [
        ("minimal view", "/bench/minimal/"),
        ("calendar month", "/calendar/"),
        ("calendar week", "/calendar/?view=week"),
        ("calendar list", "/calendar/?view=list"),
        ("audience load", "/calendar/load/"),
        ("readiness (page 1 of 20 a page)", "/campaigns/readiness/"),
        ("campaign page (with panels)", f"/campaigns/{upcoming.pk}/"),
    ]
    statics = {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    with override_settings(ROOT_URLCONF=BenchUrls, STORAGES=statics, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(User.objects.get(username="bench-ic"))
        results = {}
        for name, url in pages:
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - start)
            results[name] = statistics.median(times)
    base = results["minimal view"]
    print(f"\n{'page':36} {'median ms':>10} {'x minimal':>10}")
    for name, seconds in results.items():
        print(f"{name:36} {seconds * 1000:10.1f} {seconds / base:10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database (and reuse a kept one)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the scratch database is created beside it).")
    reuse = args.keep and exists(url)
    if not reuse:
        recreate(url)
    try:
        setup_django(url)
        if not reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            seed()
            print(f"seed took {time.perf_counter() - started:.0f}s", flush=True)
        measure(args.runs)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate(url, drop_only=True)
            print(f"dropped {SCRATCH}")


if __name__ == "__main__":
    main()
