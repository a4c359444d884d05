"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock on 127.0.0.1).

Each test starts the sign-in from CampaignHub, signs in at the provider over HTTP as a person
would, and follows the provider's redirect back to the callback; the backend exchanges the code,
fetches the provider's JWKS and userinfo over HTTP. Where a token must be bad, the provider hands
out a crafted one (identity/tests/oidc_provider.py) and everything else stays real.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from urllib.parse import quote, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth.models import User

from conftest import PASSWORD
from identity.oidc import UNVERIFIED
from identity.tests.oidc_provider import CLIENT_ID, running_provider
from people import roles
from people.importing import import_employees

pytestmark = pytest.mark.django_db

START = "/accounts/oidc/start/"


@pytest.fixture(scope="module")
def running():
    with running_provider() as provider:
        yield provider


@pytest.fixture
def provider(running, settings):
    for name, value in running.settings().items():
        setattr(settings, name, value)
    running.id_token = None
    yield running
    running.id_token = None


@pytest.fixture
def erin(db) -> User:
    """Erin, imported from the HR file: an account with no password she knows."""
    report = import_employees(
        [
            "email,first_name,last_name,department,team,location,role,manager_email,time_zone",
            "erin.jones@acme.example,Erin,Jones,Sales,North,London,Adviser,,Europe/London",
        ]
    )
    assert not report.has_errors
    return User.objects.get(email="erin.jones@acme.example")


def start(client, next_url: str = ""):
    response = client.get(f"{START}?next={quote(next_url)}" if next_url else START)
    assert response.status_code == 302, response.content
    return response.url


def sign_in(client, provider, sub: str, *, next_url: str = "", before_callback=None):
    """Start at CampaignHub, sign in at the provider as `sub`, follow it back to the callback."""
    authorize_url = start(client, next_url)
    assert authorize_url.startswith(provider.authorization_endpoint)
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/accounts/oidc/callback/"
    if before_callback:
        before_callback()
    return client.get(f"{back.path}?{back.query}")


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def assert_refused(response, heading: str, status: int = 403) -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert heading in page
    assert "<main" in page  # the site's own page, not a bare error
    assert "Back to sign in" in page
    return page


# --- the button -----------------------------------------------------------------------------
def test_it_shows_no_sso_button_and_no_sso_routes_when_not_configured(client, db):
    page = client.get("/accounts/login/?next=/inbox/").content.decode()
    assert "Sign in with" not in page
    assert client.get(START).status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404


def test_it_offers_sign_in_with_the_company_and_keeps_next(client, provider):
    page = client.get("/accounts/login/?next=/inbox/42/").content.decode()
    assert "Sign in with Acme" in page
    assert f'href="{START}?next=%2Finbox%2F42%2F"' in page


# --- matching and creating people -----------------------------------------------------------
def test_it_links_an_imported_employee_by_email_whatever_its_case_and_lands_on_next(client, provider, erin):
    provider.add_person("erin-sub", email="Erin.Jones@ACME.example", email_verified=True)
    users_before = User.objects.count()

    response = sign_in(client, provider, "erin-sub", next_url="/inbox/")

    assert response.status_code == 302
    assert response.url == "/inbox/"
    assert signed_in_user_id(client) == str(erin.pk)
    assert User.objects.count() == users_before
    erin.refresh_from_db()
    assert erin.profile.department == "Sales"  # the HR file stays the source of what we know


def test_it_ignores_a_next_url_on_another_site(client, provider, erin):
    provider.add_person("erin-sub", email="erin.jones@acme.example")
    response = sign_in(client, provider, "erin-sub", next_url="https://evil.example/")
    assert response.status_code == 302
    assert response.url == "/"


