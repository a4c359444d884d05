import pytest
from django.urls import reverse

from conftest import make_campaign

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_ic_home_shows_review_queue(client_for, ic, campaign):
    campaign.status = "submitted"
    campaign.save()
    response = client_for(ic).get("/")
    assert "Waiting for your review" in response.content.decode()
    assert campaign.title in response.content.decode()


def test_employee_gets_403_on_campaign_list(client_for, employee):
    assert client_for(employee).get("/campaigns/").status_code == 403


def test_marketing_home_lists_own_open_campaigns_with_state(client_for, marketing, other_marketing, campaign):
    make_campaign(other_marketing, title="Omar's Event")
    make_campaign(marketing, title="Old News", status="closed")
    body = client_for(marketing).get("/").content.decode()
    assert campaign.title in body
    assert "pill-draft" in body
    assert "Omar" not in body
    assert "Old News" not in body


def test_employee_home_without_anything_yet_says_what_will_come(client_for, employee):
    body = client_for(employee).get("/").content.decode()
    assert "Before a campaign goes live you hear about it here first" in body
    assert "No briefings for you at the moment." in body
    assert "/campaigns/" not in body


def test_presenter_home_without_sessions_says_where_they_will_appear(client_for, presenter):
    assert "No sessions are assigned to you." in client_for(presenter).get("/").content.decode()


def test_marketing_home_says_what_each_campaign_is_waiting_for(client_for, marketing, campaign):
    campaign.status = "submitted"
    campaign.save()
    body = client_for(marketing).get("/").content.decode()
    assert "IC: reviewing the internal plan." in body
