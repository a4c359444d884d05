"""Password reset in the app's own pages: the email goes out, its link sets a new password, and the
new password signs in."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from identity.tests.conftest import link_path_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Fresh-passphrase-2026"


def sign_in(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_reset_email_arrives_and_its_link_sets_a_password_that_signs_in(client, employee, mailoutbox):
    asked = client.post("/accounts/password_reset/", {"email": "Emma@Example.com"})
    assert asked.status_code == 302
    assert "Check your email" in client.get(asked.url).content.decode()
    [message] = mailoutbox
    assert message.to == ["emma@example.com"]
    assert message.subject == "Reset your CampaignHub password"
    assert "http://127.0.0.1:8000/accounts/reset/" in message.body  # SITE_URL, not the Host header

    form = client.get(link_path_in(message), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert "Your password is changed" in client.get(done.url).content.decode()

    assert sign_in(client, "emma", PASSWORD).status_code == 200  # the old password no longer works
    assert sign_in(client, "emma", NEW_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(employee.pk)


def test_a_reset_link_works_once(client, employee, mailoutbox):
    client.post("/accounts/password_reset/", {"email": employee.email})
    form = client.get(link_path_in(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link_path_in(mailoutbox[0]), follow=True)

    assert "This reset link cannot be used" in again.content.decode()


def test_a_weak_new_password_gets_a_field_error(client, employee, mailoutbox):
    client.post("/accounts/password_reset/", {"email": employee.email})
    form = client.get(link_path_in(mailoutbox[0]), follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )

    assert response.status_code == 200
    assert 'id="id_new_password2_error">This password is too common.' in response.content.decode()


def test_an_address_without_an_account_gets_the_same_answer_and_no_email(client, db, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"
    assert mailoutbox == []


def test_reset_emails_for_one_address_are_throttled(client, employee, mailoutbox):
    answers = [
        client.post("/accounts/password_reset/", {"email": employee.email}).status_code for _ in range(6)
    ]

    assert answers == [302] * 5 + [429]
    assert len(mailoutbox) == 5


def test_the_reset_pages_are_the_apps_own(client):
    page = client.get("/accounts/password_reset/").content.decode()

    assert "Skip to main content" in page  # base.html, not the admin's page
    assert "<h1>Reset your password</h1>" in page
    assert 'href="/accounts/login/"' in page
