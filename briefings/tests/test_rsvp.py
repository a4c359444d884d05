from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from briefings.models import Invitation, RolloutStage
from briefings.tests.conftest import invite, make_briefing
from conftest import make_user

pytestmark = pytest.mark.django_db


def rsvp(client, briefing, answer):
    return client.post(reverse("briefing_rsvp", args=[briefing.pk]), {"answer": answer})


@pytest.fixture
def full_briefing(campaign, presenter, sales):
    """Two seats; Ann and Ben took them; Cat and Dan wait, in that order."""
    briefing = make_briefing(campaign, presenter=presenter, audiences=[sales], capacity=2)
    people = [make_user(n, group="Employee", department="Sales") for n in ("ann", "ben", "cat", "dan")]
    invitations = invite(briefing, *people)
    for invitation in invitations:
        invitation.respond(Invitation.Rsvp.YES)
    return briefing, invitations


def test_employee_answers_yes(client_for, employee, briefing, invited):
    response = rsvp(client_for(employee), briefing, "yes")
    invited.refresh_from_db()
    assert response.status_code == 302
    assert (invited.rsvp, invited.is_waitlisted) == ("yes", False)
    assert invited.responded_at is not None


@pytest.mark.parametrize("answer", ["no", "maybe"])
def test_employee_answers_no_or_maybe(client_for, employee, briefing, invited, answer):
    rsvp(client_for(employee), briefing, answer)
    invited.refresh_from_db()
    assert invited.rsvp == answer


def test_invalid_answer_is_a_field_error(client_for, employee, briefing, invited):
    response = rsvp(client_for(employee), briefing, "perhaps")
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["rsvp_form"].errors["answer"][0]


def test_rsvp_to_a_cancelled_briefing_is_a_field_error(client_for, employee, ic, briefing, invited):
    briefing.cancel(ic)
    response = rsvp(client_for(employee), briefing, "yes")
    assert "was cancelled" in response.context["rsvp_form"].errors["answer"][0]
    invited.refresh_from_db()
    assert invited.rsvp == "pending"


def test_rsvp_to_a_past_briefing_is_a_field_error(client_for, employee, briefing, invited):
    with time_machine.travel(briefing.starts_at + timedelta(minutes=5)):
        response = rsvp(client_for(employee), briefing, "yes")
    assert "already started" in response.context["rsvp_form"].errors["answer"][0]


def test_someone_not_invited_cannot_rsvp(client_for, presenter, briefing):
    assert rsvp(client_for(presenter), briefing, "yes").status_code == 403


def test_yes_over_capacity_goes_to_the_waiting_list(full_briefing):
    briefing, (ann, ben, cat, dan) = full_briefing
    for inv in (ann, ben, cat, dan):
        inv.refresh_from_db()
    assert [ann.has_seat, ben.has_seat] == [True, True]
    assert [cat.is_waitlisted, dan.is_waitlisted] == [True, True]
    assert briefing.confirmed_count() == 2


def test_waiting_list_moves_up_in_order_when_someone_declines(full_briefing):
    _briefing, (ann, _ben, cat, dan) = full_briefing
    promoted = ann.respond(Invitation.Rsvp.NO)
    cat.refresh_from_db()
    dan.refresh_from_db()
    assert promoted == [cat]
    assert cat.has_seat and dan.is_waitlisted


def test_maybe_frees_a_seat_too(full_briefing):
    _briefing, (_ann, ben, cat, _dan) = full_briefing
    ben.respond(Invitation.Rsvp.MAYBE)
    cat.refresh_from_db()
    assert cat.has_seat


def test_saying_yes_again_keeps_the_seat(full_briefing):
    briefing, (ann, _ben, _cat, _dan) = full_briefing
    ann.respond(Invitation.Rsvp.YES)
    ann.refresh_from_db()
    assert ann.has_seat
    assert briefing.confirmed_count() == 2


def test_a_waiting_person_who_declines_leaves_the_list(full_briefing):
    _briefing, (ann, _ben, cat, dan) = full_briefing
    cat.respond(Invitation.Rsvp.NO)
    ann.respond(Invitation.Rsvp.NO)
    dan.refresh_from_db()
    assert dan.has_seat


