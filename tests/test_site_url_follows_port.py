"""Absolute links (emails, in-app items, .ics) follow the address the app was started on."""

import os
import subprocess
import sys

from tests.test_settings import ROOT, production_env

PRINT_SITE_URL = "from django.conf import settings; print(settings.SITE_URL)"


def site_url_in_fresh_process(**env: str) -> str:
    """settings.SITE_URL as a new process computes it, from a clean slate for SITE_URL and PORT."""
    base = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "SITE_URL", "PORT")}
    base.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT_SITE_URL],
        cwd=ROOT,
        env={**base, **production_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_links_to_the_port_the_app_was_started_on_when_site_url_is_unset():
    assert site_url_in_fresh_process(PORT="18300") == "http://127.0.0.1:18300"


def test_it_links_to_port_8000_when_neither_site_url_nor_port_is_set():
    assert site_url_in_fresh_process() == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_port():
    assert site_url_in_fresh_process(PORT="18300", SITE_URL="https://hub.example.com/") == (
        "https://hub.example.com"
    )


def test_make_run_gives_web_worker_and_beat_the_same_site_url_on_its_port():
    """honcho hands each process its own PORT (web 18300, worker 18400, ...), so make passes SITE_URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "MAKEFLAGS")}
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "PORT=18300"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (start,) = [line for line in result.stdout.splitlines() if "honcho start" in line]
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:18300}" in start
