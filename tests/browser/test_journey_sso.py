"""Journey: an imported employee follows the link in an announcement email, signs in with the company's
single sign-on (a real OpenID Connect provider on 127.0.0.1) and lands on that inbox item.

Nothing leaves the machine: the provider is local, and its page's one outside stylesheet is refused.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from campaigns.models import Campaign
from conftest import add_impact, make_campaign
from explainers.tests.conftest import deliver, make_stage
from identity.tests.oidc_provider import running_provider
from people.importing import import_employees
from people.models import EmployeeProfile
from tests.browser.conftest import BROWSER, assert_accessible

pytestmark = BROWSER


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


def test_imported_employee_signs_in_with_sso_from_an_email_link_and_lands_on_the_item(
    page, live_server, settings, provider, marketing, sales
):
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    import_employees(
        [
            "email,first_name,last_name,department,team,location,role,manager_email,time_zone",
            "erin.jones@acme.example,Erin,Jones,Sales,North,London,Adviser,,Europe/London",
        ]
    )
    provider.add_person("erin-sub", email="Erin.Jones@Acme.example", email_verified=True)
    campaign = make_campaign(marketing, title="Family Savings", status=Campaign.Status.APPROVED)
    add_impact(campaign, sales)
    stage = make_stage(campaign, subject="Coming soon: {{ campaign_title }}", channels=["email"])
    erin = User.objects.get(email="erin.jones@acme.example")
    item = deliver(stage, erin, channel=EmployeeProfile.Channel.EMAIL)
    base = live_server.url
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())

    # The link in the email; she has never signed in, so she is asked to.
    page.goto(f"{base}/inbox/{item.pk}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    assert_accessible(page)
    page.get_by_role("link", name="Sign in with Acme").click()

    # The provider's own sign-in page.
    page.wait_for_url(f"{provider.authorization_endpoint}**")
    page.locator("input[name=sub]").fill("erin-sub")
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url(f"{base}/inbox/{item.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coming soon: Family Savings")
    assert_accessible(page)
