"""SCIM_TOKEN is checked at start: a short token stops the process instead of being guessable."""

from tests.test_settings import production_env, run_manage


def test_a_short_scim_token_stops_the_process_at_start():
    result = run_manage("check", **production_env(SCIM_TOKEN="too-short"))
    assert result.returncode != 0
    assert "SCIM_TOKEN must be at least 32 characters" in result.stderr


def test_a_long_scim_token_passes_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env(SCIM_TOKEN="x" * 40))
    assert result.returncode == 0, result.stderr
