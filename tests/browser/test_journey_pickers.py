"""Journey: the pickers. An employee finds a zone by typing a city; IC types "Singapur" in an
audience rule and takes the suggestion. axe-core at desktop (1280) and phone (390) widths."""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import make_user
from people.models import Audience, EmployeeProfile
from tests.browser.conftest import BROWSER, assert_accessible, sign_in

pytestmark = BROWSER


def test_employee_picks_a_zone_by_typing_a_city(page, live_server, employee):
    sign_in(page, live_server.url, "emma")
    page.goto(live_server.url + "/account/")
    assert_accessible(page)

    page.get_by_role("searchbox", name="Find a time zone by city or region").fill("sao paulo")
    expect(page.get_by_text("1 matching; choose one below.")).to_be_visible()
    assert page.locator("#id_time_zone").input_value() == "America/Sao_Paulo"
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Your account settings are saved.")).to_be_visible()
    assert EmployeeProfile.objects.get(user=employee).time_zone == "America/Sao_Paulo"


def test_ic_types_singapur_and_accepts_the_suggestion(page, live_server, ic):
    make_user("sam", department="Sales", location="Singapore")
    sign_in(page, live_server.url, "ian")
    page.goto(live_server.url + "/audiences/new/")
    page.get_by_label("Name").fill("Singapore sales")
    page.get_by_label("Department").fill("Sales")
    page.get_by_label("Location").fill("Singapur")
    page.get_by_role("button", name="Save audience").click()

    problem = "No one has location “Singapur”. Did you mean Singapore?"
    expect(page.locator(".error-summary").get_by_role("link", name=problem)).to_be_visible()  # the summary
    expect(page.locator(".field-error", has_text=problem)).to_be_visible()  # beside the field
    expect(page.get_by_label("Keep “Singapur” (people may be imported later)")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)

    page.get_by_label("Location").fill("Singapore")
    page.get_by_role("button", name="Save audience").click()
    expect(page.get_by_role("heading", level=1, name="Singapore sales")).to_be_visible()
    assert Audience.objects.get(name="Singapore sales").location == "Singapore"
