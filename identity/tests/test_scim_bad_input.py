"""Bad SCIM requests answer 400 (or 404/409) with a SCIM error body, never a 500, and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from identity.tests.scim_helpers import EMPLOYEE, ENTERPRISE, GROUP, PATCH, assert_scim_error, new_user

pytestmark = pytest.mark.django_db


def without(doc: dict, key: str) -> dict:
    return {k: v for k, v in doc.items() if k != key}


BAD_USERS = {
    "missing userName": (without(new_user(), "userName"), "userName is required"),
    "blank userName": (new_user(""), "userName is required"),
    "userName a number": (new_user(42), "userName must be a string"),
    "userName with spaces": (new_user("ada lovelace"), "userName"),
    "active a word": (new_user(active="maybe"), "active must be true or false"),
    "active a number": (new_user(active=1), "active must be true or false"),
    "name a string": (new_user(name="Ada Lovelace"), "name must be an object"),
    "givenName a list": (new_user(name={"givenName": ["Ada"]}), "givenName must be a string"),
    "title too long": (new_user(title="x" * 101), "title is longer than 100"),
    "emails not objects": (new_user(emails=["ada@example.com"]), "emails must be a list of objects"),
    "email not an address": (new_user(emails=[{"value": "not-an-email", "primary": True}]), "not an email"),
    "unknown manager": (new_user(**{ENTERPRISE: {"manager": {"value": "999999"}}}), "not a known user"),
    "manager not an id": (new_user(**{ENTERPRISE: {"manager": {"value": "boss"}}}), "not a known user"),
    "enterprise not an object": (new_user(**{ENTERPRISE: "Sales"}), "must be an object"),
    "team a number": (new_user(**{EMPLOYEE: {"team": 7}}), "team must be a string"),
    "bad time zone": (new_user(timezone="Mars/Olympus_Mons"), "not a known IANA time zone"),
    "time zone that is not a place": (new_user(timezone="localtime"), "not a known IANA time zone"),
}


@pytest.mark.parametrize(("body", "detail"), BAD_USERS.values(), ids=BAD_USERS.keys())
def test_a_bad_user_is_refused_with_400_and_a_scim_error(scim, body, detail):
    assert_scim_error(scim.post("Users", body), 400, detail=detail)
    assert not User.objects.exists()


BAD_BODIES = {
    "not JSON": ("{not json", "Could not decode JSON"),
    "a JSON list": ("[1, 2]", "must be a JSON object"),
    "a JSON string": ('"ada"', "must be a JSON object"),
}


@pytest.mark.parametrize(("body", "detail"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("path", ["Users", "Groups", "Users/.search"])
def test_a_body_that_is_not_a_json_object_is_refused(scim, body, detail, path):
    assert_scim_error(scim.post(path, body), 400, detail=detail)


BAD_PATCHES = {
    "Operations not a list": ({"op": "replace", "path": "active", "value": False}, "non-empty list"),
    "an operation not an object": (["replace"], "must be an object"),
    "unknown op": ([{"op": "upsert", "path": "active", "value": False}], "Unknown PATCH op"),
    "remove without a path": ([{"op": "remove"}], "needs a path"),
    "value-only op with a list": ([{"op": "replace", "value": [1]}], "needs an object value"),
    "unreadable path": ([{"op": "replace", "path": "emails[type eq", "value": "x"}], "Cannot read the path"),
    "active a word": ([{"op": "replace", "path": "active", "value": "nope"}], "active must be true or false"),
    "remove active": ([{"op": "remove", "path": "active"}], "active cannot be removed"),
    "unknown manager": (
        [{"op": "add", "path": f"{ENTERPRISE}:manager", "value": "424242"}],
        "not a known user",
    ),
    "own manager": ([{"op": "add", "path": f"{ENTERPRISE}:manager", "value": "SELF"}], "own manager"),
    "bad time zone": ([{"op": "replace", "path": "timezone", "value": "Europe/Atlantis"}], "time zone"),
    "department a list": ([{"op": "replace", "path": f"{ENTERPRISE}:department", "value": ["x"]}], "string"),
}


@pytest.mark.parametrize(("operations", "detail"), BAD_PATCHES.values(), ids=BAD_PATCHES.keys())
def test_a_bad_patch_is_refused_and_changes_nothing(scim, employee, operations, detail):
    if isinstance(operations, list):
        operations = [
            {**op, "value": str(employee.pk)} if isinstance(op, dict) and op.get("value") == "SELF" else op
            for op in operations
        ]
    body = {"schemas": [PATCH], "Operations": operations}
    # A good operation first: the bad one must roll it back.
    if isinstance(operations, list):
        body["Operations"] = [{"op": "replace", "path": "title", "value": "Changed"}, *operations]

    assert_scim_error(scim.call("patch", f"Users/{employee.pk}", body), 400, detail=detail)
    employee.refresh_from_db()
    assert employee.is_active
    assert employee.profile.role == "Adviser"
    assert employee.profile.time_zone == "Europe/London"


BAD_FILTERS = {
    "incomplete": ("userName eq", "Invalid filter"),
    "illegal character": ("userName ~ 1", "Invalid filter"),
    "unknown operator": ('userName zz "a"', "Invalid filter"),
    "an attribute we do not filter on": ('nickName eq "a"', "no attribute"),
}


@pytest.mark.parametrize(("query", "detail"), BAD_FILTERS.values(), ids=BAD_FILTERS.keys())
def test_a_bad_filter_is_refused_with_400(scim, query, detail):
    assert_scim_error(scim.get(f"Users?filter={query}"), 400, detail=detail)


def test_bad_paging_is_refused_with_400(scim):
    assert_scim_error(scim.get("Users?startIndex=0"), 400, detail="startIndex")
    assert_scim_error(scim.get("Users?count=many"), 400, detail="pagination")


def test_a_group_without_a_name_or_with_unknown_members_is_refused(scim, employee):
    assert_scim_error(scim.post("Groups", {"schemas": [GROUP]}), 400, detail="displayName is required")
    unknown = {"schemas": [GROUP], "displayName": "Sales EMEA", "members": [{"value": "424242"}]}
    assert_scim_error(scim.post("Groups", unknown), 400, detail="Unknown members: 424242")
    not_objects = {"schemas": [GROUP], "displayName": "Sales EMEA", "members": [str(employee.pk)]}
    assert_scim_error(scim.post("Groups", not_objects), 400, detail="members must be a list")
    assert not User.objects.filter(listed_audiences__isnull=False).exists()


def test_a_bad_group_patch_is_refused_and_keeps_the_members(scim, employee):
    group = scim.post(
        "Groups", {"schemas": [GROUP], "displayName": "EMEA", "members": [{"value": str(employee.pk)}]}
    )
    path = f"Groups/{group.json()['id']}"

    remove_by_other_filter = {"op": "remove", "path": 'members[display eq "Emma"]'}
    assert_scim_error(scim.patch(path, remove_by_other_filter), 400, detail="members[value eq")
    add_unknown = {"op": "add", "path": "members", "value": [{"value": "424242"}]}
    assert_scim_error(scim.patch(path, add_unknown), 400, detail="Unknown members")
    blank_name = {"op": "replace", "path": "displayName", "value": " "}
    assert_scim_error(scim.patch(path, blank_name), 400, detail="displayName is required")

    assert [m["value"] for m in scim.get(path).json()["members"]] == [str(employee.pk)]
