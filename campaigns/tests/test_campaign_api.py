"""The JSON API: same rules as the pages, 400 with field messages for bad input, never 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from campaigns.models import Campaign, Impact
from conftest import make_campaign

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/v1/campaigns/"


@pytest.fixture
def api():
    def signed_in(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return signed_in


def _payload(**overrides) -> dict:
    go_live = timezone.now() + timedelta(days=20)
    data = {
        "title": "Summer Switch",
        "concept": "Switching made simple.",
        "details": "Free switching until August.",
        "go_live_at": go_live.isoformat(),
        "teams": ["content"],
        "external_channels": ["social"],
        "key_messages": ["Switching is free", "Five minutes"],
        "impacts": [],
    }
    data.update(overrides)
    return data


def test_marketing_creates_a_campaign_with_impacts_and_key_messages(api, marketing, sales):
    impacts = [{"audience": sales.pk, "level": "high", "what_changes": "Rates", "what_to_do": "Read FAQ"}]
    response = api(marketing).post(CAMPAIGNS, _payload(impacts=impacts), format="json")
    assert response.status_code == 201, response.json()
    campaign = Campaign.objects.get()
    assert campaign.owner == marketing
    assert campaign.time_zone == "Europe/London"
    assert campaign.embargo_until == campaign.go_live_at
    assert campaign.ordered_key_messages() == ["Switching is free", "Five minutes"]
    assert campaign.impacts.get().audience == sales
    body = response.json()
    assert body["status"] == "draft"
    assert body["impacts"][0]["audience_name"] == "Sales"
    assert body["teams"] == ["content"]


def test_token_authentication_works(marketing, campaign):
    token = Token.objects.create(user=marketing)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(f"{CAMPAIGNS}{campaign.pk}/")
    assert response.status_code == 200
    assert response.json()["title"] == campaign.title


def test_api_change_records_the_token_user_in_history(marketing, campaign):
    token = Token.objects.create(user=marketing)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.patch(f"{CAMPAIGNS}{campaign.pk}/", {"title": "Renamed"}, format="json")
    assert campaign.history.first().history_user == marketing


def test_missing_title_is_400_with_a_field_message(api, marketing):
    response = api(marketing).post(CAMPAIGNS, _payload(title=""), format="json")
    assert response.status_code == 400
    assert "title" in response.json()
    assert not Campaign.objects.exists()


def test_bad_datetime_is_400(api, marketing):
    response = api(marketing).post(CAMPAIGNS, _payload(go_live_at="next tuesday"), format="json")
    assert response.status_code == 400
    assert "go_live_at" in response.json()


def test_go_live_in_the_past_is_400(api, marketing):
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = api(marketing).post(CAMPAIGNS, _payload(go_live_at=past), format="json")
    assert response.status_code == 400
    assert "future" in response.json()["go_live_at"][0]


def test_embargo_after_go_live_is_400_with_a_field_message(api, marketing):
    go_live = timezone.now() + timedelta(days=5)
    data = _payload(go_live_at=go_live.isoformat(), embargo_until=(go_live + timedelta(hours=1)).isoformat())
    response = api(marketing).post(CAMPAIGNS, data, format="json")
    assert response.status_code == 400
    assert "at or before go-live" in response.json()["embargo_until"][0]
    assert not Campaign.objects.exists()


def test_moving_go_live_before_a_set_embargo_is_400(api, marketing, campaign):
    campaign.embargo_until = campaign.go_live_at - timedelta(days=1)
    campaign.save()
    earlier = (campaign.go_live_at - timedelta(days=2)).isoformat()
    response = api(marketing).patch(f"{CAMPAIGNS}{campaign.pk}/", {"go_live_at": earlier}, format="json")
    assert response.status_code == 400
    assert "embargo_until" in response.json()


def test_unknown_audience_id_is_400(api, marketing):
    response = api(marketing).post(
        CAMPAIGNS, _payload(impacts=[{"audience": 99999, "level": "high"}]), format="json"
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["impacts"]["0"]["audience"][0]
    assert not Campaign.objects.exists()


def test_unknown_team_and_channel_are_400(api, marketing):
    response = api(marketing).post(
        CAMPAIGNS, _payload(teams=["nope"], external_channels=["billboards-on-mars"]), format="json"
    )
    assert response.status_code == 400
    assert {"teams", "external_channels"} <= set(response.json())


def test_same_audience_twice_is_400(api, marketing, sales):
    impacts = [{"audience": sales.pk, "level": "high"}, {"audience": sales.pk, "level": "low"}]
    response = api(marketing).post(CAMPAIGNS, _payload(impacts=impacts), format="json")
    assert response.status_code == 400
    assert "impacts" in response.json()


def test_garbage_body_is_400(api, marketing):
    response = api(marketing).post(CAMPAIGNS, "not json", content_type="application/json")
    assert response.status_code == 400


def test_update_replaces_impacts_and_key_messages(api, marketing, campaign, support):
    impacts = [{"audience": support.pk, "level": "low"}]
    response = api(marketing).patch(
        f"{CAMPAIGNS}{campaign.pk}/", {"impacts": impacts, "key_messages": ["Only one"]}, format="json"
    )
    assert response.status_code == 200
    assert [(i.audience.name, i.level) for i in campaign.impacts.all()] == [("Support", Impact.Level.LOW)]
    assert campaign.ordered_key_messages() == ["Only one"]


@pytest.mark.parametrize("persona", ["employee", "presenter"])
def test_employees_and_presenters_get_403(request, api, campaign, persona):
    client = api(request.getfixturevalue(persona))
    assert client.get(CAMPAIGNS).status_code == 403
    assert client.get(f"{CAMPAIGNS}{campaign.pk}/").status_code == 403
    assert client.post(CAMPAIGNS, _payload(), format="json").status_code == 403
    assert client.get("/api/v1/audiences/").status_code == 403


def test_anonymous_gets_401_or_403(api, campaign):
    assert api().get(CAMPAIGNS).status_code in (401, 403)


def test_marketing_of_another_team_can_not_see_or_change_the_campaign(api, other_marketing, campaign):
    client = api(other_marketing)
    assert client.get(CAMPAIGNS).json()["count"] == 0
    assert client.get(f"{CAMPAIGNS}{campaign.pk}/").status_code == 404
    assert client.patch(f"{CAMPAIGNS}{campaign.pk}/", {"title": "Mine"}, format="json").status_code == 404


def test_team_member_can_edit_the_team_campaign(api, team_marketing, team_campaign):
    response = api(team_marketing).patch(
        f"{CAMPAIGNS}{team_campaign.pk}/", {"title": "Team edit"}, format="json"
    )
    assert response.status_code == 200


def test_closed_campaign_can_not_be_changed(api, ic, campaign):
    campaign.status = Campaign.Status.CLOSED
    campaign.save()
    response = api(ic).patch(f"{CAMPAIGNS}{campaign.pk}/", {"title": "Late"}, format="json")
    assert response.status_code == 403


def test_ic_sees_every_campaign(api, ic, campaign, other_marketing):
    make_campaign(other_marketing, title="Omar's")
    assert api(ic).get(CAMPAIGNS).json()["count"] == 2


def test_list_paginates(api, ic, marketing):
    for i in range(55):
        make_campaign(marketing, title=f"C{i}")
    body = api(ic).get(CAMPAIGNS).json()
    assert body["count"] == 55
    assert len(body["results"]) == 50
    assert body["next"]
    assert len(api(ic).get(body["next"]).json()["results"]) == 5


def test_list_query_count_is_fixed(ic, marketing, sales, django_assert_num_queries):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=ic).key}")
    for i in range(5):
        c = make_campaign(marketing, title=f"C{i}")
        c.set_key_messages(["a", "b"])
        Impact.objects.create(campaign=c, audience=sales)
    # token with user, role groups, count, campaigns, teams, key messages, impacts with audiences
    with django_assert_num_queries(7):
        client.get(CAMPAIGNS)
    for i in range(5, 50):
        make_campaign(marketing, title=f"C{i}").set_key_messages(["a"])
    with django_assert_num_queries(7):
        client.get(CAMPAIGNS)


def test_ic_approves_through_the_api(api, ic, campaign):
    campaign.status = Campaign.Status.SUBMITTED
    campaign.save()
    response = api(ic).post(f"{CAMPAIGNS}{campaign.pk}/move/", {"status": "approved"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_illegal_move_through_the_api_is_400(api, ic, campaign):
    response = api(ic).post(f"{CAMPAIGNS}{campaign.pk}/move/", {"status": "closed"}, format="json")
    assert response.status_code == 400
    assert "cannot move" in response.json()["status"][0]


def test_marketing_can_not_approve_through_the_api(api, marketing, campaign):
    campaign.status = Campaign.Status.SUBMITTED
    campaign.save()
    response = api(marketing).post(f"{CAMPAIGNS}{campaign.pk}/move/", {"status": "approved"}, format="json")
    assert response.status_code == 403


def test_audiences_are_listed_for_marketing(api, marketing, sales, support):
    body = api(marketing).get("/api/v1/audiences/").json()
    assert [a["name"] for a in body["results"]] == ["Sales", "Support"]


def test_schema_endpoint_returns_a_valid_openapi_document(api):
    response = api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert "/api/v1/campaigns/" in schema["paths"]


def test_api_docs_are_served_without_internet(client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert (
        client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
    )
