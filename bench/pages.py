"""Benchmark the pages that grow with history: 1,000 campaigns x 5 stages x 20 audiences, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages.py [--runs 5]
    ... bench/pages.py --keep bench_pages_mine   # seed once into that database, reuse it next time
    ... bench/pages.py --keep bench_pages_mine --explain   # also print each page's slowest queries' plans

Renders each page through Django's test client as an IC user and prints its median time (with
min-max) and its ratio to a minimal login-required view (full middleware, "ok") measured in the
same run, pages interleaved round by round so a busy machine slows them alike. Goal: <= 10x.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Timing, ratio_line, scratch_database, setup_django

CAMPAIGNS, STAGES, AUDIENCES, EMPLOYEES, COMMS_ITEMS = 1000, 5, 20, 2000, 100
GOAL = "<= 10x"


def seed() -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection
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
    deliveries = [
        Delivery(stage=s, recipient=u, channel="in_app", status="sent", sent_at=s.send_at)
        for s in stages
        if s.state == "sent" and s.kind == "early_warning"
        for u in rng.sample(users, 100)
    ]
    Delivery.objects.bulk_create(deliveries, batch_size=10000)
    briefings = Briefing.objects.bulk_create(
        [
            Briefing(
                campaign=c,
                presenter=owner,
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # a live database has planner statistics (autovacuum); give them
    print(
        f"seeded {len(campaigns)} campaigns, {len(stages)} stages x {AUDIENCES} audiences, "
        f"{len(deliveries)} deliveries, {EMPLOYEES} employees"
    )


def pages() -> list[tuple[str, str]]:
    from django.utils import timezone

    from campaigns.models import Campaign
    from people.models import Audience

    upcoming = (
        Campaign.objects.filter(go_live_at__gte=timezone.now() + timedelta(days=20))
        .order_by("go_live_at")
        .first()
    )
    audience = Audience.objects.order_by("pk").first()
    return [
        ("calendar month", "/calendar/"),
        ("calendar week", "/calendar/?view=week"),
        ("calendar list", "/calendar/?view=list"),
        ("audience load", "/calendar/load/"),
        ("readiness", "/campaigns/readiness/"),
        ("campaign page", f"/campaigns/{upcoming.pk}/"),
        ("campaign list", "/campaigns/"),
        ("audience page", f"/audiences/{audience.pk}/"),
    ]


def measure(runs: int, explain: bool) -> None:
    from django.contrib.auth.decorators import login_required
    from django.contrib.auth.models import User
    from django.http import HttpResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    @login_required
    def minimal(request):
        return HttpResponse("ok")

    class BenchUrls:
        urlpatterns = [path("bench/minimal/", minimal), path("", include("campaignhub.urls"))]

    shown = [("minimal view", "/bench/minimal/"), *pages()]
    statics = {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    with override_settings(ROOT_URLCONF=BenchUrls, STORAGES=statics, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(User.objects.get(username="bench-ic"))
        sizes = {}
        for _name, url in shown:  # warm up: caches, the URL resolver, templates
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            sizes[url] = len(response.content)
        seconds: dict[str, list[float]] = {name: [] for name, _ in shown}
        for _ in range(max(runs, 3)):  # round by round, so load from other people hits every page alike
            for name, url in shown:
                start = time.perf_counter()
                client.get(url)
                seconds[name].append(time.perf_counter() - start)
        if explain:
            explain_queries(client, shown)
    base = Timing(seconds["minimal view"])
    print(f"minimal view: {base}")
    for name, url in shown[1:]:
        print(ratio_line(f"{name} ({sizes[url] // 1024} KiB)", Timing(seconds[name]), "minimal", base, GOAL))


def explain_queries(client, shown) -> None:
    """Each page's three slowest queries with EXPLAIN (ANALYZE, BUFFERS), to check for index scans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, url in shown[1:]:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        print(f"\n== {name}: {len(queries)} queries, slowest:")
        with connection.cursor() as cursor:
            for q in slowest:
                print(f"-- {q['time']} s: {q['sql'][:300]}")
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds (at least 3); the median is reported")
    parser.add_argument("--keep", metavar="DBNAME", help="seed this database once and keep it for re-runs")
    parser.add_argument("--explain", action="store_true", help="print the slowest queries' plans")
    args = parser.parse_args()
    with scratch_database("pages", keep=args.keep) as url:
        setup_django(url)
        from campaigns.models import Campaign

        if not Campaign.objects.exists():
            started = time.perf_counter()
            seed()
            print(f"seed took {time.perf_counter() - started:.0f} s", flush=True)
        measure(args.runs, args.explain)


if __name__ == "__main__":
    main()