def test_it_uses_pkce_and_the_provider_refuses_a_wrong_verifier(client, provider, erin):
    provider.add_person("erin-sub", email="erin.jones@acme.example")
    sign_in(client, provider, "erin-sub")
    assert provider.authorize_requests[-1]["code_challenge_method"] == "S256"
    assert provider.authorize_requests[-1]["nonce"]
    assert provider.token_requests[-1]["code_verifier"]
    client.logout()

    def swap_verifier():
        session = client.session
        for entry in session["oidc_states"].values():
            entry["code_verifier"] = "x" * 64
        session.save()

    response = sign_in(client, provider, "erin-sub", before_callback=swap_verifier)
    assert_refused(response, "The sign-in service did not sign you in")
    assert "PKCE verification failed" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_it_creates_an_employee_from_the_claims_when_allowed(client, provider, erin, settings):
    settings.OIDC_CREATE_UNKNOWN = True
    provider.add_person(
        "finn-sub",
        email="Finn.Berg@acme.example",
        given_name="Finn",
        family_name="Berg",
        department="Support",
        team="East",
        location="Berlin",
        job_title="Agent",
        manager_email="ERIN.JONES@acme.example",
        zoneinfo="Europe/Berlin",
    )

    response = sign_in(client, provider, "finn-sub", next_url="/inbox/")

    assert response.status_code == 302
    assert response.url == "/inbox/"
    finn = User.objects.get(email="finn.berg@acme.example")
    assert signed_in_user_id(client) == str(finn.pk)
    assert (finn.first_name, finn.last_name) == ("Finn", "Berg")
    assert not finn.has_usable_password()
    assert list(finn.groups.values_list("name", flat=True)) == [roles.EMPLOYEE]
    profile = finn.profile
    assert (profile.department, profile.team, profile.location, profile.role) == (
        "Support",
        "East",
        "Berlin",
        "Agent",
    )
    assert profile.manager == erin
    assert profile.time_zone == "Europe/Berlin"


def test_it_leaves_the_time_zone_blank_when_the_provider_sends_no_real_one(client, provider, settings):
    settings.OIDC_CREATE_UNKNOWN = True
    provider.add_person("gus-sub", email="gus@acme.example", zoneinfo="Mars/Olympus_Mons")
    response = sign_in(client, provider, "gus-sub")
    assert response.status_code == 302
    assert User.objects.get(email="gus@acme.example").profile.time_zone == ""


def test_it_refuses_someone_unknown_when_creating_is_off(client, provider):
    provider.add_person("hal-sub", email="hal@acme.example")
    response = sign_in(client, provider, "hal-sub")
    page = assert_refused(response, "You do not have a CampaignHub account yet")
    assert "hal@acme.example" in page
    assert not User.objects.filter(email="hal@acme.example").exists()
    assert signed_in_user_id(client) is None
    assert AccessAttempt.objects.get(username="hal@acme.example").failures_since_start == 1


def test_it_refuses_an_unverified_email_even_when_it_matches_an_account(client, provider, erin):
    provider.add_person("mallory-sub", email="erin.jones@acme.example", email_verified=False)
    response = sign_in(client, provider, "mallory-sub")
    assert_refused(response, "Your email address is not verified")
    assert signed_in_user_id(client) is None


def test_it_refuses_a_switched_off_account(client, provider, erin):
    User.objects.filter(pk=erin.pk).update(is_active=False)
    provider.add_person("erin-sub", email="erin.jones@acme.example")
    response = sign_in(client, provider, "erin-sub")
    assert_refused(response, "Your CampaignHub account is switched off")
    assert signed_in_user_id(client) is None


# --- bad tokens -----------------------------------------------------------------------------
def _tamper(genuine: str, **changes) -> str:
    """The provider's own token with claims changed and its signature kept, as an attacker would."""
    header, payload, signature = genuine.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


