import pytest
from django.urls import reverse

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
