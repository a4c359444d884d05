"""Throttling the sign-in link: asking is limited per address and per client address (Django's
cache); refused link uses count towards django-axes' lockout like wrong passwords do."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from identity.models import SignInLink
from identity.tests.conftest import ask_for_link, link_path_in

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"


def test_a_sixth_request_for_one_address_within_15_minutes_is_refused(client, employee, mailoutbox):
    answers = [ask_for_link(client, "emma@example.com").status_code for _ in range(6)]

    assert answers == [302] * 5 + [429]
    assert len(mailoutbox) == 5
    assert "Too many emails asked for" in ask_for_link(client, "Emma@example.com").content.decode()


def test_an_address_without_an_account_is_throttled_the_same_way(client, db):
    answers = [ask_for_link(client, "nobody@example.com").status_code for _ in range(6)]

    assert answers == [302] * 5 + [429]  # the same answers as for an address with an account


def test_the_address_limit_lifts_after_15_minutes(client, employee, mailoutbox):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            ask_for_link(client, employee.email)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = ask_for_link(client, employee.email)

    assert response.status_code == 302
    assert len(mailoutbox) == 6


def test_one_client_asking_for_many_addresses_is_throttled(client, settings, employee, mailoutbox):
    settings.SIGN_IN_EMAILS_PER_CLIENT = 3
    answers = [ask_for_link(client, f"guess{i}@example.com", address=ATTACKER).status_code for i in range(3)]

    refused = ask_for_link(client, employee.email, address=ATTACKER)
    elsewhere = ask_for_link(client, employee.email, address="198.51.100.20")

    assert answers == [302] * 3
    assert refused.status_code == 429
    assert elsewhere.status_code == 302
    assert len(mailoutbox) == 1


def use_refused_link(client, path: str):
    return client.post(path, REMOTE_ADDR=ATTACKER)


def test_refused_link_uses_count_towards_the_lockout_of_that_person(client, employee, mailoutbox):
    ask_for_link(client, employee.email)
    used = link_path_in(mailoutbox[-1])
    assert client.post(used, REMOTE_ADDR=ATTACKER).status_code == 302
    client.logout()
    answers = [use_refused_link(client, used).status_code for _ in range(5)]
    ask_for_link(client, employee.email)
    fresh = link_path_in(mailoutbox[-1])

    response = client.post(fresh, REMOTE_ADDR=ATTACKER)

    assert answers == [410] * 4 + [429]
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SignInLink.objects.filter(used_at=None).count() == 1  # the fresh link is still unused
    assert AccessAttempt.objects.get(username="emma", ip_address=ATTACKER).failures_since_start == 5


def test_a_person_locked_out_by_wrong_passwords_cannot_sign_in_with_a_link(client, employee, mailoutbox):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "emma", "password": "wrong"}, REMOTE_ADDR=ATTACKER)
    ask_for_link(client, employee.email)

    response = client.post(link_path_in(mailoutbox[-1]), REMOTE_ADDR=ATTACKER)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_guessing_link_tokens_locks_out_the_guessing_address(client, employee, mailoutbox):
    guesses = [
        client.post(f"/accounts/login/link/guess-{i}/", REMOTE_ADDR=ATTACKER).status_code for i in range(5)
    ]
    ask_for_link(client, employee.email)
    real = link_path_in(mailoutbox[-1])

    assert guesses == [404] * 4 + [429]
    assert client.post(f"/accounts/login/link/guess-{9}/", REMOTE_ADDR=ATTACKER).status_code == 429
    assert client.post(real, REMOTE_ADDR=ATTACKER).status_code == 302  # Emma's own link is hers, not a guess
