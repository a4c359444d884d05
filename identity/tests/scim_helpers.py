"""SCIM test helpers: a client that presents the bearer token, and the error body every 4xx carries."""

from __future__ import annotations

import json

import pytest

TOKEN = "test-scim-token-0123456789abcdefghijklmnop"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
EMPLOYEE = "urn:campaignhub:scim:schemas:extension:employee:2.0:User"


class Scim:
    """Django's test client speaking SCIM: JSON bodies, the bearer token on every call."""

    def __init__(self, client, token: str = TOKEN):
        self.client, self.token = client, token

    def call(self, method: str, path: str, body=None, **extra):
        if self.token:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        kwargs = {"data": data, "content_type": "application/scim+json"} if data is not None else {}
        return getattr(self.client, method)(f"/scim/v2/{path}", **kwargs, **extra)

    def get(self, path, **extra):
        return self.call("get", path, **extra)

    def post(self, path, body, **extra):
        return self.call("post", path, body, **extra)

    def put(self, path, body, **extra):
        return self.call("put", path, body, **extra)

    def patch(self, path, *operations, **extra):
        return self.call("patch", path, {"schemas": [PATCH], "Operations": list(operations)}, **extra)

    def delete(self, path, **extra):
        return self.call("delete", path, **extra)


@pytest.fixture
def scim(client, settings):
    settings.SCIM_TOKEN = TOKEN
    return Scim(client)


def assert_scim_error(response, status: int, *, detail: str = "") -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert int(body["status"]) == status
    assert detail.lower() in body["detail"].lower()
    return body


def new_user(username: str = "ada.lovelace@example.com", **fields) -> dict:
    doc = {
        "schemas": [USER, ENTERPRISE, EMPLOYEE],
        "userName": username,
        "externalId": "ada",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": username, "type": "work", "primary": True}],
        "active": True,
        "title": "Analyst",
        "timezone": "Europe/London",
        ENTERPRISE: {"department": "Sales"},
        EMPLOYEE: {"team": "North", "location": "London"},
    }
    doc.update(fields)
    return doc
