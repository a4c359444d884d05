"""Audience pages: who sees and edits them, what they show, bad input, fixed query counts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from campaigns.views import AUDIENCE_IMPACTS_SHOWN
from conftest import add_impact, make_campaign, make_user
from people.models import Audience
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db

RULE = {
    "name": "London sales",
    "description": "",
    "kind": "rule",
    "department": "Sales",
    "location": "London",
}


def make_staff(n: int, **profile) -> list[User]:
    return [make_user(f"staff{i:03d}", department="Sales", location="London", **profile) for i in range(n)]


# --- who may see and change audiences --------------------------------------------------------


def test_marketing_sees_audience_list_with_sizes(
    client_for, marketing, sales, support, employee, employee_ny
):
    response = client_for(marketing).get(reverse("audience_list"))
    assert response.status_code == 200
    audiences = {a.name: a.member_count for a in response.context["audiences"]}
    assert audiences == {"Sales": 1, "Support": 1}
    assert "New audience" not in response.content.decode()


def test_ic_sees_create_and_import_links(client_for, ic):
    body = client_for(ic).get(reverse("audience_list")).content.decode()
    assert reverse("audience_create") in body
    assert reverse("audience_import") in body


@pytest.mark.parametrize("persona", ["employee", "presenter"])
def test_employee_and_presenter_get_403_on_audience_pages(client_for, persona, request, sales):
    client = client_for(request.getfixturevalue(persona))
    for url in (
        reverse("audience_list"),
        reverse("audience_detail", args=[sales.pk]),
        reverse("audience_create"),
        reverse("audience_edit", args=[sales.pk]),
        reverse("audience_import"),
    ):
        assert client.get(url).status_code == 403, url


def test_marketing_may_read_but_not_create_or_edit(client_for, marketing, sales):
    client = client_for(marketing)
    assert client.get(reverse("audience_detail", args=[sales.pk])).status_code == 200
    assert client.get(reverse("audience_create")).status_code == 403
    assert client.post(reverse("audience_create"), RULE).status_code == 403
    assert client.post(reverse("audience_edit", args=[sales.pk]), RULE).status_code == 403
    assert not Audience.objects.filter(name="London sales").exists()


def test_unknown_audience_is_404(client_for, ic):
    assert client_for(ic).get(reverse("audience_detail", args=[999])).status_code == 404


def test_audiences_menu_item_shows_for_marketing_and_ic_only(client_for, marketing, employee):
    assert reverse("audience_list") in client_for(marketing).get("/").content.decode()
    assert reverse("audience_list") not in client_for(employee).get("/").content.decode()


# --- the detail page -------------------------------------------------------------------------


def test_detail_shows_count_and_first_ten_by_name(client_for, marketing, sales):
    people = make_staff(12)
    people[5].last_name = "Aardvark"
    people[5].save()
    response = client_for(marketing).get(reverse("audience_detail", args=[sales.pk]))
    assert response.context["size"] == 12
    sample = response.context["sample"]
    assert len(sample) == 10
    assert sample[0] == people[5]
    assert "12 employees match; the first 10 by name" in response.content.decode()


def test_detail_warns_when_nobody_matches(client_for, marketing):
    empty = Audience.objects.create(name="Nobody", location="Atlantis")
    body = client_for(marketing).get(reverse("audience_detail", args=[empty.pk])).content.decode()
    assert "Nobody matches." in body


def test_detail_lists_only_campaigns_the_viewer_may_see(
    client_for, marketing, other_marketing, campaign, sales
):
    omar_campaign = make_campaign(other_marketing, title="Omar's Event")
    add_impact(omar_campaign, sales)
    body = client_for(marketing).get(reverse("audience_detail", args=[sales.pk])).content.decode()
    assert campaign.title in body
    assert "Omar&#x27;s Event" not in body


def test_detail_lists_the_next_go_lives_not_years_of_history(client_for, ic, marketing, sales):
    long_ago = make_campaign(marketing, title="Long gone", go_live_in=timedelta(days=-60))
    add_impact(long_ago, sales)
    for n in range(AUDIENCE_IMPACTS_SHOWN + 2):
        add_impact(make_campaign(marketing, title=f"Soon {n:02d}", go_live_in=timedelta(days=n + 1)), sales)
    body = client_for(ic).get(reverse("audience_detail", args=[sales.pk])).content.decode()
    assert "Long gone" not in body
    assert (
        f"Soon {AUDIENCE_IMPACTS_SHOWN - 1:02d}" in body and f"Soon {AUDIENCE_IMPACTS_SHOWN:02d}" not in body
    )
    assert "More campaigns affect it later" in body


def test_inactive_people_are_not_counted(client_for, ic, sales, employee):
    employee.is_active = False
    employee.save()
    assert client_for(ic).get(reverse("audience_detail", args=[sales.pk])).context["size"] == 0


# --- creating and editing --------------------------------------------------------------------


def test_ic_creates_rule_audience_and_sees_its_page(client_for, ic, employee, employee_ny):
    client = client_for(ic)
    response = client.post(reverse("audience_create"), {**RULE, "location": "London,  New York ,"})
    audience = Audience.objects.get(name="London sales")
    assert response.status_code == 302
    assert response.url == reverse("audience_detail", args=[audience.pk])
    assert audience.location == "London, New York"
    assert list(audience.users()) == [employee]
    page = client.get(response.url)
    assert page.status_code == 200
    assert "London sales" in page.content.decode()


def test_saving_a_rule_that_matches_nobody_warns_but_saves(client_for, ic):
    data = {**RULE, "location": "Atlantis", "keep_location": "on", "keep_department": "on"}
    response = client_for(ic).post(reverse("audience_create"), data, follow=True)
    assert Audience.objects.filter(name="London sales").exists()
    assert "matches nobody yet" in response.content.decode()


def test_rule_without_any_condition_is_a_field_error(client_for, ic):
    response = client_for(ic).post(reverse("audience_create"), {**RULE, "department": "", "location": ""})
    assert response.status_code == 200
    assert "Give at least one condition" in response.context["form"].errors["department"][0]
    assert not Audience.objects.exists()


def test_duplicate_name_is_a_field_error(client_for, ic, sales):
    response = client_for(ic).post(reverse("audience_create"), {**RULE, "name": "Sales"})
    assert "name" in response.context["form"].errors


def test_ic_creates_explicit_list_from_emails(client_for, ic, employee, employee_ny):
    data = {
        **RULE,
        "kind": "list",
        "name": "Champions",
        "member_emails": f"{employee.email}\n\n{employee_ny.email.upper()}\n",
    }
    client_for(ic).post(reverse("audience_create"), data)
    audience = Audience.objects.get(name="Champions")
    assert set(audience.members.all()) == {employee, employee_ny}
    assert audience.size == 2


def test_member_list_errors_name_each_bad_line(client_for, ic, employee):
    data = {**RULE, "kind": "list", "member_emails": f"{employee.email}\nnot an email\nghost@example.com"}
    response = client_for(ic).post(reverse("audience_create"), data)
    assert response.context["form"].errors["member_emails"] == [
        "Line 2: “not an email” is not an email address.",
        "Line 3: nobody has the email address ghost@example.com.",
    ]
    assert not Audience.objects.exists()


def test_empty_member_list_is_a_field_error(client_for, ic):
    response = client_for(ic).post(reverse("audience_create"), {**RULE, "kind": "list", "member_emails": ""})
    assert "Add at least one member" in response.context["form"].errors["member_emails"][0]


def test_edit_form_lists_current_members_and_saves_changes(client_for, ic, employee, employee_ny):
    audience = Audience.objects.create(name="Champions", kind="list")
    audience.members.add(employee)
    client = client_for(ic)
    form = client.get(reverse("audience_edit", args=[audience.pk])).context["form"]
    assert form.initial["member_emails"] == employee.email
    client.post(
        reverse("audience_edit", args=[audience.pk]),
        {"name": "Champions", "kind": "list", "member_emails": employee_ny.email},
    )
    assert list(audience.members.all()) == [employee_ny]


def test_switching_a_list_to_a_rule_drops_the_member_list(client_for, ic, employee):
    audience = Audience.objects.create(name="Champions", kind="list")
    audience.members.add(employee)
    client_for(ic).post(reverse("audience_edit", args=[audience.pk]), {**RULE, "name": "Champions"})
    audience.refresh_from_db()
    assert audience.kind == "rule"
    assert not audience.members.exists()


def test_preview_shows_matches_without_saving(client_for, ic, employee, employee_ny):
    response = client_for(ic).post(reverse("audience_create"), {**RULE, "preview": "1"})
    assert response.status_code == 200
    assert response.context["preview"]["size"] == 1
    assert response.context["preview"]["sample"] == [employee]
    assert not Audience.objects.exists()


# --- fixed query counts ----------------------------------------------------------------------


@pytest.mark.parametrize("n_audiences, n_people", [(2, 3), (25, 60)])
def test_audience_list_query_count_is_fixed(client_for, ic, n_audiences, n_people, django_assert_num_queries):
    make_staff(n_people)
    for i in range(n_audiences):
        kind = "list" if i % 2 else "rule"
        audience = Audience.objects.create(name=f"A{i}", kind=kind, location="London")
        if kind == "list":
            audience.members.add(*User.objects.all()[:5])
    client = client_for(ic)
    # the layout (session, user, profile, menu), then audiences with campaign counts, all sizes
    with django_assert_num_queries(layout_queries(ic) + 2):
        assert client.get(reverse("audience_list")).status_code == 200


@pytest.mark.parametrize("n_people", [3, 60])
def test_audience_detail_query_count_is_fixed(
    client_for, ic, campaign, sales, n_people, django_assert_num_queries
):
    make_staff(n_people)
    client = client_for(ic)
    # the layout, then audience, size, sample, impacts with their campaigns
    with django_assert_num_queries(layout_queries(ic) + 4):
        assert client.get(reverse("audience_detail", args=[sales.pk])).status_code == 200


def test_audience_list_is_sorted_by_name(client_for, ic, campaign):
    for name in ("Zeta", "Alpha", "Mu"):
        Audience.objects.create(name=name, department="Sales")
    names = [a.name for a in client_for(ic).get(reverse("audience_list")).context["audiences"]]
    assert names == ["Alpha", "Mu", "Sales", "Zeta"]


def test_admin_superuser_creates_audiences_like_ic(client_for, employee):
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    response = client_for(admin).post(reverse("audience_create"), RULE)
    assert response.status_code == 302
    assert Audience.objects.get(name="London sales").size == 1


# --- attribute pickers: known values, unknown ones suggested ------------------------------------


def test_form_offers_known_values_with_how_many_people(client_for, ic, employee, employee_ny):
    make_user("lena", location="london")  # the same place as the matcher sees it: one entry
    page = client_for(ic).get(reverse("audience_create")).content.decode()
    assert 'list="known-location"' in page
    assert '<option value="London">London (2 people)</option>' in page
    assert '<option value="New York">New York (1 person)</option>' in page


def test_unknown_location_suggests_the_close_known_value(client_for, ic):
    make_user("sam", department="Sales", location="Singapore")
    response = client_for(ic).post(reverse("audience_create"), {**RULE, "location": "Singapur"})
    assert response.status_code == 200
    error = response.context["form"].errors["location"][0]
    assert error == "No one has location “Singapur”. Did you mean Singapore?"
    assert "Keep “Singapur” (people may be imported later)" in response.content.decode()
    assert not Audience.objects.exists()


def test_unknown_value_is_saved_when_kept_on_purpose(client_for, ic, employee):
    data = {**RULE, "location": "Singapur", "keep_location": "on"}
    response = client_for(ic).post(reverse("audience_create"), data)
    assert response.status_code == 302
    assert Audience.objects.get().location == "Singapur"


def test_value_differing_only_in_case_is_known_as_the_matcher_sees_it(client_for, ic):
    make_user("zoe", department="Sales", location="Zürich")
    response = client_for(ic).post(reverse("audience_create"), {**RULE, "location": "ZÜRICH"})
    assert response.status_code == 302
    assert list(Audience.objects.get().users().values_list("username", flat=True)) == ["zoe"]


def test_value_without_its_accent_is_unknown_because_the_matcher_counts_accents(client_for, ic):
    make_user("zoe", department="Sales", location="Zürich")
    response = client_for(ic).post(reverse("audience_create"), {**RULE, "location": "Zurich"})
    assert response.context["form"].errors["location"] == [
        "No one has location “Zurich”. Did you mean Zürich?"
    ]


def test_unknown_value_in_one_field_leaves_known_fields_alone(client_for, ic, employee):
    response = client_for(ic).post(reverse("audience_create"), {**RULE, "department": "Sales, Slaes"})
    errors = response.context["form"].errors
    assert errors["department"] == ["No one has department “Slaes”. Did you mean Sales?"]
    assert "location" not in errors


@pytest.mark.parametrize("n_people", [1, 30])
def test_audience_form_query_count_is_fixed(client_for, ic, n_people, django_assert_num_queries):
    make_staff(n_people)
    client = client_for(ic)
    with django_assert_num_queries(layout_queries(ic) + 4):  # known values: one GROUP BY per field
        assert client.get(reverse("audience_create")).status_code == 200
