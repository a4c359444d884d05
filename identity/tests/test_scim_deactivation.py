"""A person the provider deactivates gets nothing from the next dispatch tick on and keeps their history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from conftest import make_user
from planning.readiness import readiness_for
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, make_running_campaign, stage_of, tick

pytestmark = pytest.mark.django_db

EARLY = GO_LIVE - timedelta(days=14)
Kind = RolloutStage.Kind


def deactivate(scim, user) -> None:
    response = scim.patch(f"Users/{user.pk}", {"op": "replace", "path": "active", "value": False})
    assert response.status_code == 200, response.content


def recipients(**filters) -> set[str]:
    return set(Delivery.objects.filter(**filters).values_list("recipient__username", flat=True))


def test_a_deactivated_employee_receives_nothing_from_the_next_tick(
    scim, marketing, sales, employee, mailoutbox
):
    colleague = make_user("sam", department="Sales")
    make_running_campaign(marketing, sales)

    deactivate(scim, employee)
    tick(EARLY)

    assert recipients() == {"sam"}
    assert [m.to for m in mailoutbox] == [[colleague.email]]


def test_later_stages_skip_them_while_their_history_stays(scim, marketing, sales, employee):
    campaign = make_running_campaign(marketing, sales)
    tick(EARLY)
    warned = Delivery.objects.filter(recipient=employee, channel="in_app")
    warned.update(read_at=EARLY, acknowledged_at=EARLY)

    assert scim.delete(f"Users/{employee.pk}").status_code == 204  # DELETE deactivates
    for day in range(1, 14):
        tick(EARLY + timedelta(days=day))

    assert set(Delivery.objects.filter(recipient=employee).values_list("stage__kind", flat=True)) == {
        Kind.EARLY_WARNING
    }
    assert stage_of(campaign, Kind.REMINDER).state == RolloutStage.State.SENT
    assert warned.get().acknowledged_at == EARLY  # the read and acknowledgement are still there

    # Back in the directory, they count as warned again: nothing had been lost.
    scim.patch(f"Users/{employee.pk}", {"op": "replace", "path": "active", "value": True})
    (readiness,) = readiness_for([campaign], now=EARLY + timedelta(days=13))
    assert (readiness.rows[0].warned.done, readiness.rows[0].warned.total) == (1, 1)


@override_settings(EMAIL_RETRY_BASE_SECONDS=60)
def test_an_email_waiting_for_a_retry_is_not_sent_after_deactivation(
    scim, marketing, sales, employee, mailoutbox
):
    campaign = make_running_campaign(marketing, sales)
    with override_settings(EMAIL_BACKEND="rollout.tests.backends.RefusingBackend"):
        tick(EARLY)  # the server says "try again later"
    assert Delivery.objects.get(channel="email").status == Delivery.Status.PENDING

    deactivate(scim, employee)
    tick(EARLY + timedelta(minutes=2))

    assert mailoutbox == []
    email = Delivery.objects.get(channel="email")
    assert email.status == Delivery.Status.CANCELLED
    assert "deactivated" in email.last_error
    assert stage_of(campaign, Kind.EARLY_WARNING).state == RolloutStage.State.SENT
