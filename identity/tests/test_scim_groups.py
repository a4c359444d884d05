"""SCIM Groups are list audiences named after the group: membership from the provider feeds audiences."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import make_user
from identity.models import ScimGroup
from identity.tests.scim_helpers import GROUP, assert_scim_error
from people.models import Audience
from rollout.models import Delivery
from rollout.tests.engine import GO_LIVE, make_running_campaign, tick

pytestmark = pytest.mark.django_db


def members_of(audience_id) -> list[str]:
    return sorted(Audience.objects.get(pk=audience_id).users().values_list("username", flat=True))


def new_group(scim, name: str = "Sales EMEA", *people) -> dict:
    body = {
        "schemas": [GROUP],
        "displayName": name,
        "externalId": "g-1",
        "members": [{"value": str(p.pk)} for p in people],
    }
    response = scim.post("Groups", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_it_creates_a_list_audience_named_after_the_group(scim, employee, employee_ny):
    group = new_group(scim, "Sales EMEA", employee, employee_ny)

    audience = Audience.objects.get(pk=group["id"])
    assert (audience.name, audience.kind) == ("Sales EMEA", Audience.Kind.LIST)
    assert members_of(audience.pk) == ["emma", "noah"]
    assert group["displayName"] == "Sales EMEA"
    assert sorted(m["value"] for m in group["members"]) == sorted([str(employee.pk), str(employee_ny.pk)])
    assert {g["display"] for g in scim.get(f"Users/{employee.pk}").json()["groups"]} == {"Sales EMEA"}


def test_entra_style_patches_add_and_remove_members(scim, employee, employee_ny, presenter):
    group = new_group(scim, "Sales EMEA", employee)

    response = scim.patch(
        f"Groups/{group['id']}",
        {
            "op": "Add",
            "path": "members",
            "value": [{"value": str(employee_ny.pk)}, {"value": str(presenter.pk)}],
        },
        {"op": "Remove", "path": "members", "value": [{"value": str(employee.pk)}]},
    )

    assert response.status_code == 200, response.content
    assert members_of(group["id"]) == ["noah", "pat"]
    assert sorted(m["display"] for m in response.json()["members"]) == ["Noah Tester", "Pat Tester"]


def test_okta_style_patches_rename_and_remove_a_member_by_filter(scim, employee, employee_ny):
    group = new_group(scim, "Sales EMEA", employee, employee_ny)

    response = scim.patch(
        f"Groups/{group['id']}",
        {"op": "replace", "value": {"id": group["id"], "displayName": "Sales Europe"}},
        {"op": "remove", "path": f'members[value eq "{employee.pk}"]'},
    )

    assert response.status_code == 200, response.content
    assert Audience.objects.get(pk=group["id"]).name == "Sales Europe"
    assert members_of(group["id"]) == ["noah"]


def test_put_replaces_name_and_members(scim, employee, employee_ny):
    group = new_group(scim, "Sales EMEA", employee)
    body = {"schemas": [GROUP], "displayName": "Support", "members": [{"value": str(employee_ny.pk)}]}

    assert scim.put(f"Groups/{group['id']}", body).status_code == 200
    assert members_of(group["id"]) == ["noah"]
    assert Audience.objects.get(pk=group["id"]).name == "Support"


def test_it_finds_a_group_by_display_name_and_lists_only_scim_groups(scim, sales, employee):
    group = new_group(scim, "Sales EMEA", employee)

    found = scim.get('Groups?filter=displayName eq "sales emea"').json()
    assert [g["id"] for g in found["Resources"]] == [group["id"]]
    listed = scim.get("Groups").json()
    assert (listed["totalResults"], listed["Resources"][0]["displayName"]) == (1, "Sales EMEA")
    assert_scim_error(scim.get(f"Groups/{sales.pk}"), 404)  # a rule audience is not a SCIM group


def test_a_name_taken_by_another_audience_answers_409(scim, sales):
    body = assert_scim_error(scim.post("Groups", {"schemas": [GROUP], "displayName": "Sales"}), 409)
    assert body["scimType"] == "uniqueness"


def test_delete_unlinks_and_empties_the_audience_but_keeps_it(scim, employee):
    group = new_group(scim, "Sales EMEA", employee)

    assert scim.delete(f"Groups/{group['id']}").status_code == 204

    assert Audience.objects.filter(pk=group["id"]).exists()
    assert members_of(group["id"]) == []
    assert not ScimGroup.objects.exists()
    assert_scim_error(scim.get(f"Groups/{group['id']}"), 404)


def test_group_members_receive_the_campaign_sent_to_its_audience(scim, marketing, employee, employee_ny):
    group = new_group(scim, "Sales EMEA", employee)
    make_running_campaign(marketing, Audience.objects.get(pk=group["id"]))
    scim.patch(
        f"Groups/{group['id']}", {"op": "add", "path": "members", "value": [{"value": str(employee_ny.pk)}]}
    )
    make_user("outsider")

    tick(GO_LIVE - timedelta(days=14))

    assert set(Delivery.objects.values_list("recipient__username", flat=True)) == {"emma", "noah"}
