"""Update and cancellation emails carry the .ics; the engine's invitation emails get it through a provider."""

import pytest
from django.urls import reverse
from icalendar import Calendar

from briefings import notices
from briefings.ics import briefing_uid
from briefings.notices import invitation_attachments, send_briefing_notice
from briefings.tests.conftest import invite
from briefings.tests.test_scheduling import BriefingFormData
from rollout.models import RolloutStage

pytestmark = pytest.mark.django_db


def calendar_mail(mailoutbox):
    """The briefing's calendar notices only (the presenter also gets a notification email)."""
    return [m for m in mailoutbox if m.attachments]


def ics_of(message):
    (name, content, mimetype) = message.attachments[0]
    assert name == "briefing.ics"
    return Calendar.from_ical(content), mimetype


def test_rescheduling_emails_invitees_an_update_with_same_uid_higher_sequence(
    client_for, ic, briefing, invited, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    data = BriefingFormData.from_briefing(briefing) | {"place": "Manchester, room 2"}
    with django_capture_on_commit_callbacks(execute=True):
        client_for(ic).post(reverse("briefing_edit", args=[briefing.pk]), data)
    (message,) = calendar_mail(mailoutbox)
    assert message.to == [invited.user.email]
    assert "new time or place" in message.subject
    assert "Manchester, room 2" in message.body
    assert message.alternatives[0][1] == "text/html"
    cal, mimetype = ics_of(message)
    (event,) = cal.walk("VEVENT")
    assert mimetype.startswith("text/calendar")
    assert str(cal["method"]) == "REQUEST"
    assert str(event["uid"]) == briefing_uid(briefing)
    assert event["sequence"] == 1
    assert str(event["location"]) == "Manchester, room 2"


def test_update_skips_people_who_declined(ic, briefing, employee, employee_ny, mailoutbox):
    _yes, no = invite(briefing, employee, employee_ny)
    no.respond("no")
    briefing.bump_sequence()
    assert send_briefing_notice(briefing.pk, notices.UPDATE) == 1
    assert [m.to for m in mailoutbox] == [[employee.email]]


def test_cancelling_emails_method_cancel_to_every_invitee(
    client_for,
    ic,
    briefing,
    employee,
    employee_ny,
    mailoutbox,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    invite(briefing, employee, employee_ny)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ic).post(reverse("briefing_cancel", args=[briefing.pk]), {"confirm": "on"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in calendar_mail(mailoutbox)) == sorted([employee.email, employee_ny.email])
    cal, _ = ics_of(calendar_mail(mailoutbox)[0])
    assert str(cal["method"]) == "CANCEL"
    assert str(cal.walk("VEVENT")[0]["status"]) == "CANCELLED"


def test_cancel_without_confirming_is_a_field_error(client_for, ic, briefing):
    response = client_for(ic).post(reverse("briefing_cancel", args=[briefing.pk]), {})
    assert "confirm" in response.context["form"].errors
    briefing.refresh_from_db()
    assert briefing.status == "scheduled"


def test_a_retried_notice_does_not_email_anyone_twice(ic, briefing, employee, mailoutbox):
    invite(briefing, employee)
    briefing.bump_sequence()
    assert send_briefing_notice(briefing.pk, notices.UPDATE) == 1
    assert send_briefing_notice(briefing.pk, notices.UPDATE) == 0
    assert len(mailoutbox) == 1


def test_notice_emails_show_times_in_the_invitees_zone(ic, briefing, employee_ny, mailoutbox):
    invite(briefing, employee_ny)
    briefing.bump_sequence()
    send_briefing_notice(briefing.pk, notices.UPDATE)
    local = briefing.starts_at.astimezone(employee_ny.profile.zone)
    assert local.strftime("%H:%M") in mailoutbox[0].body
    assert briefing.campaign.details not in mailoutbox[0].body


def test_notice_for_a_deleted_briefing_is_a_quiet_no_op(mailoutbox):
    assert send_briefing_notice(987654, notices.CANCEL) == 0


def test_attachment_provider_attaches_ics_to_briefing_invitations(briefing, employee):
    briefing.invite_audiences()
    ((name, content, mimetype),) = invitation_attachments(briefing.invitation_stage, employee)
    cal = Calendar.from_ical(content)
    assert (name, mimetype) == ("briefing.ics", "text/calendar; method=REQUEST")
    assert str(cal["method"]) == "REQUEST"
    assert f"mailto:{employee.email}" in str(cal.walk("VEVENT")[0]["attendee"])


def test_campaign_wide_invitation_stage_gets_one_ics_per_briefing_i_am_invited_to(
    campaign, briefing, employee
):
    from briefings.tests.conftest import make_briefing

    second = make_briefing(campaign, title="Second session")
    declined = make_briefing(campaign, title="Declined session")
    invite(briefing, employee)
    invite(second, employee)
    invite(declined, employee)[0].respond("no")
    stage = RolloutStage.objects.create(
        campaign=campaign,
        kind="briefing_invitation",
        offset_minutes=-7 * 24 * 60,
        send_at=campaign.go_live_at,
        channels=["email"],
        subject="Choose a session",
        body="{{ briefings_url }}",
    )
    files = invitation_attachments(stage, employee)
    uids = [str(Calendar.from_ical(content).walk("VEVENT")[0]["uid"]) for _, content, _ in files]
    assert uids == [briefing_uid(briefing), briefing_uid(second)]
    assert [name for name, _, _ in files] == [f"briefing-{briefing.pk}.ics", f"briefing-{second.pk}.ics"]


def test_attachment_provider_ignores_other_stages(campaign, employee):
    stage = RolloutStage.objects.create(
        campaign=campaign,
        kind="early_warning",
        offset_minutes=-60,
        send_at=campaign.go_live_at,
        channels=["email"],
        subject="s",
        body="b",
    )
    assert invitation_attachments(stage, employee) == []


def test_attachment_provider_is_registered_with_the_composer():
    from rollout import composer

    assert invitation_attachments in composer._attachment_providers