BAD_TOKENS = {
    "tampered": (
        lambda p, genuine, claims: _tamper(genuine, email="erin.jones@acme.example"),
        "The sign-in could not be verified",
    ),
    "signed_by_a_key_the_provider_does_not_publish": (
        lambda p, genuine, claims: p.sign_unpublished({**claims, "email": "erin.jones@acme.example"}),
        "The sign-in could not be verified",
    ),
    "wrong_nonce": (
        lambda p, genuine, claims: p.sign({**claims, "nonce": "another-sign-in"}),
        "The proof of identity belongs to a different sign-in",
    ),
    "wrong_issuer": (
        lambda p, genuine, claims: p.sign({**claims, "iss": "https://login.evil.example"}),
        "The sign-in came from the wrong service",
    ),
    "wrong_audience": (
        lambda p, genuine, claims: p.sign({**claims, "aud": "another-app"}),
        "The sign-in was meant for another application",
    ),
    "expired": (
        lambda p, genuine, claims: p.sign(
            {**claims, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}
        ),
        "The sign-in took too long",
    ),
}


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_it_refuses_a_bad_id_token_with_a_clear_page(client, provider, erin, case, caplog):
    make_token, heading = BAD_TOKENS[case]
    provider.add_person("mallory-sub", email="mallory@acme.example")
    provider.id_token = lambda genuine, claims: make_token(provider, genuine, claims)

    with caplog.at_level(logging.WARNING, logger="identity.oidc"):
        response = sign_in(client, provider, "mallory-sub", next_url="/inbox/")

    assert_refused(response, heading)
    assert signed_in_user_id(client) is None
    assert any("SSO sign-in refused" in r.getMessage() for r in caplog.records)
    assert AccessAttempt.objects.get(username=UNVERIFIED).failures_since_start == 1


def test_a_token_signed_by_the_published_key_with_good_claims_is_accepted(client, provider, erin):
    """The crafted-token cases above fail for their one wrong claim, not for how they are made."""
    provider.add_person("erin-sub", email="erin.jones@acme.example")
    provider.id_token = lambda genuine, claims: provider.sign(claims)
    response = sign_in(client, provider, "erin-sub")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(erin.pk)


def test_it_shows_the_providers_refusal_when_the_person_denies_access(client, provider):
    authorize_url = start(client)
    answer = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    page = assert_refused(response, "The sign-in service did not sign you in")
    assert "denied the request" in page  # the provider's own words


def test_a_callback_cannot_be_replayed(client, provider, erin):
    provider.add_person("erin-sub", email="erin.jones@acme.example")
    authorize_url = start(client)
    answer = requests.post(authorize_url, data={"sub": "erin-sub"}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    callback = f"{back.path}?{back.query}"
    assert client.get(callback).status_code == 302
    client.logout()

    assert_refused(client.get(callback), "This sign-in has expired", status=400)
    assert signed_in_user_id(client) is None


def test_a_callback_from_another_browser_is_refused(client, provider, erin):
    assert_refused(
        client.get("/accounts/oidc/callback/?code=abc&state=xyz"), "This sign-in has expired", status=400
    )


def test_it_says_so_when_the_provider_does_not_answer(client, provider, erin, settings):
    provider.add_person("erin-sub", email="erin.jones@acme.example")
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/oauth2/token"  # the discard port: nothing listens
    response = sign_in(client, provider, "erin-sub")
    assert_refused(response, "The sign-in service did not answer", status=502)


# --- throttling ---------------------------------------------------------------------------
def test_a_person_locked_out_by_wrong_passwords_is_locked_out_of_sso_too(client, provider, erin):
    erin.set_password(PASSWORD)
    erin.save()
    for _ in range(5):
        client.post("/accounts/login/", {"username": erin.username, "password": "wrong"})
    provider.add_person("erin-sub", email="erin.jones@acme.example")

    response = sign_in(client, provider, "erin-sub")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_the_client_secret_and_id_go_to_the_token_endpoint(client, provider, erin):
    provider.add_person("erin-sub", email="erin.jones@acme.example")
    sign_in(client, provider, "erin-sub")
    assert provider.token_requests[-1]["client_id"] == CLIENT_ID
    assert provider.token_requests[-1]["grant_type"] == "authorization_code"
