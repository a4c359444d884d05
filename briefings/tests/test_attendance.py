from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from briefings.models import Invitation
from briefings.panels import coverage
from briefings.tests.conftest import invite, make_briefing
from conftest import make_user

pytestmark = pytest.mark.django_db


def test_presenter_ticks_attendance(client_for, presenter, briefing, employee, employee_ny):
    emma, noah = invite(briefing, employee, employee_ny)
    client_for(presenter).post(
        reverse("briefing_attendance", args=[briefing.pk]), {"attended": [str(emma.pk)]}
    )
    emma.refresh_from_db()
    noah.refresh_from_db()
    assert emma.has_attended and not noah.has_attended


def test_unticking_clears_attendance(client_for, presenter, briefing, invited):
    client = client_for(presenter)
    client.post(reverse("briefing_attendance", args=[briefing.pk]), {"attended": [str(invited.pk)]})
    client.post(reverse("briefing_attendance", args=[briefing.pk]), {})
    invited.refresh_from_db()
    assert not invited.has_attended


def test_attendance_ignores_ids_from_another_briefing(
    client_for, presenter, campaign, briefing, invited, employee_ny
):
    other = make_briefing(campaign, title="Other")
    (stranger,) = invite(other, employee_ny)
    response = client_for(presenter).post(
        reverse("briefing_attendance", args=[briefing.pk]), {"attended": [str(stranger.pk)]}
    )
    stranger.refresh_from_db()
    assert "Select a valid choice" in response.context["form"].errors["attended"][0]
    assert not stranger.has_attended


def test_another_presenter_cannot_take_attendance(client_for, other_presenter, briefing, invited):
    # Pia presents nothing here and is not invited: the briefing is not hers to see.
    assert (
        client_for(other_presenter).get(reverse("briefing_attendance", args=[briefing.pk])).status_code == 404
    )


def test_presenter_confirms_delivery_with_notes(client_for, presenter, briefing):
    with time_machine.travel(briefing.starts_at + timedelta(minutes=50)):
        client_for(presenter).post(
            reverse("briefing_delivered", args=[briefing.pk]), {"notes": "Good questions on rates."}
        )
    briefing.refresh_from_db()
    assert briefing.status == "delivered"
    assert briefing.delivered_notes == "Good questions on rates."


def test_delivery_before_the_start_is_refused(client_for, presenter, briefing):
    response = client_for(presenter).post(
        reverse("briefing_delivered", args=[briefing.pk]), {"notes": "Done"}
    )
    assert "once the briefing has started" in response.context["delivered_form"].non_field_errors()[0]
    briefing.refresh_from_db()
    assert briefing.status == "scheduled"


def test_delivery_without_notes_is_a_field_error(client_for, presenter, briefing):
    with time_machine.travel(briefing.starts_at + timedelta(minutes=50)):
        response = client_for(presenter).post(
            reverse("briefing_delivered", args=[briefing.pk]), {"notes": ""}
        )
    assert response.context["delivered_form"].errors["notes"]


def test_coverage_counts_and_percentages_per_audience(
    campaign, briefing, sales, support, employee, employee_ny
):
    # Sales: Emma, Pat (presenter, Sales) and Sam; Support: Noah.
    sam = make_user("sam", group="Employee", department="Sales")
    emma, _sam_inv = invite(briefing, employee, sam)
    emma.respond(Invitation.Rsvp.YES)
    Invitation.objects.filter(pk=emma.pk).update(attended_at=briefing.starts_at)
    support_briefing = make_briefing(campaign, audiences=[support], title="Support")
    invite(support_briefing, employee_ny)
    rows = {r["audience"].name: r for r in coverage(campaign)}
    assert (
        rows["Sales"]["size"],
        rows["Sales"]["invited"],
        rows["Sales"]["accepted"],
        rows["Sales"]["attended"],
    ) == (3, 2, 1, 1)
    assert (rows["Sales"]["invited_pct"], rows["Sales"]["accepted_pct"], rows["Sales"]["attended_pct"]) == (
        67,
        33,
        33,
    )
    assert (rows["Support"]["size"], rows["Support"]["invited"], rows["Support"]["invited_pct"]) == (
        1,
        1,
        100,
    )


def test_coverage_ignores_cancelled_briefings(ic, campaign, briefing, invited):
    briefing.cancel(ic)
    (row,) = coverage(campaign)
    assert row["invited"] == 0


def test_coverage_handles_list_audiences(campaign, employee, employee_ny):
    from people.models import Audience

    vip = Audience.objects.create(name="VIP", kind=Audience.Kind.LIST)
    vip.members.add(employee, employee_ny)
    briefing = make_briefing(campaign, audiences=[vip])
    invite(briefing, employee)
    row = next(r for r in coverage(campaign) if r["audience"] == vip)
    assert (row["size"], row["invited"], row["invited_pct"]) == (2, 1, 50)


def test_campaign_page_shows_the_coverage_panel(client_for, ic, campaign, briefing, invited):
    page = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    assert "Briefings and coverage" in page
    assert "Coverage per audience" in page
    assert briefing.title in page


def test_confirming_delivery_emails_attendees_a_feedback_link_once(
    client_for,
    presenter,
    briefing,
    employee,
    employee_ny,
    mailoutbox,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    emma, _noah = invite(briefing, employee, employee_ny)
    Invitation.objects.filter(pk=emma.pk).update(attended_at=briefing.starts_at)
    with time_machine.travel(briefing.starts_at + timedelta(minutes=50)):
        client = client_for(presenter)  # signed in then: a session from 30 days earlier has expired
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("briefing_delivered", args=[briefing.pk]), {"notes": "Went well."})
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("briefing_delivered", args=[briefing.pk]), {"notes": "Went well, updated."})
    assert [m.to for m in mailoutbox] == [[employee.email]]
    assert reverse("briefing_feedback", args=[briefing.pk]) in mailoutbox[0].body
    assert mailoutbox[0].attachments == []


def test_attendance_ticked_after_delivery_also_gets_the_feedback_email(
    client_for, presenter, briefing, invited, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    briefing.confirm_delivered("Done", at=briefing.starts_at)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(presenter).post(
            reverse("briefing_attendance", args=[briefing.pk]), {"attended": [str(invited.pk)]}
        )
    assert [m.to for m in mailoutbox] == [[invited.user.email]]
