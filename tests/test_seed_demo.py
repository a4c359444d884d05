"""seed_demo: the demo accounts sign in, the data covers every state, and a second run changes nothing."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Campaign
from core.management.commands.seed_demo import demo_modules
from people import roles
from people.models import Audience, EmployeeProfile

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    """Every row of every model, so any change at all between two runs shows up."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.label not in ("sessions.Session",)
    }


def test_seeding_twice_changes_nothing():
    seed()
    first = snapshot()
    output = seed()
    assert snapshot() == first
    assert "demo employees: 0 created, 0 updated, 50 unchanged" in output
    assert "demo campaigns: 0 created, 5 already there" in output


@pytest.mark.parametrize("username", ["marketing", "ic", "presenter", "employee", "admin"])
def test_demo_accounts_sign_in_with_the_demo_password(client, username):
    seed()
    # Through the sign-in form: client.login() passes no request, which django-axes requires.
    response = client.post("/accounts/login/", {"username": username, "password": "campaignhub-demo"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_demo_accounts_have_their_roles_and_zones():
    seed()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["marketing", "ic", "presenter", "employee", "admin"])
    }
    assert roles.primary_role(users["marketing"]) == roles.MARKETING
    assert users["marketing"].marcom_teams.filter(slug="content").exists()
    assert roles.primary_role(users["ic"]) == roles.IC
    assert roles.primary_role(users["presenter"]) == roles.PRESENTER
    assert roles.primary_role(users["employee"]) == roles.EMPLOYEE
    assert users["admin"].is_superuser
    assert (users["employee"].profile.department, users["employee"].profile.location) == ("Sales", "London")
    zones = {u.profile.time_zone for u in users.values()}
    assert {"Europe/London", "America/New_York"} <= zones


def test_demo_employees_span_departments_locations_and_managers():
    seed()
    profiles = EmployeeProfile.objects.filter(user__email__endswith="@demo.example.com")
    assert profiles.count() >= 50
    assert set(profiles.values_list("department", flat=True)) >= {
        "Sales",
        "Support",
        "Branches",
        "Operations",
        "IT",
    }
    assert set(profiles.values_list("location", flat=True)) >= {
        "London",
        "Manchester",
        "New York",
        "Singapore",
    }
    assert profiles.filter(manager__isnull=False).count() >= 40


def test_demo_campaigns_cover_each_state_with_messages_impacts_and_assets():
    seed()
    campaigns = Campaign.objects.prefetch_related("key_messages", "impacts", "assets")
    assert {c.status for c in campaigns} >= {"draft", "submitted", "approved", "live", "closed"}
    for campaign in campaigns:
        assert campaign.key_messages.all(), campaign
        assert campaign.impacts.all(), campaign
        assert campaign.assets.all(), campaign
    levels = {i.level for c in campaigns for i in c.impacts.all()}
    assert levels == {"high", "medium", "low"}
    approved = campaigns.get(status="approved")
    assert 9 <= (approved.go_live_at - timezone.now()).days <= 10


def test_every_demo_audience_has_members_and_one_is_a_list():
    seed()
    audiences = list(Audience.objects.all())
    assert len(audiences) >= 4
    assert all(size > 0 for size in Audience.sizes(audiences).values())
    assert any(a.kind == Audience.Kind.LIST for a in audiences)
    assert User.objects.get(username="employee") in Audience.objects.get(name="Sales").users()


def test_demo_framework_finds_app_demo_modules_in_installed_apps_order():
    names = [m.__name__ for m in demo_modules()]
    assert names[0] == "campaigns.demo"
    order = [c.name for c in apps.get_app_configs()]
    assert names == sorted(names, key=lambda n: order.index(n.rsplit(".", 1)[0]))
