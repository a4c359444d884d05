"""Settings refuse bad values at start and leave the file system alone until a process needs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_settings import ROOT, production_env, run_manage

INTEGER_SETTINGS = [
    "CONN_MAX_AGE",
    "DISPATCH_INTERVAL_SECONDS",
    "DISPATCH_CHUNK_SIZE",
    "DISPATCH_INSERT_BATCH",
    "DISPATCH_STALE_SECONDS",
    "EMAIL_MAX_ATTEMPTS",
    "EMAIL_RETRY_BASE_SECONDS",
    "PLANNING_WEEKLY_CAP",
    "EMAIL_TIMEOUT",
    "ASSET_MAX_UPLOAD_MB",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
]


def run_python(code: str, *, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Python in a fresh process, outside pytest's testing mode, started from `cwd`."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_VERSION", "PYTEST_XDIST_WORKER", "DEBUG", "SECRET_KEY", "REDIS_URL")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "campaignhub.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", INTEGER_SETTINGS)
def test_a_non_numeric_integer_setting_fails_at_start_with_its_name(name):
    # DATABASE_URL points at PostgreSQL so CONN_MAX_AGE is read; `check` opens no connection.
    result = run_manage(
        "check", **production_env(**{name: "abc", "DATABASE_URL": "postgres://u@127.0.0.1:1/x"})
    )
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name} must be a whole number, not 'abc'." in result.stderr
    assert "ValueError" not in result.stderr.splitlines()[-1]


def test_stale_claim_timeout_not_longer_than_email_timeout_fails_at_start():
    result = run_manage("check", **production_env(DISPATCH_STALE_SECONDS="30", EMAIL_TIMEOUT="30"))
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: DISPATCH_STALE_SECONDS (30) must be longer than EMAIL_TIMEOUT (30)"
        in result.stderr
    )


def test_secret_key_shorter_than_50_characters_fails_at_start_when_debug_is_off():
    result = run_manage("check", **production_env(SECRET_KEY="x" * 49))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be at least 50 characters" in result.stderr


def test_short_secret_key_is_accepted_in_development():
    result = run_manage("check", DEBUG="true", SECRET_KEY="short-dev-key")
    assert result.returncode == 0, result.stderr


def test_loading_settings_creates_no_directories(tmp_path):
    broker = tmp_path / "broker"
    result = run_python(
        "from django.conf import settings; print(settings.CELERY_BROKER_TRANSPORT_OPTIONS)",
        cwd=tmp_path,
        DEBUG="true",
        CELERY_FILESYSTEM_DIR=str(broker),
    )
    assert result.returncode == 0, result.stderr
    assert str(broker / "control") in result.stdout
    assert not broker.exists()
    assert list(tmp_path.iterdir()) == []


def test_filesystem_broker_keeps_all_its_state_in_its_own_folder(tmp_path):
    """Publishing a task (what web, worker and beat do) creates the broker folders, and no `control/`
    in the directory the process was started from."""
    broker = tmp_path / "broker"
    result = run_python(
        "from campaignhub.celery import app; app.send_task('campaigns.tasks.dispatch_due')",
        cwd=tmp_path,
        DEBUG="true",
        CELERY_FILESYSTEM_DIR=str(broker),
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["broker"]
    assert (broker / "control" / "celery.exchange").exists()
    assert len(list((broker / "out").glob("*.msg"))) == 1
