"""Emailed sign-in links: one neutral answer, a link that works once within 15 minutes, and only
for the person it was sent to; opening it never signs in by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign
from conftest import PASSWORD
from explainers.tests.conftest import deliver, make_stage
from identity.models import SignInLink
from identity.tests.conftest import ask_for_link, link_path_in

pytestmark = pytest.mark.django_db

NEUTRAL = "If that address has an account, a link is on its way"


@pytest.fixture
def link_for(client, mailoutbox):
    """link_for(user, next_url=...) asks for a link as the person would and returns its path."""

    def ask(user: User, next_url: str = "") -> str:
        before = len(mailoutbox)
        ask_for_link(client, user.email, next_url=next_url)
        assert len(mailoutbox) == before + 1
        return link_path_in(mailoutbox[-1])

    return ask


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_it_emails_a_link_to_the_account_with_that_address_in_any_case(client, employee, mailoutbox):
    response = ask_for_link(client, "EMMA@Example.COM")

    assert response.status_code == 302
    assert NEUTRAL in client.get(response.url).content.decode()
    [message] = mailoutbox
    assert message.to == ["emma@example.com"]
    assert message.subject == "Your CampaignHub sign-in link"
    assert "http://127.0.0.1:8000/accounts/login/link/" in message.body
    assert "within 15 minutes" in message.body
    assert SignInLink.objects.get().user == employee


def test_it_gives_the_same_answer_and_sends_nothing_for_an_address_without_an_account(
    client, employee, mailoutbox
):
    known = ask_for_link(client, "emma@example.com")
    unknown = ask_for_link(client, "nobody@example.com")

    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    assert [m.to for m in mailoutbox] == [["emma@example.com"]]


def test_it_sends_no_link_to_a_deactivated_account(client, employee, mailoutbox):
    User.objects.filter(pk=employee.pk).update(is_active=False)

    response = ask_for_link(client, employee.email)

    assert response.status_code == 302
    assert mailoutbox == []


def test_a_bad_address_gets_a_field_error(client):
    response = ask_for_link(client, "not-an-address")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_opening_the_link_asks_first_and_does_not_sign_in(client, employee, link_for):
    path = link_for(employee)

    response = client.get(path)

    assert response.status_code == 200
    assert "Sign in as Emma Tester" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert SignInLink.objects.get().used_at is None


def test_the_sign_in_button_needs_the_csrf_token(employee, link_for):
    path = link_for(employee)
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(path).status_code == 403
    assert SignInLink.objects.get().used_at is None


def test_pressing_sign_in_signs_in_and_lands_on_the_inbox_item_from_the_email(
    client, employee, campaign, mailoutbox
):
    campaign.status = Campaign.Status.APPROVED
    campaign.save(update_fields=["status"])
    item = deliver(make_stage(campaign), employee)
    to_login = client.get(f"/inbox/{item.pk}/")
    assert to_login.status_code == 302
    next_url = to_login.url.split("next=")[1].replace("%2F", "/")
    assert next_url == f"/inbox/{item.pk}/"

    ask_for_link(client, employee.email, next_url=next_url)
    response = client.post(link_path_in(mailoutbox[-1]))

    assert response.status_code == 302
    assert response.url == f"/inbox/{item.pk}/"
    assert signed_in_user_id(client) == str(employee.pk)
    assert "Heads up, Emma" in client.get(response.url).content.decode()


def test_without_next_it_lands_on_home(client, employee, link_for):
    response = client.post(link_for(employee))

    assert response.status_code == 302
    assert response.url == "/"


def test_a_next_that_leaves_the_site_is_not_followed(client, employee, link_for):
    for off_site in ("https://evil.example/inbox/", "//evil.example/", "javascript:alert(1)"):
        client.logout()
        response = client.post(link_for(employee, next_url=off_site))
        assert response.status_code == 302
        assert response.url == "/", off_site


def test_a_used_link_cannot_be_replayed(client, employee, link_for):
    path = link_for(employee)
    assert client.post(path).status_code == 302
    client.logout()

    again = client.post(path)
    opened = client.get(path)

    assert again.status_code == opened.status_code == 410
    assert "This sign-in link has already been used." in again.content.decode()
    assert signed_in_user_id(client) is None


def test_an_expired_link_is_refused(client, employee, link_for):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        path = link_for(employee)
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        opened = client.get(path)
        pressed = client.post(path)

    assert opened.status_code == pressed.status_code == 410
    assert "This sign-in link has expired." in pressed.content.decode()
    assert signed_in_user_id(client) is None


def test_a_link_still_works_just_before_it_expires(client, employee, link_for):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        path = link_for(employee)
    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        assert client.post(path).status_code == 302
    assert signed_in_user_id(client) == str(employee.pk)


def test_someone_elses_link_is_refused_while_signed_in_as_another_person(
    client, employee, employee_ny, link_for
):
    path = link_for(employee)
    client.force_login(employee_ny)

    opened = client.get(path)
    pressed = client.post(path)

    assert opened.status_code == pressed.status_code == 403
    assert "This sign-in link is for Emma Tester, but you are signed in as Noah Tester" in (
        pressed.content.decode()
    )
    assert signed_in_user_id(client) == str(employee_ny.pk)
    assert SignInLink.objects.get().used_at is None  # Emma can still use it


def test_a_tampered_link_is_refused(client, employee, link_for):
    path = link_for(employee)
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))

    opened = client.get(tampered)
    pressed = client.post(tampered)

    assert opened.status_code == pressed.status_code == 404
    assert "This sign-in link is not valid." in pressed.content.decode()
    assert signed_in_user_id(client) is None
    assert SignInLink.objects.get().used_at is None


def test_the_link_of_a_person_deactivated_since_is_refused(client, employee, link_for):
    path = link_for(employee)
    User.objects.filter(pk=employee.pk).update(is_active=False)

    opened = client.get(path)
    pressed = client.post(path)

    assert opened.status_code == pressed.status_code == 403
    assert "This account is no longer active." in pressed.content.decode()
    assert signed_in_user_id(client) is None


def test_the_database_keeps_only_a_hash_of_the_token(employee, link_for):
    path = link_for(employee)
    token = path.rstrip("/").rsplit("/", 1)[1]

    stored = SignInLink.objects.get()
    assert token not in stored.token_hash
    assert SignInLink.objects.for_token(token) == stored


def test_the_login_page_offers_a_sign_in_link_and_password_reset(client):
    page = client.get("/accounts/login/?next=/inbox/7/").content.decode()

    assert 'action="/accounts/login/link/"' in page
    assert "Email me a sign-in link" in page
    assert 'name="next" value="/inbox/7/"' in page
    assert 'href="/accounts/password_reset/"' in page


def test_a_password_sign_in_still_works_beside_the_link_form(client, employee):
    response = client.post("/accounts/login/", {"username": "emma", "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(employee.pk)
