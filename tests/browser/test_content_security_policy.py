"""In a real browser, every kind of page works under the Content-Security-Policy with no violation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from conftest import PASSWORD
from tests.browser.conftest import BROWSER, sign_in

pytestmark = BROWSER


class Violations:
    """Collects what the browser refused because of the policy, page by page."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.on("console", self.record)

    def record(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.seen.append(message.text)


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert "default-src 'self'" in response.headers.get("content-security-policy", ""), url
    page.wait_for_load_state("networkidle")


def test_app_pages_run_under_the_policy_and_keep_their_behaviour(page, live_server, marketing, campaign):
    violations = Violations(page)
    visit(page, f"{live_server.url}/accounts/login/")
    sign_in(page, live_server.url, "mia")
    for path in ("/", "/campaigns/", campaign.get_absolute_url(), "/no-such-page/"):
        visit(page, live_server.url + path)

    # The campaign form's error summary takes focus (done by static/js/app.js, no inline script).
    visit(page, f"{live_server.url}/campaigns/new/")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert violations.seen == []


@pytest.mark.django_db(transaction=True)
def test_admin_and_api_docs_run_under_the_policy(page, live_server):
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    violations = Violations(page)
    visit(page, f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for path in ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/", "/admin/campaigns/campaign/add/"):
        visit(page, live_server.url + path)

    visit(page, f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 5
    assert violations.seen == []
