"""The workplan page, adding and editing deliverables with the duplicate check, sharing, My work."""

from __future__ import annotations

import pytest

from workplan.models import Deliverable, Workstream
from workplan.tests.conftest import add_deliverable, team

pytestmark = pytest.mark.django_db


def deliverable_data(**overrides) -> dict:
    data = {
        "team": str(team("content").pk),
        "title": "Launch blog post",
        "description": "Why we built Aurora, for the company blog",
        "type": "blog_post",
        "channel": "owned",
        "offset_days": "-1",
        "status": "not_started",
    }
    data.update(overrides)
    return data


def test_ic_sees_every_workstream_and_the_rollout_as_ics(client_for, ic, launch):
    add_deliverable(launch, "events", "Launch event invitations", type="event", channel="events")
    html = client_for(ic).get(f"/campaigns/{launch.pk}/workplan/").content.decode()
    assert "Launch event invitations" in html
    assert "Content" in html and "Events" in html and "Internal communications" in html
    assert "Rollout stages" in html  # the default plan's stages in IC's column


def test_a_marketer_sees_other_teams_workstreams_on_a_campaign_they_can_see(
    client_for, other_marketing, launch
):
    add_deliverable(launch, "content", "Launch blog post", type="blog_post", channel="owned")
    response = client_for(other_marketing).get(f"/campaigns/{launch.pk}/workplan/")
    assert response.status_code == 200
    assert "Launch blog post" in response.content.decode()


def test_it_refuses_employees_and_marketers_who_cannot_see_the_campaign(
    client_for, employee, outsider, launch
):
    assert client_for(employee).get(f"/campaigns/{launch.pk}/workplan/").status_code == 403
    assert client_for(outsider).get(f"/campaigns/{launch.pk}/workplan/").status_code == 403


def test_overdue_and_at_risk_lead_the_page(client_for, marketing, launch):
    add_deliverable(launch, "content", "Late draft", offset_days=-31)
    add_deliverable(launch, "content", "Much later", offset_days=5)
    html = client_for(marketing).get(f"/campaigns/{launch.pk}/workplan/").content.decode()
    attention = html.split('id="attention-h"')[1].split("</section>")[0]
    assert "Late draft" in attention and "Overdue" in attention
    assert "Much later" not in attention


def test_a_team_member_adds_a_deliverable_to_their_workstream(client_for, marketing, launch):
    response = client_for(marketing).post(
        f"/campaigns/{launch.pk}/workplan/deliverables/new/", deliverable_data()
    )
    assert response.status_code == 302
    saved = Deliverable.objects.get()
    assert saved.workstream == Workstream.objects.get(campaign=launch, team=team("content"))
    assert saved.due_at == saved.compute_due_at(launch)


def test_it_rejects_bad_input_with_field_errors(client_for, marketing, launch):
    response = client_for(marketing).post(
        f"/campaigns/{launch.pk}/workplan/deliverables/new/", deliverable_data(title="", offset_days="soon")
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"title", "offset_days"}
    assert not Deliverable.objects.exists()


def test_it_refuses_adding_to_another_teams_workstream(client_for, marketing, launch):
    response = client_for(marketing).post(
        f"/campaigns/{launch.pk}/workplan/deliverables/new/", deliverable_data(team=str(team("events").pk))
    )
    assert response.status_code == 200  # not a team she may choose
    assert "team" in response.context["form"].errors
    assert not Deliverable.objects.exists()


def test_it_refuses_editing_another_teams_deliverable(client_for, other_marketing, launch):
    mine = add_deliverable(launch, "content", "Launch blog post")
    url = f"/campaigns/{launch.pk}/workplan/deliverables/{mine.pk}/"
    assert "Only Content changes" in client_for(other_marketing).get(url).content.decode()
    response = client_for(other_marketing).post(url, deliverable_data(title="Hijacked"))
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.title == "Launch blog post"


def test_a_likely_duplicate_is_shown_before_saving_naming_team_owner_and_date(
    client_for, marketing, other_marketing, launch
):
    theirs = add_deliverable(
        launch,
        "events",
        "Press release for the Aurora launch",
        description="National press announcement of the Aurora app",
        type="press_release",
        channel="press",
        offset_days=-5,
        owner=other_marketing,
    )
    mine = deliverable_data(
        title="Launch press release",
        description="Announce the Aurora app to national press",
        type="press_release",
        channel="press",
        offset_days="-7",
    )
    response = client_for(marketing).post(f"/campaigns/{launch.pk}/workplan/deliverables/new/", mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert [m.deliverable for m in response.context["matches"]] == [theirs]
    assert "Events" in html and "Omar" in html and f"{theirs.due_at:%-d %b %Y}" in html
    assert (
        "Same work: share it" in html and "with Content</button>" in html and "Different: save anyway" in html
    )
    assert not Deliverable.objects.exclude(pk=theirs.pk).exists()


def test_different_work_saves_anyway(client_for, marketing, launch):
    add_deliverable(launch, "events", "Launch blog post", type="blog_post", channel="owned", offset_days=-1)
    client = client_for(marketing)
    response = client.post(
        f"/campaigns/{launch.pk}/workplan/deliverables/new/", deliverable_data(decision="different")
    )
    assert response.status_code == 302
    assert Deliverable.objects.count() == 2


def test_same_work_shares_the_other_teams_deliverable(client_for, marketing, launch):
    theirs = add_deliverable(launch, "events", "Launch blog post", type="blog_post", channel="owned")
    response = client_for(marketing).post(
        f"/campaigns/{launch.pk}/workplan/deliverables/{theirs.pk}/share/", {"team": team("content").pk}
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.shared_with == team("content")
    assert Deliverable.objects.count() == 1


def test_sharing_only_with_your_own_team(client_for, marketing, launch):
    theirs = add_deliverable(launch, "events", "Launch blog post")
    response = client_for(marketing).post(
        f"/campaigns/{launch.pk}/workplan/deliverables/{theirs.pk}/share/", {"team": team("design").pk}
    )
    assert response.status_code == 403


def test_my_work_lists_what_a_person_owns_across_campaigns(client_for, marketing, launch):
    add_deliverable(launch, "content", "Mine", owner=marketing)
    add_deliverable(launch, "content", "Nobody's")
    html = client_for(marketing).get("/my-work/").content.decode()
    assert "Mine" in html and "Nobody&#x27;s" not in html and "Nobody's" not in html


def test_team_work_lists_the_teams_and_shared_deliverables(client_for, marketing, launch):
    add_deliverable(launch, "content", "Ours")
    add_deliverable(launch, "events", "Shared with us", shared_with=team("content"))
    add_deliverable(launch, "events", "Theirs alone")
    html = client_for(marketing).get(f"/my-work/?team={team('content').pk}").content.decode()
    assert "Ours" in html and "Shared with us" in html and "Theirs alone" not in html


def test_my_work_refuses_employees(client_for, employee):
    assert client_for(employee).get("/my-work/").status_code == 403


def test_the_campaign_page_links_to_the_workplan(client_for, marketing, launch):
    html = client_for(marketing).get(f"/campaigns/{launch.pk}/").content.decode()
    assert f'href="/campaigns/{launch.pk}/workplan/"' in html
