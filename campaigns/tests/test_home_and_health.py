import pytest
from django.urls import reverse

from conftest import make_campaign
from tests.layout_queries import layout_queries

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


def test_employee_home_is_a_friendly_placeholder(client_for, employee):
    body = client_for(employee).get("/").content.decode()
    assert "What is coming your way" in body
    assert "/campaigns/" not in body


def test_presenter_home_explains_briefings_to_come(client_for, presenter):
    assert "Your briefings will appear here" in client_for(presenter).get("/").content.decode()


@pytest.mark.parametrize("n", [2, 30])
def test_ic_home_query_count_is_fixed(client_for, ic, marketing, n, django_assert_num_queries):
    for i in range(n):
        make_campaign(marketing, title=f"C{i}", status="submitted" if i % 2 else "approved")
    client = client_for(ic)
    # the layout (session, user, profile, menu), then the review queue and the next go-lives
    with django_assert_num_queries(layout_queries(ic) + 2):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("n", [2, 30])
def test_marketing_home_query_count_is_fixed(client_for, marketing, n, django_assert_num_queries):
    for i in range(n):
        make_campaign(marketing, title=f"C{i}")
    client = client_for(marketing)
    # the layout, then my campaigns
    with django_assert_num_queries(layout_queries(marketing) + 1):
        assert client.get("/").status_code == 200


def test_employee_home_query_count(client_for, employee, django_assert_num_queries):
    client = client_for(employee)
    # the layout and the latest announcements (one query, joined with their stage and campaign)
    with django_assert_num_queries(layout_queries(employee) + 1):
        assert client.get("/").status_code == 200
