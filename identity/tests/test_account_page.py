"""The account page (/account/): a person's own time zone and whether announcements also come by
email; the next dispatch tick honours the choice."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from campaigns.models import Campaign
from conftest import make_user
from people.models import EmployeeProfile
from rollout.models import Delivery, RolloutStage

pytestmark = pytest.mark.django_db

IN_APP_ONLY = {"time_zone": "Europe/London", "announcements": "in_app"}


def test_it_shows_the_persons_own_zone_and_preference(client_for, employee_ny):
    page = client_for(employee_ny).get("/account/").content.decode()

    assert '<option value="America/New_York" selected>America/New York</option>' in page
    assert 'value="in_app_and_email" required id="id_announcements_0" checked' in page


def test_it_saves_the_zone_and_in_app_only(client_for, employee):
    response = client_for(employee).post(
        "/account/", {"time_zone": "Asia/Singapore", "announcements": "in_app"}
    )

    assert response.status_code == 302
    assert response.url == "/account/"
    profile = EmployeeProfile.objects.get(user=employee)
    assert profile.time_zone == "Asia/Singapore"
    assert profile.preferred_channels == ["in_app"]
    page = client_for(employee).get("/account/").content.decode()
    assert "Your account settings are saved." in page
    assert "Times shown in Asia/Singapore" in page  # every page now uses the new zone
    assert 'value="in_app" required id="id_announcements_1" checked' in page


def test_choosing_email_again_clears_the_in_app_only_choice(client_for, employee):
    EmployeeProfile.objects.filter(user=employee).update(preferred_channels=["in_app"])

    client_for(employee).post(
        "/account/", {"time_zone": "Europe/London", "announcements": "in_app_and_email"}
    )

    assert EmployeeProfile.objects.get(user=employee).preferred_channels == []  # [] means every channel


def test_it_creates_a_profile_for_someone_who_has_none(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    assert client.get("/account/").status_code == 200

    client.post("/account/", {"time_zone": "Europe/Paris", "announcements": "in_app"})

    assert EmployeeProfile.objects.get(user=admin).time_zone == "Europe/Paris"


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (
            {"time_zone": "Mars/Olympus_Mons", "announcements": "in_app"},
            "time_zone",
            "Select a valid choice.",
        ),
        ({"time_zone": "localtime", "announcements": "in_app"}, "time_zone", "Select a valid choice."),
        (
            {"time_zone": "Europe/London", "announcements": "pigeon"},
            "announcements",
            "Select a valid choice.",
        ),
        ({"time_zone": "", "announcements": "in_app"}, "time_zone", "This field is required."),
    ],
    ids=["unknown-zone", "not-a-place", "unknown-preference", "no-zone"],
)
def test_bad_input_gets_a_field_error_and_changes_nothing(client_for, employee, data, field, error):
    response = client_for(employee).post("/account/", data)

    assert response.status_code == 200
    assert f'<p class="field-error" id="id_{field}_error">{error}' in response.content.decode()
    profile = EmployeeProfile.objects.get(user=employee)
    assert (profile.time_zone, profile.preferred_channels) == ("Europe/London", [])


def test_it_changes_only_the_signed_in_persons_profile(client_for, employee, employee_ny):
    client_for(employee).post("/account/", {**IN_APP_ONLY, "user": employee_ny.pk, "time_zone": "Asia/Tokyo"})

    noah = EmployeeProfile.objects.get(user=employee_ny)
    assert (noah.time_zone, noah.preferred_channels) == ("America/New_York", [])
    assert EmployeeProfile.objects.get(user=employee).time_zone == "Asia/Tokyo"


def test_it_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/account/"


def test_every_pages_header_links_to_the_account_page(client_for, employee):
    client = client_for(employee)
    for path in ("/", "/inbox/", "/account/"):
        assert '<a href="/account/"' in client.get(path).content.decode(), path


def test_a_person_who_chose_in_app_only_gets_no_email_from_the_next_tick(
    client_for, campaign, sales, employee, mailoutbox
):
    colleague = make_user("sam", department="Sales")  # in the same audience, keeps email
    client_for(employee).post("/account/", IN_APP_ONLY)
    campaign.status = Campaign.Status.APPROVED
    campaign.save(update_fields=["status"])
    stage = RolloutStage.objects.create(
        campaign=campaign,
        kind=RolloutStage.Kind.EARLY_WARNING,
        offset_minutes=-31 * 24 * 60,  # go-live is in 30 days: due now
        subject="Coming: {{ campaign_title }}",
        body="{{ concept }}",
        channels=[EmployeeProfile.Channel.IN_APP, EmployeeProfile.Channel.EMAIL],
    )
    stage.audiences.add(sales)

    call_command("dispatch_due")

    assert [m.to for m in mailoutbox] == [[colleague.email]]
    emma = Delivery.objects.filter(stage=stage, recipient=employee)
    assert list(emma.values_list("channel", "status")) == [("in_app", "sent")]
    assert "Coming: Spring Savings" in client_for(employee).get("/inbox/").content.decode()


# --- the time-zone picker ------------------------------------------------------------------------


def test_likely_zones_come_first_own_then_most_common_among_colleagues(client_for, employee):
    for i in range(3):
        make_user(f"sg{i}", location="London", time_zone="Asia/Singapore")
    make_user("ny0", location="London", time_zone="America/New_York")
    make_user("far", location="Lima", time_zone="America/Lima")  # not a colleague: not likely

    form = client_for(employee).get("/account/").context["form"]

    likely_group, all_group = form.fields["time_zone"].choices
    assert likely_group[0] == "Likely"
    assert [zone for zone, _ in likely_group[1]] == ["Europe/London", "Asia/Singapore", "America/New_York"]
    assert all_group[0] == "All time zones"


def test_without_script_the_picker_is_a_labelled_select_with_a_likely_group(client_for, employee):
    page = client_for(employee).get("/account/").content.decode()

    assert '<label for="id_time_zone">Time zone' in page
    assert '<optgroup label="Likely">' in page
    assert "js/time-zone-picker.js" in page


def test_zones_read_by_city_so_typing_sao_paulo_or_new_york_finds_them(client_for, employee):
    choices = dict(client_for(employee).get("/account/").context["form"].fields["time_zone"].choices[1][1])

    assert choices["America/Sao_Paulo"] == "America/Sao Paulo"
    assert choices["America/New_York"] == "America/New York"


def test_browser_zone_is_preselected_only_for_someone_who_chose_none(client_for, employee):
    EmployeeProfile.objects.filter(user=employee).update(time_zone="")
    page = client_for(employee).get("/account/").content.decode()
    assert 'data-zone-chosen=""' in page

    EmployeeProfile.objects.filter(user=employee).update(time_zone="Europe/Paris")
    page = client_for(employee).get("/account/").content.decode()
    assert 'data-zone-chosen="1"' in page


def test_account_page_query_count_is_fixed(client_for, employee, django_assert_num_queries):
    from tests.layout_queries import layout_queries

    for i in range(5):
        make_user(f"colleague{i}", location="London", time_zone="Asia/Singapore")
    client = client_for(employee)
    with django_assert_num_queries(layout_queries(employee) + 2):  # the profile, the likely zones
        assert client.get("/account/").status_code == 200
