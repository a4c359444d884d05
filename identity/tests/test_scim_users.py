"""SCIM Users: the identity provider creates, replaces, patches, finds and lists employees."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from conftest import PASSWORD, make_user
from identity.tests.scim_helpers import EMPLOYEE, ENTERPRISE, assert_scim_error, new_user
from people import roles

pytestmark = pytest.mark.django_db


def created(scim, username: str = "ada.lovelace@example.com", **fields) -> dict:
    response = scim.post("Users", new_user(username, **fields))
    assert response.status_code == 201, response.content
    return response.json()


def profile_of(pk):
    return User.objects.select_related("profile__manager").get(pk=pk).profile


def test_it_creates_an_employee_with_their_profile(scim):
    response = scim.post("Users", new_user())

    assert response.status_code == 201
    body = response.json()
    user = User.objects.select_related("profile").get(pk=body["id"])
    assert (user.username, user.first_name, user.last_name) == ("ada.lovelace@example.com", "Ada", "Lovelace")
    assert user.email == "ada.lovelace@example.com"
    assert user.is_active
    assert roles.primary_role(user) == roles.EMPLOYEE
    assert not user.has_usable_password()  # they sign in through the provider or an emailed link
    assert (user.profile.department, user.profile.team, user.profile.location) == ("Sales", "North", "London")
    assert (user.profile.role, user.profile.time_zone) == ("Analyst", "Europe/London")
    assert response["Location"] == f"{settings.SITE_URL}/scim/v2/Users/{user.pk}"
    assert body["userName"] == "ada.lovelace@example.com"
    assert body["name"]["givenName"] == "Ada"
    assert body["emails"] == [{"value": "ada.lovelace@example.com", "type": "work", "primary": True}]
    assert body[ENTERPRISE] == {"department": "Sales"}
    assert body[EMPLOYEE] == {"team": "North", "location": "London"}
    assert (body["title"], body["timezone"], body["externalId"]) == ("Analyst", "Europe/London", "ada")


def test_it_reads_a_user_back_by_id(scim):
    ada = created(scim)
    response = scim.get(f"Users/{ada['id']}")
    assert response.status_code == 200
    assert response.json() == ada


def test_it_answers_404_for_an_unknown_or_malformed_id(scim):
    assert_scim_error(scim.get("Users/999999"), 404)
    assert_scim_error(scim.get("Users/not-a-number"), 404)
    assert_scim_error(scim.get("Users/99999999999999999999999"), 404)


def test_it_replaces_a_user_with_put_clearing_what_the_provider_left_out(scim):
    ada = created(scim)
    replacement = new_user("ada.king@example.com", name={"givenName": "Ada", "familyName": "King"})
    del replacement["title"], replacement[EMPLOYEE]

    response = scim.put(f"Users/{ada['id']}", replacement)

    assert response.status_code == 200
    user = User.objects.select_related("profile").get(pk=ada["id"])
    assert (user.username, user.last_name, user.email) == (
        "ada.king@example.com",
        "King",
        "ada.king@example.com",
    )
    assert (user.profile.role, user.profile.team, user.profile.location) == ("", "", "")
    assert user.profile.department == "Sales"
    assert "title" not in response.json()


def test_it_deactivates_a_user_with_patch_and_they_can_no_longer_sign_in(scim, client, employee):
    assert client.post("/accounts/login/", {"username": "emma", "password": PASSWORD}).status_code == 302
    client.logout()

    response = scim.patch(f"Users/{employee.pk}", {"op": "replace", "path": "active", "value": False})

    assert response.status_code == 200
    assert response.json()["active"] is False
    employee.refresh_from_db()
    assert not employee.is_active
    refused = client.post("/accounts/login/", {"username": "emma", "password": PASSWORD})
    assert refused.status_code == 200  # the form again
    assert "_auth_user_id" not in client.session


def test_it_takes_entra_style_patches(scim, employee, presenter):
    """Microsoft Entra ID: capitalised ops, "False" as a string, URN paths, the manager as a bare id."""
    response = scim.patch(
        f"Users/{employee.pk}",
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Marketing"},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(presenter.pk)},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "emma.new@example.com"},
        {"op": "Replace", "path": "name.familyName", "value": "Stone"},
        {"op": "Replace", "path": "displayName", "value": "Emma Stone"},  # not kept: ignored
        {"op": "Replace", "path": "active", "value": "False"},
    )

    assert response.status_code == 200, response.content
    profile = profile_of(employee.pk)
    assert profile.department == "Marketing"
    assert profile.manager == presenter
    assert (profile.user.email, profile.user.last_name, profile.user.is_active) == (
        "emma.new@example.com",
        "Stone",
        False,
    )
    assert response.json()[ENTERPRISE]["manager"]["value"] == str(presenter.pk)


def test_it_takes_okta_style_patches_without_a_path(scim, employee):
    response = scim.patch(
        f"Users/{employee.pk}",
        {"op": "replace", "value": {"active": False, "title": "Lead", EMPLOYEE: {"team": "South"}}},
    )

    assert response.status_code == 200, response.content
    profile = profile_of(employee.pk)
    assert (profile.user.is_active, profile.role, profile.team) == (False, "Lead", "South")


def test_removing_the_manager_clears_it(scim, employee, presenter):
    profile = profile_of(employee.pk)
    profile.manager = presenter
    profile.save()

    response = scim.patch(f"Users/{employee.pk}", {"op": "remove", "path": f"{ENTERPRISE}:manager"})

    assert response.status_code == 200
    assert profile_of(employee.pk).manager is None
    assert "manager" not in response.json()[ENTERPRISE]


def test_delete_deactivates_and_keeps_the_person(scim, employee):
    response = scim.delete(f"Users/{employee.pk}")

    assert response.status_code == 204
    employee.refresh_from_db()
    assert not employee.is_active
    assert scim.get(f"Users/{employee.pk}").json()["active"] is False


def test_it_finds_an_imported_employee_by_username_ignoring_case(scim):
    make_user("ada.lovelace@example.com")  # as import_employees names people: by their email
    make_user("someone.else@example.com")

    response = scim.get('Users?filter=userName eq "Ada.Lovelace@Example.com"')

    assert response.status_code == 200
    body = response.json()
    assert body["totalResults"] == 1
    assert [r["userName"] for r in body["Resources"]] == ["ada.lovelace@example.com"]


def test_a_filter_that_matches_nobody_answers_an_empty_list(scim):
    body = scim.get('Users?filter=userName eq "nobody@example.com"').json()
    assert (body["totalResults"], body["Resources"]) == (0, [])


def test_it_finds_a_user_by_external_id(scim):
    ada = created(scim)
    body = scim.get('Users?filter=externalId eq "ada"').json()
    assert [r["id"] for r in body["Resources"]] == [ada["id"]]


def test_it_pages_the_user_list(scim):
    people = [make_user(f"person{i:02}") for i in range(7)]

    body = scim.get("Users?startIndex=3&count=2").json()

    assert body["totalResults"] == 7
    assert (body["startIndex"], body["itemsPerPage"]) == (3, 2)
    assert [r["id"] for r in body["Resources"]] == [str(people[2].pk), str(people[3].pk)]
    last = scim.get("Users?startIndex=7&count=5").json()
    assert [r["id"] for r in last["Resources"]] == [str(people[6].pk)]


def test_the_user_list_costs_the_same_queries_for_many_people(scim, django_assert_max_num_queries):
    for i in range(20):
        make_user(f"person{i:02}")
    with django_assert_max_num_queries(6):
        body = scim.get("Users?count=20").json()
    assert len(body["Resources"]) == 20


def test_superusers_are_not_provisioned(scim):
    admin = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    make_user("emma")

    assert [r["userName"] for r in scim.get("Users").json()["Resources"]] == ["emma"]
    assert_scim_error(scim.get(f"Users/{admin.pk}"), 404)
    assert_scim_error(scim.delete(f"Users/{admin.pk}"), 404)
    admin.refresh_from_db()
    assert admin.is_active


def test_a_taken_username_answers_409(scim):
    make_user("ada.lovelace@example.com")
    body = assert_scim_error(scim.post("Users", new_user("ADA.lovelace@example.com")), 409, detail="taken")
    assert body["scimType"] == "uniqueness"
