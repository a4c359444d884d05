import pytest

pytestmark = pytest.mark.django_db


def test_api_lists_only_briefings_i_may_see(client_for, employee, employee_ny, briefing, invited):
    assert [b["id"] for b in client_for(employee).get("/api/v1/briefings/").json()["results"]] == [
        briefing.pk
    ]
    assert client_for(employee_ny).get("/api/v1/briefings/").json()["results"] == []


def test_api_never_carries_embargoed_details(client_for, ic, briefing):
    body = client_for(ic).get(f"/api/v1/briefings/{briefing.pk}/").content.decode()
    assert briefing.campaign.concept in body
    assert briefing.campaign.details not in body


def test_api_rsvp(client_for, employee, briefing, invited):
    response = client_for(employee).post(f"/api/v1/briefings/{briefing.pk}/rsvp/", {"answer": "yes"})
    assert response.status_code == 200
    assert response.json() == {"answer": "yes", "is_waitlisted": False}


def test_api_rsvp_bad_answer_is_400_with_field_message(client_for, employee, briefing, invited):
    response = client_for(employee).post(f"/api/v1/briefings/{briefing.pk}/rsvp/", {"answer": "perhaps"})
    assert response.status_code == 400
    assert "answer" in response.json()


def test_api_rsvp_to_a_cancelled_briefing_is_400(client_for, ic, employee, briefing, invited):
    briefing.cancel(ic)
    response = client_for(employee).post(f"/api/v1/briefings/{briefing.pk}/rsvp/", {"answer": "yes"})
    assert response.status_code == 400
    assert "cancelled" in response.json()["answer"][0]


def test_api_rsvp_refuses_people_not_invited(client_for, presenter, briefing):
    assert (
        client_for(presenter).post(f"/api/v1/briefings/{briefing.pk}/rsvp/", {"answer": "yes"}).status_code
        == 403
    )


def test_api_hides_briefings_of_others(client_for, employee_ny, briefing):
    assert client_for(employee_ny).get(f"/api/v1/briefings/{briefing.pk}/").status_code == 404


def test_api_requires_authentication(client, briefing):
    assert client.get("/api/v1/briefings/").status_code in (401, 403)
