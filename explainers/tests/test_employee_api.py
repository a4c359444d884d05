"""The inbox and explainer API: same owner, publication and embargo rules as the pages."""

import pytest

from explainers.models import ExplainerQuestion
from explainers.tests.conftest import deliver, lift_embargo, make_stage

pytestmark = pytest.mark.django_db


def test_inbox_api_lists_my_rendered_announcements(client_for, employee, warning):
    data = client_for(employee).get("/api/v1/inbox/").json()
    assert data["count"] == 1
    assert data["results"][0]["subject"] == "Heads up, Emma: Spring Savings"
    assert data["results"][0]["read_at"] is None


def test_inbox_api_retrieve_marks_read(client_for, employee, warning):
    assert client_for(employee).get(f"/api/v1/inbox/{warning.pk}/").json()["read_at"] is not None


def test_inbox_api_hides_other_peoples_items(client_for, employee_ny, warning):
    client = client_for(employee_ny)
    assert client.get("/api/v1/inbox/").json()["count"] == 0
    assert client.get(f"/api/v1/inbox/{warning.pk}/").status_code == 404


def test_inbox_api_acknowledges_once(client_for, employee, approved_campaign):
    delivery = deliver(make_stage(approved_campaign, requires_acknowledgement=True), employee)
    client = client_for(employee)
    assert client.post(f"/api/v1/inbox/{delivery.pk}/acknowledge/").status_code == 201
    delivery.refresh_from_db()
    acknowledged_at = delivery.acknowledged_at
    assert acknowledged_at is not None
    assert client.post(f"/api/v1/inbox/{delivery.pk}/acknowledge/").status_code == 200
    delivery.refresh_from_db()
    assert delivery.acknowledged_at == acknowledged_at


def test_inbox_api_acknowledge_unasked_is_400(client_for, employee, warning):
    response = client_for(employee).post(f"/api/v1/inbox/{warning.pk}/acknowledge/")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_inbox_api_requires_authentication(client):
    assert client.get("/api/v1/inbox/").status_code in (401, 403)


def test_explainer_api_gives_teaser_before_embargo(client_for, employee, warning, explainer):
    response = client_for(employee).get(f"/api/v1/explainers/{explainer.slug}/")
    body = response.content.decode()
    assert response.json()["is_published"] is False
    assert "lowering rates" not in body and explainer.campaign.details not in body


def test_explainer_api_404_for_unrelated_employee(client_for, employee_ny, explainer):
    assert client_for(employee_ny).get(f"/api/v1/explainers/{explainer.slug}/").status_code == 404


def test_explainer_api_full_after_embargo_with_my_variant(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    data = client_for(employee).get(f"/api/v1/explainers/{explainer.slug}/").json()
    assert data["is_published"] is True
    assert "<strong>lowering rates</strong>" in data["what_and_why_html"]
    assert [v["audience"] for v in data["for_you"]] == ["Sales"]


def test_explainer_api_lists_relevant(client_for, employee, warning, explainer):
    data = client_for(employee).get("/api/v1/explainers/").json()
    assert [row["slug"] for row in data["results"]] == [explainer.slug]


def test_explainer_api_question_and_bad_input(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    client = client_for(employee)
    url = f"/api/v1/explainers/{explainer.slug}/questions/"
    assert client.post(url, {"text": "When?"}).status_code == 201
    bad = client.post(url, {})
    assert bad.status_code == 400 and "text" in bad.json()
    assert ExplainerQuestion.objects.count() == 1


def test_explainer_api_helpful_refused_before_publication(client_for, employee, warning, explainer):
    url = f"/api/v1/explainers/{explainer.slug}/helpful/"
    assert client_for(employee).post(url, {"is_helpful": True}).status_code == 404