def test_raising_capacity_fills_seats_from_the_waiting_list(full_briefing):
    briefing, (_ann, _ben, cat, _dan) = full_briefing
    briefing.capacity = 3
    briefing.save()
    assert briefing.fill_seats_from_waiting_list() == [cat]


def test_capacity_zero_puts_everyone_on_the_waiting_list(campaign, presenter, employee):
    briefing = make_briefing(campaign, presenter=presenter, capacity=0)
    (invitation,) = invite(briefing, employee)
    invitation.respond(Invitation.Rsvp.YES)
    assert invitation.is_waitlisted


def test_detail_page_shows_waiting_list_position(client_for, full_briefing):
    briefing, (_ann, _ben, _cat, dan) = full_briefing
    page = client_for(dan.user).get(briefing.get_absolute_url()).content.decode()
    assert "Waiting list, position 2" in page


def test_waitlisted_person_who_moves_up_gets_an_email(
    client_for, full_briefing, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    briefing, (ann, _ben, cat, _dan) = full_briefing
    with django_capture_on_commit_callbacks(execute=True):
        rsvp(client_for(ann.user), briefing, "no")
    assert [m.to for m in mailoutbox] == [[cat.user.email]]
    assert mailoutbox[0].subject == f"A seat for you: {briefing.title}"


def test_invite_audiences_creates_invitations_and_a_briefing_invitation_stage(
    client_for, ic, briefing, employee, employee_ny, presenter
):
    response = client_for(ic).post(reverse("briefing_invite", args=[briefing.pk]))
    briefing.refresh_from_db()
    assert response.status_code == 302
    # Sales: Emma, not Noah (Support), and not Pat who is in Sales but presents this session.
    assert set(briefing.invitations.values_list("user__username", flat=True)) == {"emma"}
    stage = briefing.invitation_stage
    assert stage.kind == RolloutStage.Kind.BRIEFING_INVITATION
    assert stage.campaign == briefing.campaign
    assert list(stage.audiences.all()) == list(briefing.audiences.all())
    assert set(stage.channels) == {"in_app", "email"}
    assert stage.state == RolloutStage.State.PLANNED


def test_inviting_twice_adds_only_newcomers_and_reuses_the_stage(ic, briefing, employee):
    planned = RolloutStage.objects.filter(kind="briefing_invitation").count()  # the default plan's, filled
    assert briefing.invite_audiences() == 1
    stage_id = briefing.invitation_stage_id
    make_user("zoe", group="Employee", department="Sales")
    assert briefing.invite_audiences() == 1
    briefing.refresh_from_db()
    assert briefing.invitations.count() == 2
    assert briefing.invitation_stage_id == stage_id
    assert RolloutStage.objects.filter(kind="briefing_invitation").count() == planned


def test_invitation_stage_body_never_carries_embargoed_details(briefing, employee):
    briefing.invite_audiences()
    stage = briefing.invitation_stage
    assert briefing.campaign.details not in stage.body
    assert "{{ concept }}" in stage.body


def test_cancelling_cancels_an_unsent_invitation_stage(ic, briefing, employee):
    briefing.invite_audiences()
    briefing.cancel(ic)
    briefing.invitation_stage.refresh_from_db()
    assert briefing.invitation_stage.state == RolloutStage.State.CANCELLED


def test_a_stranger_without_the_invitation_still_gets_404(client_for, briefing, employee, employee_ny):
    briefing.invite_audiences()
    assert client_for(employee_ny).get(briefing.get_absolute_url()).status_code == 404
    assert not Invitation.objects.filter(user=employee_ny).exists()


def test_menu_badge_counts_my_unanswered_upcoming_invitations(client_for, employee, briefing, invited):
    from briefings.navigation import pending_answers

    assert pending_answers(employee) == 1
    invited.respond("maybe")
    assert pending_answers(employee) == 0


def test_menu_badge_costs_managers_no_query(ic, django_assert_num_queries):
    from briefings.navigation import pending_answers
    from people import roles

    roles.group_names(ic)  # loaded once per request by the page already
    with django_assert_num_queries(0):
        assert pending_answers(ic) is None
