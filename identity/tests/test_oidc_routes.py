"""Who reaches the single sign-on routes, role by role (the permission matrix for identity/oidc.py).

Signing in is for everyone: each role is sent to the provider from the start route, and a callback
that this browser did not start is refused with the same page for everyone. With single sign-on off
both routes are absent (404) for everyone.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from identity.tests.oidc_provider import running_provider

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "employee", "presenter", "marketing", "ic", "superuser")
TO_PROVIDER, REFUSED, ABSENT = "to provider", 400, 404

# fmt: off
ON = {
    #            anonymous    employee     presenter    marketing    ic           superuser
    "start":    (TO_PROVIDER, TO_PROVIDER, TO_PROVIDER, TO_PROVIDER, TO_PROVIDER, TO_PROVIDER),
    "callback": (REFUSED,     REFUSED,     REFUSED,     REFUSED,     REFUSED,     REFUSED),
}
# fmt: on
PATHS = {"start": "/accounts/oidc/start/", "callback": "/accounts/oidc/callback/?code=c&state=s"}
CASES = [(route, role, want) for route, row in ON.items() for role, want in zip(ROLES, row, strict=True)]


@pytest.fixture(scope="module")
def running():
    with running_provider() as provider:
        yield provider


def as_role(request, client, role: str):
    if role == "superuser":
        client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    elif role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.mark.parametrize(("route", "role", "expected"), CASES, ids=[f"{r}-{o}" for r, o, _ in CASES])
def test_sso_routes_with_sso_on(request, client, settings, running, route, role, expected):
    for name, value in running.settings().items():
        setattr(settings, name, value)
    response = as_role(request, client, role).get(PATHS[route])
    if expected == TO_PROVIDER:
        assert response.status_code == 302
        assert response.url.startswith(running.authorization_endpoint)
    else:
        assert response.status_code == expected
        assert "This sign-in has expired" in response.content.decode()


@pytest.mark.parametrize("route", PATHS)
@pytest.mark.parametrize("role", ROLES)
def test_sso_routes_are_absent_with_sso_off(request, client, route, role):
    assert as_role(request, client, role).get(PATHS[route]).status_code == ABSENT
