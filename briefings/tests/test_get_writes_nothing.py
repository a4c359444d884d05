"""Opening a briefing (GET) writes nothing: someone the engine sent the invitation to is invited when they answer."""

import pytest
from django.urls import reverse

from briefings.models import Invitation
from conftest import make_user
from rollout.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_joiner(briefing, employee):
    """Lou joined Sales after "invite audiences"; the engine then sent Lou the invitation stage."""
    briefing.invite_audiences()
    lou = make_user("lou", group="Employee", department="Sales")
    Delivery.objects.create(
        stage=briefing.invitation_stage, recipient=lou, channel="in_app", status=Delivery.Status.SENT
    )
    return lou


def test_it_creates_no_invitation_when_a_late_joiner_opens_the_briefing(client_for, briefing, late_joiner):
    response = client_for(late_joiner).get(briefing.get_absolute_url())
    assert response.status_code == 200
    assert "Save my answer" in response.content.decode()
    assert not Invitation.objects.filter(briefing=briefing, user=late_joiner).exists()


def test_it_creates_no_invitation_when_a_late_joiner_downloads_the_ics(client_for, briefing, late_joiner):
    response = client_for(late_joiner).get(reverse("briefing_ics", args=[briefing.pk]))
    assert response.status_code == 200
    assert not Invitation.objects.filter(briefing=briefing, user=late_joiner).exists()


def test_it_invites_a_late_joiner_when_they_answer(client_for, briefing, late_joiner):
    response = client_for(late_joiner).post(reverse("briefing_rsvp", args=[briefing.pk]), {"answer": "yes"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(briefing=briefing, user=late_joiner)
    assert invitation.rsvp == Invitation.Rsvp.YES
    assert invitation.notified_sequence == briefing.sequence


def test_it_still_refuses_someone_whose_invitation_email_is_not_sent_yet(client_for, briefing, employee):
    briefing.invite_audiences()
    lou = make_user("lou", group="Employee", department="Sales")
    Delivery.objects.create(
        stage=briefing.invitation_stage, recipient=lou, channel="email", status=Delivery.Status.PENDING
    )
    assert client_for(lou).get(briefing.get_absolute_url()).status_code == 404
