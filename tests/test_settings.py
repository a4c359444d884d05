"""Production settings: check --deploy is clean, and bad configuration fails at start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with production-like settings (not pytest's testing mode)."""
    base = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DEBUG", "SECRET_KEY")}
    base.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "example.com",
        "DEBUG": "false",
        **overrides,
    }


def test_check_deploy_reports_no_issues_in_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_with_debug_off_fails_at_start():
    result = run_manage("check", **production_env(SECRET_KEY=""))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "localtime"])
def test_unknown_time_zone_fails_at_start(zone):
    """The "localtime" file in the zone database is not a place: it follows the server's clock."""
    result = run_manage("check", **production_env(TIME_ZONE=zone))
    assert result.returncode != 0
    assert f"ImproperlyConfigured: TIME_ZONE '{zone}' is not a known IANA time zone." in result.stderr


def test_misspelt_debug_fails_at_start_instead_of_meaning_false():
    result = run_manage("check", **production_env(DEBUG="treu"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be true or false" in result.stderr


def test_non_numeric_timeout_fails_at_start():
    result = run_manage("check", **production_env(EMAIL_TIMEOUT="half a minute"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_TIMEOUT must be a whole number" in result.stderr
