"""What every benchmark shares: a private scratch database, Django set up on it, medians, ratio lines.

A benchmark is a script, not a test: `make bench` runs every `bench/*.py` except this module. Each
measures on PostgreSQL (DATABASE_URL names the server), against a baseline measured in the same run,
and prints one line per measure with `ratio_line`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent


def server_url() -> str:
    """The PostgreSQL server named by DATABASE_URL; exits with a clear message otherwise."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL server; the bench creates its scratch database beside it."
        )
    return url


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


@contextlib.contextmanager
def scratch_database(purpose: str, *, keep: str | None = None) -> Iterator[str]:
    """Yield the URL of a new database only this run uses; drop it afterwards.

    The name carries the pid and a random suffix, so two people benchmarking on one server never
    clobber each other. `keep` names a database to create if missing and keep (for re-runs).
    """
    import psycopg

    server = server_url()
    admin = _with_database(server, "postgres")
    name = keep or f"bench_{purpose}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server, name)
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if keep is None:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(database_url: str, *, migrate: bool = True, **env: str) -> None:
    """Point Django at the scratch database (production-like: DEBUG off) and migrate it."""
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="campaignhub.settings",
        DEBUG="false",  # DEBUG records every query in memory
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-not-secret-" + "x" * 40),
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        **env,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


class Timing:
    """Seconds of N runs: the median is the figure, min-max shows the spread."""

    def __init__(self, seconds: list[float]):
        self.seconds = seconds
        self.median = statistics.median(seconds)

    def __str__(self) -> str:
        return f"{self.median:.3f} s (min {min(self.seconds):.3f}, max {max(self.seconds):.3f}, n={len(self.seconds)})"


def timed(fn: Callable[[], object], *, runs: int = 3, before: Callable[[], object] | None = None) -> Timing:
    """Run `before` (untimed) then `fn` (timed), `runs` times (at least 3)."""
    seconds = []
    for _ in range(max(runs, 3)):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return Timing(seconds)


def ratio_line(measure: str, ours: Timing, baseline_name: str, baseline: Timing, goal: str = "") -> str:
    """One printed row: what, ours, the baseline, the ratio and the goal."""
    ratio = ours.median / baseline.median
    line = f"{measure}: {ours} vs {baseline_name} {baseline} = {ratio:.2f}x"
    return f"{line}  (goal {goal})" if goal else line


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
