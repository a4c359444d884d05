"""/api/schema/ tells the truth: real responses, as the right users, validate against it.

Every GET endpoint in the schema is called (a test fails when one is added without a case here);
each response's status code must be documented, and its body must match that status's schema
with every object closed (an undeclared field fails) and `null` allowed only where the schema
says `nullable`.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import jsonschema
import pytest
from django.core.management import call_command
from django.utils import timezone

from briefings.models import Briefing, Invitation
from campaigns.models import Asset, Campaign
from conftest import add_impact, make_campaign
from explainers.models import Explainer
from people.models import EmployeeProfile, MarcomTeam
from rollout.models import Delivery, RolloutStage
from workplan.models import Deliverable, Workstream

pytestmark = pytest.mark.django_db


def to_json_schema(node, components: dict):
    """An OpenAPI 3.0 schema as strict JSON Schema: refs inlined, `nullable` honoured, objects closed."""
    if isinstance(node, list):
        return [to_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return to_json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    schema = {key: to_json_schema(value, components) for key, value in node.items() if key != "nullable"}
    if "oneOf" in schema:
        # drf-spectacular writes a blankable URL as oneOf(uri, empty string); without a URI format
        # checker "" matches both branches, so read it as the "either" it means.
        schema["anyOf"] = schema.pop("oneOf")
    if "properties" in schema:
        schema["properties"] = {
            name: to_json_schema(prop, components) for name, prop in node["properties"].items()
        }
        schema.setdefault("additionalProperties", False)
    if node.get("nullable"):
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def assert_matches_schema(schema: dict, template: str, method: str, response) -> None:
    documented = schema["paths"][template][method]["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method.upper()} {template} answered {status}, not documented"
    body_schema = documented[status]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft7Validator(
        to_json_schema(copy.deepcopy(body_schema), schema["components"]["schemas"])
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())]
    assert errors == [], f"{method.upper()} {template} ({status})"


@pytest.fixture
def world(marketing, employee, sales):
    """A live campaign with a published explainer, an unread announcement and an open briefing;
    plus an upcoming one whose explainer is still a teaser. Nullable fields are left null."""
    live = make_campaign(
        marketing,
        title="Live Savings",
        status=Campaign.Status.LIVE,
        go_live_at=timezone.now() + timedelta(days=1),
        embargo_until=timezone.now() - timedelta(days=1),
    )
    add_impact(live, sales)
    explainer = Explainer.objects.create(
        campaign=live, slug=live.slug, what_and_why="Why", publishes_at_embargo=True
    )
    explainer.variants.create(audience=sales, body="For Sales")
    explainer.scenarios.create(position=1, situation="A customer asks", response="You answer")
    deck = Asset.objects.create(
        campaign=live, kind=Asset.Kind.LINK, url="https://example.com/deck", caption="Deck"
    )
    stage = RolloutStage.objects.create(
        campaign=live,
        kind=RolloutStage.Kind.GO_LIVE,
        offset_minutes=0,
        send_at=timezone.now() - timedelta(hours=1),
        subject="It is live",
        body="{{ concept }}",
        channels=[EmployeeProfile.Channel.IN_APP],
        requires_acknowledgement=True,
        state=RolloutStage.State.SENT,
    )
    delivery = Delivery.objects.create(
        stage=stage, recipient=employee, channel="in_app", status="sent", sent_at=timezone.now()
    )
    starts = timezone.now() + timedelta(days=2)
    briefing = Briefing.objects.create(
        campaign=live, title="Live Savings briefing", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    briefing.audiences.add(sales)
    Invitation.objects.create(briefing=briefing, user=employee)
    upcoming = make_campaign(marketing, title="Upcoming Offer", status=Campaign.Status.APPROVED)
    add_impact(upcoming, sales)
    Explainer.objects.create(campaign=upcoming, slug=upcoming.slug, publishes_at_embargo=True)
    live.teams.add(MarcomTeam.objects.get(slug="content"))
    workstream = Workstream.for_team(live, MarcomTeam.objects.get(slug="content"))
    deliverable = Deliverable.objects.create(
        workstream=workstream, title="Launch blog post", type="blog_post", channel="owned", offset_days=-1
    )
    return {
        "deliverable": deliverable,
        "campaign": live,
        "audience": sales,
        "delivery": delivery,
        "briefing": briefing,
        "explainer": explainer,
        "teaser": upcoming,
        "asset": deck,
    }


def get_cases(world, marketing, employee) -> list[tuple[str, str, object]]:
    """(schema path, URL, user) for every GET endpoint, as someone allowed to call it."""
    return [
        ("/api/v1/campaigns/", "/api/v1/campaigns/", marketing),
        ("/api/v1/campaigns/{id}/", f"/api/v1/campaigns/{world['campaign'].pk}/", marketing),
        ("/api/v1/audiences/", "/api/v1/audiences/", marketing),
        ("/api/v1/assets/", "/api/v1/assets/", marketing),
        ("/api/v1/assets/{id}/", f"/api/v1/assets/{world['asset'].pk}/", marketing),
        ("/api/v1/audiences/{id}/", f"/api/v1/audiences/{world['audience'].pk}/", marketing),
        ("/api/v1/briefings/", "/api/v1/briefings/", employee),
        ("/api/v1/briefings/{id}/", f"/api/v1/briefings/{world['briefing'].pk}/", employee),
        ("/api/v1/inbox/", "/api/v1/inbox/", employee),
        ("/api/v1/inbox/{id}/", f"/api/v1/inbox/{world['delivery'].pk}/", employee),
        ("/api/v1/explainers/", "/api/v1/explainers/", employee),
        ("/api/v1/explainers/{slug}/", f"/api/v1/explainers/{world['explainer'].slug}/", employee),
        ("/api/v1/explainers/{slug}/", f"/api/v1/explainers/{world['teaser'].slug}/", employee),
        ("/api/v1/workstreams/", "/api/v1/workstreams/", marketing),
        (
            "/api/v1/workstreams/{id}/",
            f"/api/v1/workstreams/{world['deliverable'].workstream_id}/",
            marketing,
        ),
        ("/api/v1/deliverables/", "/api/v1/deliverables/", marketing),
        ("/api/v1/deliverables/{id}/", f"/api/v1/deliverables/{world['deliverable'].pk}/", marketing),
    ]


def test_it_checks_every_get_endpoint_in_the_schema(schema, world, marketing, employee):
    documented = {path for path, ops in schema["paths"].items() if "get" in ops}
    assert documented == {path for path, _url, _user in get_cases(world, marketing, employee)}


def test_it_returns_only_declared_fields_with_nulls_only_where_nullable(
    client, schema, world, marketing, employee
):
    for template, url, user in get_cases(world, marketing, employee):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert_matches_schema(schema, template, "get", response)


def test_it_documents_the_nulls_the_inbox_returns(client_for, schema, world, employee):
    item = client_for(employee).get("/api/v1/inbox/").json()["results"][0]
    assert item["read_at"] is None and item["acknowledged_at"] is None
    delivery = schema["components"]["schemas"]["Delivery"]["properties"]
    assert delivery["read_at"]["nullable"] is True
    assert delivery["acknowledged_at"]["nullable"] is True


def test_it_documents_the_error_responses_it_gives(client, schema, world, marketing, employee, employee_ny):
    cases = [
        (None, "get", "/api/v1/campaigns/", "/api/v1/campaigns/", {}),  # 401
        (None, "get", "/api/v1/inbox/{id}/", f"/api/v1/inbox/{world['delivery'].pk}/", {}),  # 401
        (employee, "get", "/api/v1/campaigns/", "/api/v1/campaigns/", {}),  # 403
        (employee_ny, "get", "/api/v1/inbox/{id}/", f"/api/v1/inbox/{world['delivery'].pk}/", {}),  # 404
        (employee, "get", "/api/v1/explainers/{slug}/", "/api/v1/explainers/no-such/", {}),  # 404
        (marketing, "post", "/api/v1/campaigns/", "/api/v1/campaigns/", {"title": ""}),  # 400
        (employee, "post", "/api/v1/briefings/{id}/rsvp/", f"/api/v1/briefings/{world['briefing'].pk}/rsvp/", {"answer": "perhaps"}),  # 400
        (marketing, "post", "/api/v1/briefings/{id}/rsvp/", f"/api/v1/briefings/{world['briefing'].pk}/rsvp/", {"answer": "yes"}),  # 403
        (employee, "post", "/api/v1/inbox/{id}/acknowledge/", f"/api/v1/inbox/{world['delivery'].pk}/acknowledge/", {}),  # 201
        (employee, "post", "/api/v1/explainers/{slug}/questions/", f"/api/v1/explainers/{world['explainer'].slug}/questions/", {"text": "Why?"}),  # 201
        (employee, "post", "/api/v1/explainers/{slug}/questions/", f"/api/v1/explainers/{world['explainer'].slug}/questions/", {"text": ""}),  # 400
    ]  # fmt: skip
    for user, method, template, url, data in cases:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = (
            getattr(client, method)(url, data, content_type="application/json")
            if data or method == "post"
            else client.get(url)
        )
        assert response.status_code >= 200, url
        assert_matches_schema(schema, template, method, response)


def test_it_generates_the_schema_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
