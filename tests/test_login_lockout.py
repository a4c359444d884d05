"""Sign-in throttling (django-axes): five failures for one username from one address lock that pair out
for 15 minutes, on the app's sign-in page and the admin's, and each failure leaves an audit line."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
ATTACKER = "203.0.113.7"


def sign_in(client, username: str, password: str, *, path: str = LOGIN, address: str = ATTACKER):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username: str, times: int, **kwargs):
    return [sign_in(client, username, "wrong-password", **kwargs) for _ in range(times)]


def test_it_locks_out_after_five_failed_sign_ins_even_with_the_right_password(client, marketing):
    first_four = fail(client, "mia", 4)
    assert [r.status_code for r in first_four] == [200] * 4  # the form again, with its error

    fifth = sign_in(client, "mia", "wrong-password")
    assert fifth.status_code == 429
    right_password = sign_in(client, "mia", PASSWORD)
    assert right_password.status_code == 429
    assert "_auth_user_id" not in client.session
    page = right_password.content.decode()
    assert "Too many failed sign-ins" in page
    assert "15 minutes" in page


def test_the_lockout_page_is_a_normal_page_under_the_content_security_policy(client, marketing):
    response = fail(client, "mia", 5)[-1]
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert "<main" in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_lockout_lifts_after_fifteen_minutes(client, marketing):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "mia", 5)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert sign_in(client, "mia", PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        response = sign_in(client, "mia", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(marketing.pk)


def test_the_lockout_is_for_that_username_from_that_address_only(client, marketing, ic):
    fail(client, "mia", 5)
    assert sign_in(client, "ian", PASSWORD).status_code == 302  # another person, same address
    client.logout()
    assert sign_in(client, "mia", PASSWORD, address="198.51.100.20").status_code == 302  # Mia elsewhere


def test_the_admin_sign_in_is_locked_out_too(client, db, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    responses = fail(client, "root", 5, path=ADMIN_LOGIN)
    assert responses[-1].status_code == 429
    assert sign_in(client, "root", PASSWORD, path=ADMIN_LOGIN).status_code == 429


def test_a_successful_sign_in_clears_the_earlier_failures(client, marketing):
    fail(client, "mia", 4)
    assert sign_in(client, "mia", PASSWORD).status_code == 302
    client.logout()
    assert [r.status_code for r in fail(client, "mia", 4)] == [200] * 4


def test_each_failed_sign_in_and_the_lockout_leave_an_audit_line(client, marketing, caplog):
    with caplog.at_level(logging.INFO, logger="axes"):
        fail(client, "mia", 5)
    failures = [r.getMessage() for r in caplog.records if "login failure by" in r.getMessage()]
    assert len(failures) == 5
    assert all("mia" in line and ATTACKER in line and LOGIN in line for line in failures)
    assert any("Locking out" in r.getMessage() and "mia" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_a_wrong_password_still_shows_the_form_with_its_error(client, marketing, path):
    response = sign_in(client, "mia", "wrong-password", path=path)
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
