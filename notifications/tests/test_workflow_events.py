"""Each workflow event reaches the right people, and nobody else."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from briefings.models import Feedback
from briefings.tests.conftest import invite
from briefings.tests.test_scheduling import BriefingFormData
from campaigns.models import Campaign
from conftest import make_user
from core import events
from explainers.models import Explainer, ExplainerQuestion
from notifications.models import Notification
from notifications.tests.conftest import told, who_was_told
from notifications.tick import notification_tick
from people import roles
from people.models import EmployeeProfile
from rollout.models import Delivery, RolloutStage

pytestmark = pytest.mark.django_db


def submitted(campaign, by):
    campaign.move_to(Campaign.Status.SUBMITTED, by)
    Notification.objects.all().delete()  # start each story after submission
    return campaign


def test_submitting_a_campaign_tells_ic_and_nobody_else(
    team_campaign, marketing, teammate, ic, other_marketing, employee
):
    team_campaign.move_to(Campaign.Status.SUBMITTED, marketing)
    assert who_was_told() == {"ian"}
    (note,) = told(ic)
    assert note.kind == "campaign_submitted"
    assert note.title == "“Spring Savings” is waiting for your review"
    assert note.url == team_campaign.get_absolute_url()


def test_approving_tells_owner_and_team_with_the_comment(
    team_campaign, marketing, teammate, ic, other_marketing
):
    submitted(team_campaign, marketing).move_to(Campaign.Status.APPROVED, ic, "Lovely, go ahead")
    assert who_was_told() == {"mia", "tom"}
    assert [(n.title, n.body) for n in told(marketing)] == [
        ("IC approved “Spring Savings”", "Lovely, go ahead")
    ]


def test_sending_back_tells_owner_and_team_with_the_comment(team_campaign, marketing, teammate, ic):
    submitted(team_campaign, marketing).move_to(Campaign.Status.DRAFT, ic, "Name the audiences first")
    assert who_was_told() == {"mia", "tom"}
    assert told(teammate)[0].body == "Name the audiences first"
    assert told(teammate)[0].kind == "campaign_sent_back"


def test_changing_an_approved_campaign_tells_ic_it_is_back_for_review(
    campaign, marketing, ic, django_capture_on_commit_callbacks
):
    campaign.status = Campaign.Status.APPROVED
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert campaign.send_back_for_review(marketing, ["Go-live"])
        campaign.save()
    assert who_was_told() == {"ian"}


def test_an_explainer_question_tells_owner_and_ic_without_naming_the_asker(
    campaign, marketing, ic, employee, teammate
):
    explainer = Explainer.for_campaign(campaign)
    ExplainerQuestion.ask(explainer, employee, text="Do rates change for me?", is_anonymous=False)
    assert who_was_told() == {"mia", "ian"}
    note = told(ic)[0]
    assert note.body == "Do rates change for me?"
    assert "Emma" not in note.title + note.body


def test_a_feedback_question_tells_owner_and_ic_once(briefing, marketing, ic, employee):
    invite(briefing, employee)
    Feedback.submit(
        briefing, employee, feeling=4, support="", question="Is there a script?", is_anonymous=True
    )
    Feedback.submit(
        briefing,
        employee,
        feeling=5,
        support="Happy to help",
        question="Is there a script?",
        is_anonymous=True,
    )
    assert who_was_told() == {"mia", "ian"}
    assert [n.title for n in told(marketing)] == [
        "New question on the briefing “Spring Savings: Sales briefing”"
    ]


def test_feedback_without_a_question_tells_nobody(briefing, marketing, ic, employee):
    Feedback.submit(briefing, employee, feeling=4, support="Fine", question="", is_anonymous=False)
    assert who_was_told() == set()


def test_answering_an_anonymous_feedback_question_tells_only_the_asker(
    client_for, briefing, marketing, ic, employee, employee_ny
):
    invite(briefing, employee, employee_ny)
    mine = Feedback.submit(briefing, employee, feeling=4, support="", question="Script?", is_anonymous=True)
    Feedback.submit(briefing, employee_ny, feeling=3, support="", question="Slides?", is_anonymous=True)
    assert mine.user is None  # nothing on the row names Emma
    Notification.objects.all().delete()
    client_for(marketing).post(reverse("feedback_answer", args=[mine.pk]), {"answer": "Yes, in the pack."})
    assert who_was_told() == {"emma"}
    (note,) = told(employee)
    assert note.title == "Your question on the briefing “Spring Savings: Sales briefing” was answered"
    assert note.url == f"/briefings/{briefing.pk}/feedback/"


def test_an_answer_before_the_embargo_lifts_is_not_copied_into_the_notification(
    briefing, marketing, employee
):
    invite(briefing, employee)
    feedback = Feedback.submit(
        briefing, employee, feeling=4, support="", question="When?", is_anonymous=False
    )
    feedback.answer_with("Rates drop to 1.9%", marketing)
    assert told(employee)[0].body == ""
    with time_machine.travel(briefing.campaign.embargo_until + timedelta(minutes=1)):
        feedback.answer_with("Rates drop to 1.9%", marketing)
    assert told(employee)[1].body == "Rates drop to 1.9%"


def test_answering_an_explainer_question_tells_the_anonymous_asker_and_joins_the_faq(
    client_for, campaign, marketing, ic, employee
):
    explainer = Explainer.for_campaign(campaign)
    explainer.publishes_at_embargo = True
    explainer.save()
    question = ExplainerQuestion.ask(explainer, employee, text="Do rates change for me?", is_anonymous=True)
    Notification.objects.all().delete()
    response = client_for(ic).post(
        reverse("explainer_answer", args=[campaign.pk, question.pk]), {"answer": "Only for new customers."}
    )
    assert response.status_code == 302
    assert who_was_told() == {"emma"}
    assert told(employee)[0].url == f"/explainers/{explainer.slug}/#faq-h"
    panel = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    assert "Only for new customers." in panel and "Anonymous" in panel and "Emma" not in panel
    with time_machine.travel(campaign.embargo_until + timedelta(minutes=1)):
        page = client_for(employee).get(explainer.get_absolute_url()).content.decode()
    assert "Do rates change for me?" in page and "Only for new customers." in page


def test_explainer_answers_are_for_the_campaigns_managers_only(
    client_for, campaign, employee, other_marketing
):
    question = ExplainerQuestion.ask(Explainer.for_campaign(campaign), employee, text="Why?")
    url = reverse("explainer_answer", args=[campaign.pk, question.pk])
    assert client_for(employee).post(url, {"answer": "Because"}).status_code == 403
    assert client_for(other_marketing).post(url, {"answer": "Because"}).status_code == 403
    question.refresh_from_db()
    assert question.answer == ""


def test_an_empty_explainer_answer_is_refused(client_for, campaign, marketing, employee):
    question = ExplainerQuestion.ask(Explainer.for_campaign(campaign), employee, text="Why?")
    client_for(marketing).post(reverse("explainer_answer", args=[campaign.pk, question.pk]), {"answer": "  "})
    question.refresh_from_db()
    assert question.answer == ""


def test_an_answer_to_a_question_on_another_campaign_is_404(client_for, campaign, marketing, employee):
    other = Campaign.objects.create(
        title="Other",
        owner=marketing,
        concept="x",
        go_live_at=campaign.go_live_at,
        embargo_until=campaign.go_live_at,
    )
    question = ExplainerQuestion.ask(Explainer.for_campaign(other), employee, text="Why?")
    url = reverse("explainer_answer", args=[campaign.pk, question.pk])
    assert client_for(marketing).post(url, {"answer": "Because"}).status_code == 404


def warn_early(campaign, *people):
    stage = RolloutStage.objects.create(
        campaign=campaign,
        kind=RolloutStage.Kind.EARLY_WARNING,
        offset_minutes=-14 * 24 * 60,
        send_at=campaign.go_live_at - timedelta(days=14),
        subject="Coming soon",
        body="{{ concept }}",
        channels=["in_app"],
        state=RolloutStage.State.SENT,
    )
    for person in people:
        Delivery.objects.create(
            stage=stage, recipient=person, channel="in_app", status="sent", sent_at=timezone.now()
        )


def test_the_explainer_going_public_tells_everyone_warned_early_once(campaign, employee, employee_ny):
    warn_early(campaign, employee)
    explainer = Explainer.for_campaign(campaign)
    explainer.publishes_at_embargo = True
    explainer.save()
    assert notification_tick(timezone.now())["published"] == 0  # still embargoed
    after = campaign.embargo_until + timedelta(minutes=1)
    with time_machine.travel(after):
        notification_tick(timezone.now())
        notification_tick(timezone.now())
    published = Notification.objects.filter(kind="explainer_published")
    assert set(published.values_list("recipient__username", flat=True)) == {"emma"}
    (note,) = published
    assert note.title == "Now you can read the full story: Spring Savings"
    assert note.url == explainer.get_absolute_url()


def test_rescheduling_a_briefing_tells_its_presenter(client_for, ic, briefing, presenter, employee):
    data = BriefingFormData.from_briefing(briefing) | {"place": "Manchester, room 2"}
    client_for(ic).post(reverse("briefing_edit", args=[briefing.pk]), data)
    assert who_was_told() == {"pat"}
    assert told(presenter)[0].title == "A briefing you present was changed: Spring Savings: Sales briefing"


def test_a_new_presenter_is_told_the_briefing_is_theirs(client_for, ic, briefing, presenter):
    pia = make_user("pia", group=roles.PRESENTER, first_name="Pia")
    client_for(ic).post(
        reverse("briefing_edit", args=[briefing.pk]),
        BriefingFormData.from_briefing(briefing) | {"presenter": pia.pk},
    )
    assert who_was_told() == {"pia"}


def test_cancelling_a_briefing_tells_its_presenter(ic, briefing, presenter):
    briefing.cancel(ic)
    assert [n.title for n in told(presenter)] == [
        "A briefing you present was cancelled: Spring Savings: Sales briefing"
    ]


def test_a_stage_left_unsent_tells_the_campaign_owner_once(campaign, marketing, ic, employee):
    RolloutStage.objects.create(
        campaign=campaign,
        kind=RolloutStage.Kind.EARLY_WARNING,
        offset_minutes=int((timezone.now() - timedelta(hours=1) - campaign.go_live_at).total_seconds() // 60),
        send_at=timezone.now() - timedelta(hours=1),
        subject="Soon",
        body="x",
        channels=["in_app"],
    )
    notification_tick(timezone.now())
    notification_tick(timezone.now())
    assert who_was_told() == {"mia"}
    assert told(marketing)[0].title == "Overdue: the early warning of “Spring Savings” has not gone out"


def test_other_apps_add_overdue_items_through_the_hook(marketing, employee):
    """wip/workplan's deliverables plug in here: fn(now) -> OverdueItem values."""

    def deliverables(now):
        yield events.OverdueItem(
            key="deliverable-overdue:7", owners=(marketing,), title="Overdue: poster", url="/", due_at=now
        )

    events.register_overdue_source(deliverables)
    try:
        notification_tick(timezone.now())
        notification_tick(timezone.now())
    finally:
        events._overdue_sources.remove(deliverables)
    assert [n.title for n in told(marketing)] == ["Overdue: poster"]


def test_deactivated_people_get_nothing(team_campaign, marketing, teammate, ic):
    teammate.is_active = False
    teammate.save()
    submitted(team_campaign, marketing).move_to(Campaign.Status.APPROVED, ic)
    assert who_was_told() == {"mia"}


def test_nobody_is_told_of_their_own_action(campaign, ic):
    """IC submitting on marketing's behalf is not told to review what they just sent."""
    campaign.move_to(Campaign.Status.SUBMITTED, ic)
    assert who_was_told() == set()


def test_email_follows_the_account_preference(team_campaign, marketing, teammate, ic):
    EmployeeProfile.objects.filter(user=teammate).update(preferred_channels=["in_app"])
    submitted(team_campaign, marketing).move_to(Campaign.Status.APPROVED, ic)
    assert told(marketing)[0].email_status == "pending"
    assert told(teammate)[0].email_status == "none"
