"""Single sign-on is configured by environment only: absent means no button; half-set fails at start."""

import pytest
from django.core.management import CommandError, call_command

from identity.tests.oidc_provider import running_provider
from tests.test_settings import production_env, run_manage


def test_with_no_oidc_variables_the_app_starts_as_before():
    result = run_manage("check", **production_env())
    assert result.returncode == 0, result.stderr


def test_half_configured_sso_fails_at_start_naming_what_is_missing():
    result = run_manage("check", **production_env(OIDC_ISSUER="https://sso.example.com/realms/acme"))
    assert result.returncode != 0
    assert "OIDC_CLIENT_ID" in result.stderr
    assert "OIDC_JWKS_URI" in result.stderr
    assert "oidc_discover" in result.stderr


def test_a_shared_secret_signing_algorithm_is_refused_at_start():
    env = production_env(
        OIDC_ISSUER="https://sso.example.com",
        OIDC_CLIENT_ID="ch",
        OIDC_CLIENT_SECRET="s",
        OIDC_AUTHORIZATION_ENDPOINT="https://sso.example.com/auth",
        OIDC_TOKEN_ENDPOINT="https://sso.example.com/token",
        OIDC_JWKS_URI="https://sso.example.com/jwks",
        OIDC_SIGN_ALGO="HS256",
    )
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "OIDC_SIGN_ALGO" in result.stderr


def test_oidc_discover_prints_the_endpoints_from_the_providers_discovery_document(capsys):
    with running_provider() as provider:
        call_command("oidc_discover", provider.issuer)
    printed = capsys.readouterr().out.splitlines()
    assert f"OIDC_ISSUER={provider.issuer}" in printed
    assert f"OIDC_AUTHORIZATION_ENDPOINT={provider.issuer}/oauth2/authorize" in printed
    assert f"OIDC_TOKEN_ENDPOINT={provider.issuer}/oauth2/token" in printed
    assert f"OIDC_JWKS_URI={provider.issuer}/jwks" in printed


def test_oidc_discover_refuses_an_issuer_the_document_does_not_name():
    with running_provider() as provider, pytest.raises(CommandError, match="names the issuer"):
        call_command("oidc_discover", provider.issuer + "/")
