"""The workstreams and deliverables API: the pages' rules, 400 with field messages on bad input."""

from __future__ import annotations

import pytest

from conftest import make_campaign
from workplan.models import Deliverable, Workstream
from workplan.tests.conftest import add_deliverable, team

pytestmark = pytest.mark.django_db


def test_a_team_member_starts_their_workstream_and_adds_a_deliverable(client_for, marketing, launch):
    client = client_for(marketing)
    created = client.post(
        "/api/v1/workstreams/",
        {"campaign": launch.pk, "team": team("content").pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    workstream = created.json()["id"]
    response = client.post(
        "/api/v1/deliverables/",
        {
            "workstream": workstream,
            "title": "Launch blog post",
            "type": "blog_post",
            "channel": "owned",
            "offset_days": -2,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    saved = Deliverable.objects.get(pk=body["id"])
    assert body["team"] == "Content" and body["due_at"] and saved.due_at == saved.compute_due_at(launch)


def test_bad_input_answers_400_with_field_messages(client_for, marketing, launch):
    workstream = Workstream.for_team(launch, team("content"))
    response = client_for(marketing).post(
        "/api/v1/deliverables/",
        {
            "workstream": workstream.pk,
            "title": "",
            "type": "poster",
            "channel": "owned",
            "offset_days": "soon",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json().keys() >= {"title", "type", "offset_days"}


def test_it_refuses_another_teams_workstream_with_a_field_message(client_for, marketing, launch):
    events = Workstream.for_team(launch, team("events"))
    response = client_for(marketing).post(
        "/api/v1/deliverables/",
        {"workstream": events.pk, "title": "x", "type": "event", "channel": "events", "offset_days": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "workstream" in response.json()


def test_a_dependency_on_another_campaign_is_refused(client_for, marketing, launch):
    elsewhere = add_deliverable(make_campaign(marketing, title="Other"), "content", "Elsewhere")
    mine = add_deliverable(launch, "content", "Mine")
    response = client_for(marketing).patch(
        f"/api/v1/deliverables/{mine.pk}/", {"depends_on": [elsewhere.pk]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "depends_on" in response.json()


def test_lists_show_only_campaigns_the_person_may_see(client_for, outsider, launch):
    add_deliverable(launch, "content", "Launch blog post")
    assert client_for(outsider).get("/api/v1/deliverables/").json()["results"] == []


def test_employees_get_403(client_for, employee, launch):
    assert client_for(employee).get("/api/v1/deliverables/").status_code == 403


def test_the_schema_documents_workstreams_and_deliverables(client_for, ic):
    schema = client_for(ic).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/deliverables/" in schema["paths"] and "/api/v1/workstreams/" in schema["paths"]
    assert "400" in schema["paths"]["/api/v1/deliverables/"]["post"]["responses"]


def test_an_owner_must_be_in_marketing_or_ic(client_for, marketing, employee, launch):
    mine = add_deliverable(launch, "content", "Mine")
    response = client_for(marketing).patch(
        f"/api/v1/deliverables/{mine.pk}/", {"owner": employee.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()
