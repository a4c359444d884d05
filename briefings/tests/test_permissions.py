"""Role by page matrix: who may open each briefing page (200), who is refused (403) or not told it exists (404)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Invitation

pytestmark = pytest.mark.django_db

PERSONAS = ["ic", "marketing", "other_marketing", "presenter", "other_presenter", "employee", "employee_ny"]

# page: expected status per persona, in PERSONAS order. Emma is invited and attended; Noah is not invited;
# Pat presents (pack not released yet); Pia presents something else; Omar is marketing on another team.
MATRIX = {
    "briefing_list": (200, 200, 200, 200, 200, 200, 200),
    "briefing_detail": (200, 200, 404, 200, 404, 200, 404),
    "briefing_ics": (200, 200, 404, 200, 404, 200, 404),
    "briefing_new": (200, 403, 403, 403, 403, 403, 403),
    "briefing_edit": (200, 403, 404, 403, 404, 403, 404),
    "briefing_cancel": (200, 403, 404, 403, 404, 403, 404),
    "briefing_pack": (200, 200, 404, 403, 404, 403, 404),
    "briefing_pack_print": (200, 200, 404, 403, 404, 403, 404),
    "briefing_presenter": (200, 200, 404, 403, 404, 403, 404),
    "briefing_pack_edit": (200, 403, 404, 403, 404, 403, 404),
    "briefing_attendance": (200, 403, 404, 200, 404, 403, 404),
    "briefing_feedback": (403, 403, 404, 403, 404, 200, 404),
    "feedback_summary": (200, 200, 403, 403, 403, 403, 403),
    "feedback_csv": (200, 200, 403, 403, 403, 403, 403),
    "calendar_settings": (200, 200, 200, 200, 200, 200, 200),
}

# State-changing endpoints (POST): the same rule, checked without valid data where refusal comes first.
POST_MATRIX = {
    "briefing_invite": (302, 403, 404, 403, 404, 403, 404),
    "briefing_pack_release": (302, 403, 404, 403, 404, 403, 404),
    "briefing_delivered": (200, 403, 404, 200, 404, 403, 404),
    "briefing_rsvp": (403, 403, 404, 403, 404, 200, 404),
}


def url_for(name, briefing):
    if name in ("briefing_list", "calendar_settings"):
        return reverse(name)
    if name in ("briefing_new", "feedback_summary", "feedback_csv"):
        return reverse(name, args=[briefing.campaign_id])
    return reverse(name, args=[briefing.pk])


@pytest.fixture
def setting(briefing, employee):
    invitation = Invitation.objects.create(briefing=briefing, user=employee)
    Invitation.objects.filter(pk=invitation.pk).update(attended_at=timezone.now())
    return briefing


CASES = [(page, persona, codes[i]) for page, codes in MATRIX.items() for i, persona in enumerate(PERSONAS)]
POST_CASES = [
    (page, persona, codes[i]) for page, codes in POST_MATRIX.items() for i, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("page", "persona", "expected"), CASES)
def test_page_permission_matrix(request, client_for, setting, page, persona, expected):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url_for(page, setting)).status_code == expected


@pytest.mark.parametrize(("page", "persona", "expected"), POST_CASES)
def test_post_permission_matrix(request, client_for, setting, page, persona, expected):
    user = request.getfixturevalue(persona)
    assert client_for(user).post(url_for(page, setting), {}).status_code == expected


@pytest.mark.parametrize("page", [p for p in MATRIX if p != "calendar_settings"] + ["calendar_settings"])
def test_signed_out_visitors_are_sent_to_sign_in(client, setting, page):
    response = client.get(url_for(page, setting))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_presenter_gets_the_pack_once_released(client_for, ic, presenter, setting):
    setting.set_pack_release(timezone.now(), ic)
    assert client_for(presenter).get(reverse("briefing_pack", args=[setting.pk])).status_code == 200


def test_marketing_member_of_the_campaign_team_sees_its_briefings(client_for, setting, campaign):
    from conftest import make_user
    from people.models import MarcomTeam

    colleague = make_user("cleo", group="Marketing")
    team = MarcomTeam.objects.get(slug="content")
    team.members.add(colleague)
    campaign.teams.add(team)
    assert client_for(colleague).get(setting.get_absolute_url()).status_code == 200
