"""SCIM discovery: what a provider reads before it provisions (RFC 7644 §4)."""

from __future__ import annotations

import pytest

from identity.tests.scim_helpers import EMPLOYEE, ENTERPRISE

pytestmark = pytest.mark.django_db


def test_the_service_provider_config_says_bearer_patch_and_filter(scim):
    body = scim.get("ServiceProviderConfig").json()
    assert body["patch"]["supported"] is True
    assert body["filter"] == {"supported": True, "maxResults": 200}
    assert body["bulk"]["supported"] is False
    assert [s["type"] for s in body["authenticationSchemes"]] == ["oauthbearertoken"]


def test_the_user_resource_type_declares_both_extensions(scim):
    user = scim.get("ResourceTypes/User").json()
    assert {e["schema"] for e in user["schemaExtensions"]} == {ENTERPRISE, EMPLOYEE}
    listed = scim.get("ResourceTypes").json()
    assert sorted(r["id"] for r in listed["Resources"]) == ["Group", "User"]


def test_the_schemas_include_our_employee_extension(scim):
    ours = scim.get(f"Schemas/{EMPLOYEE}").json()
    assert [a["name"] for a in ours["attributes"]] == ["team", "location"]
    ids = {s["id"] for s in scim.get("Schemas").json()["Resources"]}
    assert {ENTERPRISE, EMPLOYEE, "urn:ietf:params:scim:schemas:core:2.0:User"} <= ids


def test_unsupported_endpoints_answer_501(scim):
    assert scim.get("Me").status_code == 501
    assert scim.post("Bulk", {}).status_code == 501
