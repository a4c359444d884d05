"""The inbox: my in-app announcements, unread badge, read on open, acknowledgement once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from campaigns.models import Campaign
from conftest import make_campaign
from explainers.tests.conftest import deliver, make_stage
from people.models import EmployeeProfile
from rollout.models import Delivery
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db


def test_inbox_lists_my_announcements_newest_first(client_for, employee, approved_campaign):
    old = deliver(
        make_stage(approved_campaign, subject="Older news"),
        employee,
        sent_at=timezone.now() - timedelta(days=2),
    )
    new = deliver(make_stage(approved_campaign, subject="Newer news"), employee)
    body = client_for(employee).get("/inbox/").content.decode()
    assert body.index("Newer news") < body.index("Older news")
    assert old.get_absolute_url() in body and new.get_absolute_url() in body


def test_inbox_renders_placeholders_for_the_reader(client_for, employee, warning):
    body = client_for(employee).get("/inbox/").content.decode()
    assert "Heads up, Emma: Spring Savings" in body


def test_inbox_marks_unread_items(client_for, employee, warning):
    body = client_for(employee).get("/inbox/").content.decode()
    assert "is-unread" in body
    assert "Unread" in body


def test_inbox_leaves_out_email_unsent_and_other_peoples_deliveries(
    client_for, employee, employee_ny, approved_campaign
):
    stage = make_stage(approved_campaign, subject="Mine by email")
    deliver(stage, employee, channel=EmployeeProfile.Channel.EMAIL)
    deliver(make_stage(approved_campaign, subject="For Noah"), employee_ny)
    pending = deliver(make_stage(approved_campaign, subject="Not sent yet"), employee)
    Delivery.objects.filter(pk=pending.pk).update(status=Delivery.Status.PENDING)
    body = client_for(employee).get("/inbox/").content.decode()
    assert "Mine by email" not in body and "For Noah" not in body and "Not sent yet" not in body


def test_unread_count_badge_shows_on_every_page(client_for, employee, warning):
    body = client_for(employee).get("/explainers/").content.decode()
    assert "(1 unread)" in body


def test_opening_an_item_marks_it_read_once(client_for, employee, warning):
    client = client_for(employee)
    assert client.get(warning.get_absolute_url()).status_code == 200
    warning.refresh_from_db()
    first = warning.read_at
    assert first is not None
    client.get(warning.get_absolute_url())
    warning.refresh_from_db()
    assert warning.read_at == first
    assert "(1 unread)" not in client.get("/inbox/").content.decode()


def test_someone_elses_item_is_404(client_for, employee_ny, warning):
    assert client_for(employee_ny).get(warning.get_absolute_url()).status_code == 404
    warning.refresh_from_db()
    assert warning.read_at is None


def test_inbox_requires_sign_in(client):
    assert client.get("/inbox/").status_code == 302


def test_acknowledgement_is_recorded_once(client_for, employee, approved_campaign):
    delivery = deliver(make_stage(approved_campaign, requires_acknowledgement=True), employee)
    client = client_for(employee)
    page = client.get(delivery.get_absolute_url()).content.decode()
    assert "I understand what this means for me" in page
    client.post(f"/inbox/{delivery.pk}/acknowledge/")
    delivery.refresh_from_db()
    first = delivery.acknowledged_at
    assert first is not None
    client.post(f"/inbox/{delivery.pk}/acknowledge/")
    delivery.refresh_from_db()
    assert delivery.acknowledged_at == first


def test_acknowledge_needs_post(client_for, employee, approved_campaign):
    delivery = deliver(make_stage(approved_campaign, requires_acknowledgement=True), employee)
    assert client_for(employee).get(f"/inbox/{delivery.pk}/acknowledge/").status_code == 405


def test_acknowledging_a_stage_that_does_not_ask_changes_nothing(client_for, employee, warning):
    response = client_for(employee).post(f"/inbox/{warning.pk}/acknowledge/", follow=True)
    assert response.status_code == 200
    assert "does not ask for an acknowledgement" in response.content.decode()
    warning.refresh_from_db()
    assert warning.acknowledged_at is None


def test_someone_else_cannot_acknowledge_my_item(client_for, employee, employee_ny, approved_campaign):
    delivery = deliver(make_stage(approved_campaign, requires_acknowledgement=True), employee)
    assert client_for(employee_ny).post(f"/inbox/{delivery.pk}/acknowledge/").status_code == 404


def test_inbox_never_shows_details_before_embargo(client_for, employee, approved_campaign):
    deliver(make_stage(approved_campaign, body="Details: {{ details }}"), employee)
    delivery = Delivery.objects.get()
    client = client_for(employee)
    for url in ("/inbox/", delivery.get_absolute_url()):
        assert approved_campaign.details not in client.get(url).content.decode()


def _fill_inbox(user, n):
    owner = User.objects.get(username="mia")
    campaign = make_campaign(owner, title=f"Campaign {n}", status=Campaign.Status.APPROVED)
    stage = make_stage(campaign)
    Delivery.objects.bulk_create(
        [
            Delivery(
                stage=stage if i == 0 else make_stage(campaign),
                recipient=user,
                channel="in_app",
                status="sent",
                sent_at=timezone.now(),
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("n", [10, 500])
def test_inbox_query_count_is_constant(client_for, employee, marketing, django_assert_num_queries, n):
    _fill_inbox(employee, n)
    client = client_for(employee)
    # the layout (session, user, profile, menu and its badges), then the paginator count and the page
    with django_assert_num_queries(layout_queries(employee) + 2):
        assert client.get("/inbox/").status_code == 200


def test_employee_home_shows_the_latest_announcements(client_for, employee, warning):
    body = client_for(employee).get("/").content.decode()
    assert "Heads up, Emma: Spring Savings" in body
    assert warning.get_absolute_url() in body
