"""Only the identity provider's bearer token opens /scim/v2/: never a browser session, never a guess."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from identity.models import ScimToken
from identity.tests.scim_helpers import TOKEN, Scim, assert_scim_error, new_user

pytestmark = pytest.mark.django_db

SCIM_PATHS = ["", "Users", "Groups", "Users/1", "ServiceProviderConfig", "ResourceTypes", "Schemas", "Me"]


@pytest.mark.parametrize("path", SCIM_PATHS)
def test_it_answers_401_with_a_scim_error_without_a_token(client, settings, path):
    settings.SCIM_TOKEN = TOKEN
    response = Scim(client, token="").get(path)
    assert_scim_error(response, 401, detail="no bearer token")
    assert response["WWW-Authenticate"] == 'Bearer realm="CampaignHub SCIM"'


def test_it_answers_401_to_a_wrong_token(client, settings):
    settings.SCIM_TOKEN = TOKEN
    assert_scim_error(Scim(client, token=TOKEN + "x").get("Users"), 401, detail="wrong bearer token")
    assert_scim_error(Scim(client, token=TOKEN[:-1]).get("Users"), 401)
    basic = Scim(client, token="").get("Users", HTTP_AUTHORIZATION=f"Basic {TOKEN}")
    assert_scim_error(basic, 401)


def test_it_answers_401_to_everyone_when_no_token_is_configured(client, settings):
    settings.SCIM_TOKEN = ""
    assert_scim_error(Scim(client, token="anything-at-all").get("Users"), 401)
    assert_scim_error(Scim(client, token="").get("Users", HTTP_AUTHORIZATION="Bearer "), 401)


@pytest.mark.parametrize("persona", ["employee", "marketing", "admin_user"])
def test_a_signed_in_session_without_a_token_gets_401(request, client, settings, persona):
    settings.SCIM_TOKEN = TOKEN
    client.force_login(request.getfixturevalue(persona))
    session = Scim(client, token="")
    before = User.objects.count()

    assert_scim_error(session.get("Users"), 401)
    assert_scim_error(session.post("Users", new_user()), 401)  # CSRF-exempt, so the token is the only guard
    assert User.objects.count() == before


def test_the_scim_endpoints_need_no_csrf_token(settings):
    from django.test import Client

    settings.SCIM_TOKEN = TOKEN
    response = Scim(Client(enforce_csrf_checks=True)).post("Users", new_user())
    assert response.status_code == 201


def test_a_token_issued_in_the_admin_works_and_only_its_digest_is_stored(client, settings, admin_user):
    settings.SCIM_TOKEN = ""
    client.force_login(admin_user)
    page = client.post("/admin/identity/scimtoken/add/", {"name": "Entra ID production"}, follow=True)

    issued = ScimToken.objects.get()
    message = next(str(m) for m in page.context["messages"])
    token = message.split(" is ", 1)[1].split(" ", 1)[0]
    assert token.startswith(ScimToken.PREFIX)
    assert issued.digest == ScimToken.digest_of(token) != token
    assert token not in [str(v) for v in ScimToken.objects.values_list("name", "digest").get()]
    client.logout()

    assert Scim(client, token=token).get("Users").status_code == 200
    issued.refresh_from_db()
    assert issued.last_used_at is not None

    issued.delete()  # revoking
    assert_scim_error(Scim(client, token=token).get("Users"), 401)
