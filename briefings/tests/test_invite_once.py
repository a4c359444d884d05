"""'Invite audiences' invites once: it fills the plan's briefing-invitation stage, and never the presenter."""

from datetime import timedelta

import markdown
import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.notices import invitation_attachments
from briefings.tests.conftest import make_briefing
from campaigns.models import Campaign
from rollout import dispatch, mailer
from rollout.composer import render_stage
from rollout.models import Delivery, RolloutStage

pytestmark = pytest.mark.django_db

INVITATION = RolloutStage.Kind.BRIEFING_INVITATION


def tick(now):
    """One dispatch tick at `now`, email chunks sent in-process into the locmem outbox."""
    return dispatch.dispatch_due(now, enqueue=lambda ids: mailer.send_email_chunk(ids, now=now))


def approve(campaign: Campaign) -> None:
    campaign.status = Campaign.Status.APPROVED
    campaign.save(update_fields=["status"])


def invitations_received(user) -> list[tuple[int, str]]:
    rows = Delivery.objects.filter(recipient=user, stage__kind=INVITATION, status=Delivery.Status.SENT)
    return list(rows.values_list("stage_id", "channel"))


def test_it_fills_the_plans_invitation_stage_instead_of_adding_a_second(campaign, briefing, employee):
    (planned,) = campaign.stages.filter(kind=INVITATION)
    briefing.invite_audiences()
    briefing.refresh_from_db()
    assert list(campaign.stages.filter(kind=INVITATION)) == [planned]
    assert briefing.invitation_stage_id == planned.pk
    planned.refresh_from_db()
    assert briefing.title in planned.subject
    assert "London HQ, room 4" in planned.body
    assert briefing.get_absolute_url() in planned.body
    assert list(planned.audiences.all()) == list(briefing.audiences.all())
    assert planned.send_at == campaign.go_live_at - timedelta(days=7)  # keeps its place in the plan


def test_it_sends_each_invitee_one_invitation_with_the_ics(campaign, briefing, employee, mailoutbox):
    approve(campaign)
    now = timezone.now()
    briefing.invite_audiences(at=now)
    tick(now)
    tick(campaign.go_live_at - timedelta(days=7))
    tick(campaign.go_live_at - timedelta(days=1))
    assert sorted(channel for _, channel in invitations_received(employee)) == ["email", "in_app"]
    (email,) = [m for m in mailoutbox if m.to == [employee.email] and briefing.title in m.subject]
    assert [name for name, _, _ in email.attachments] == ["briefing.ics"]


def test_it_never_sends_the_presenter_an_invitation_to_their_own_session(
    campaign, briefing, presenter, employee, mailoutbox
):
    approve(campaign)
    briefing.invite_audiences()
    tick(campaign.go_live_at - timedelta(days=7))
    assert invitations_received(employee)  # Emma in Sales is invited
    assert invitations_received(presenter) == []  # Pat in Sales presents it
    assert not [m for m in mailoutbox if m.to == [presenter.email]]
    assert not briefing.invitations.filter(user=presenter).exists()


def test_it_keeps_a_new_presenter_off_the_stage_and_out_of_the_invitees(
    campaign, briefing, presenter, other_presenter, employee, client_for, ic
):
    from briefings.tests.test_scheduling import BriefingFormData

    other_presenter.profile.department = "Sales"
    other_presenter.profile.save()
    briefing.invite_audiences()
    data = BriefingFormData.from_briefing(briefing) | {"presenter": other_presenter.pk}
    assert client_for(ic).post(reverse("briefing_edit", args=[briefing.pk]), data).status_code == 302
    approve(campaign)
    tick(campaign.go_live_at - timedelta(days=7))
    assert invitations_received(other_presenter) == []
    assert not briefing.invitations.filter(user=other_presenter).exists()
    assert invitations_received(presenter)


def test_it_creates_a_stage_for_the_session_when_the_plans_one_has_gone(campaign, briefing, employee):
    (planned,) = campaign.stages.filter(kind=INVITATION)
    planned.state = RolloutStage.State.SENT
    planned.save(update_fields=["state"])
    briefing.invite_audiences()
    briefing.refresh_from_db()
    assert briefing.invitation_stage_id not in (None, planned.pk)
    assert campaign.stages.filter(kind=INVITATION).count() == 2


def test_it_does_not_fill_another_sessions_stage(campaign, briefing, employee, support, employee_ny):
    briefing.invite_audiences()
    americas = make_briefing(
        campaign, title="Americas session", audiences=[support], time_zone="America/New_York"
    )
    americas.invite_audiences()
    americas.refresh_from_db()
    assert americas.invitation_stage_id not in (None, briefing.invitation_stage_id)
    ((name, _, _),) = invitation_attachments(americas.invitation_stage, employee_ny)
    assert name == "briefing.ics"


def test_it_refreshes_an_unsent_invitation_when_the_session_moves(
    campaign, briefing, employee, client_for, ic
):
    from briefings.tests.test_scheduling import BriefingFormData

    briefing.invite_audiences()
    data = BriefingFormData.from_briefing(briefing) | {"place": "Manchester, room 2"}
    client_for(ic).post(reverse("briefing_edit", args=[briefing.pk]), data)
    briefing.refresh_from_db()
    assert "Manchester, room 2" in briefing.invitation_stage.body
    assert "London HQ" not in briefing.invitation_stage.body


HOSTILE = "Spring promo <img src=x onerror=alert(1)>"


def test_it_pastes_a_hostile_campaign_title_into_the_invitation_as_text(
    client_for, ic, marketing, sales, employee
):
    from conftest import add_impact, make_campaign

    campaign = make_campaign(marketing, title=HOSTILE)
    add_impact(campaign, sales)
    page = client_for(ic).get(reverse("briefing_new", args=[campaign.pk]))
    suggested = page.context["form"].initial["title"]
    assert HOSTILE in suggested
    briefing = make_briefing(
        campaign, title=suggested, audiences=[sales], place="<b>Room</b> [4](https://evil.example)"
    )
    briefing.invite_audiences()
    briefing.refresh_from_db()
    stage = briefing.invitation_stage
    html = render_stage(stage, employee).html
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    as_markdown = markdown.markdown(stage.body)
    assert "<img" not in as_markdown
    assert 'href="https://evil.example"' not in as_markdown


def test_it_keeps_template_syntax_in_a_title_as_text(campaign, sales, employee):
    briefing = make_briefing(campaign, title="{{ details }} {% now 'Y' %}", audiences=[sales])
    briefing.invite_audiences()
    briefing.refresh_from_db()
    rendered = render_stage(briefing.invitation_stage, employee)
    assert "{{ details }} {% now 'Y' %}" in rendered.text
    assert campaign.details not in rendered.text
