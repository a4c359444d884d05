"""Signing in to the API: 401 with a challenge for nobody, CSRF still guards browser sessions."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/campaigns/",
    "/api/v1/audiences/",
    "/api/v1/briefings/",
    "/api/v1/inbox/",
    "/api/v1/explainers/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_it_answers_an_anonymous_call_with_401_and_a_token_challenge(url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_answers_a_bad_token_with_401():
    response = APIClient().get("/api/v1/inbox/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_serves_a_token_holder(employee):
    token = Token.objects.create(user=employee)
    response = APIClient().get("/api/v1/inbox/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_it_refuses_a_session_post_without_the_csrf_token(marketing):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(marketing)
    assert client.get("/api/v1/campaigns/").status_code == 200
    response = client.post("/api/v1/campaigns/", {"title": "No CSRF"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_it_still_answers_403_to_a_signed_in_person_without_the_role(employee):
    client = APIClient()
    client.force_login(employee)
    assert client.get("/api/v1/campaigns/").status_code == 403
