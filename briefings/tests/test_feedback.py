import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Feedback, Invitation, answered_questions, faq_pairs

pytestmark = pytest.mark.django_db


@pytest.fixture
def attended(invited):
    Invitation.objects.filter(pk=invited.pk).update(attended_at=timezone.now())
    invited.refresh_from_db()
    return invited


def give(client, briefing, **data):
    payload = {"feeling": "4", "support": "", "question": ""} | data
    return client.post(reverse("briefing_feedback", args=[briefing.pk]), payload)


def test_attendee_gives_feedback(client_for, employee, briefing, attended):
    response = give(
        client_for(employee), briefing, feeling="5", support="I'll tell customers", question="When in stores?"
    )
    fb = Feedback.objects.get()
    assert response.status_code == 302
    assert (fb.feeling, fb.support, fb.question, fb.user) == (
        5,
        "I'll tell customers",
        "When in stores?",
        employee,
    )


def test_someone_invited_who_did_not_attend_cannot_give_feedback(client_for, employee, briefing, invited):
    assert client_for(employee).get(reverse("briefing_feedback", args=[briefing.pk])).status_code == 403


def test_feeling_outside_one_to_five_is_a_field_error(client_for, employee, briefing, attended):
    response = give(client_for(employee), briefing, feeling="7")
    assert response.context["form"].errors["feeling"]
    assert not Feedback.objects.exists()


def test_missing_feeling_is_a_field_error(client_for, employee, briefing, attended):
    response = client_for(employee).post(reverse("briefing_feedback", args=[briefing.pk]), {})
    assert response.context["form"].errors["feeling"] == ["This field is required."]


def test_anonymous_feedback_stores_no_user_link(client_for, employee, briefing, attended):
    give(client_for(employee), briefing, is_anonymous="on", question="Why now?")
    fb = Feedback.objects.get()
    assert fb.user is None and fb.is_anonymous
    assert fb.answered_by is None
    # Nothing in the row names Emma: no user id, her names, or a time of day.
    row = Feedback.objects.filter(pk=fb.pk).values().get()
    values = " ".join(str(v) for v in row.values())
    assert str(employee.pk) != row["respondent_key"]
    assert employee.username not in values and employee.email not in values
    assert "user_id" in row and row["user_id"] is None
    assert not any(isinstance(v, type(timezone.now())) for k, v in row.items() if k != "answered_at")


def test_a_second_submission_updates_the_first(client_for, employee, briefing, attended):
    client = client_for(employee)
    give(client, briefing, feeling="2")
    give(client, briefing, feeling="5")
    assert Feedback.objects.get().feeling == 5


def test_a_second_anonymous_submission_updates_the_first_too(client_for, employee, briefing, attended):
    client = client_for(employee)
    give(client, briefing, feeling="2", is_anonymous="on")
    give(client, briefing, feeling="3", is_anonymous="on")
    fb = Feedback.objects.get()
    assert (fb.feeling, fb.user) == (3, None)


def test_switching_to_anonymous_drops_the_user_link(client_for, employee, briefing, attended):
    client = client_for(employee)
    give(client, briefing)
    give(client, briefing, is_anonymous="on")
    assert Feedback.objects.get().user is None


def test_feedback_form_prefills_my_earlier_answer(client_for, employee, briefing, attended):
    client = client_for(employee)
    give(client, briefing, feeling="2", support="Share posts", is_anonymous="on")
    form = client.get(reverse("briefing_feedback", args=[briefing.pk])).context["form"]
    assert form.initial == {"feeling": 2, "support": "Share posts", "question": "", "is_anonymous": True}


def test_two_people_get_two_rows(briefing, employee, employee_ny):
    Feedback.submit(briefing, employee, feeling=4, support="", question="", is_anonymous=True)
    Feedback.submit(briefing, employee_ny, feeling=2, support="", question="", is_anonymous=True)
    assert Feedback.objects.count() == 2


@pytest.fixture
def some_feedback(briefing, employee, employee_ny):
    Feedback.submit(
        briefing,
        employee,
        feeling=5,
        support="Share the posts",
        question="Is it UK only?",
        is_anonymous=False,
    )
    Feedback.submit(
        briefing, employee_ny, feeling=2, support='=HYPERLINK("x")', question="", is_anonymous=True
    )


def test_summary_shows_average_comments_and_unanswered_questions(
    client_for, marketing, campaign, some_feedback
):
    response = client_for(marketing).get(reverse("feedback_summary", args=[campaign.pk]))
    page = response.content.decode()
    assert response.context["average"] == 3.5
    assert "Share the posts" in page
    assert "Is it UK only?" in page
    assert "Anonymous" in page


def test_other_marketing_cannot_read_the_summary(client_for, other_marketing, campaign, some_feedback):
    assert client_for(other_marketing).get(reverse("feedback_summary", args=[campaign.pk])).status_code == 403


def test_csv_export_has_every_answer_and_neutralises_formulas(client_for, ic, campaign, some_feedback):
    response = client_for(ic).get(reverse("feedback_csv", args=[campaign.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["briefing", "briefing date", "submitted on", "feeling (1-5)"]
    assert len(rows) == 3
    respondents = sorted(r[-1] for r in rows[1:])
    assert respondents == ["Anonymous", "Emma Tester"]
    assert '\'=HYPERLINK("x")' in [r[4] for r in rows[1:]]


def test_marketing_answers_a_question_and_it_is_exposed_for_the_explainer(
    client_for, marketing, campaign, some_feedback
):
    question = Feedback.objects.exclude(question="").get()
    client_for(marketing).post(reverse("feedback_answer", args=[question.pk]), {"answer": "Yes, for now."})
    assert answered_questions(campaign) == [
        {
            "question": "Is it UK only?",
            "answer": "Yes, for now.",
            "answered_at": Feedback.objects.get(pk=question.pk).answered_at,
        }
    ]


def test_empty_answer_is_a_field_error(client_for, marketing, campaign, some_feedback):
    question = Feedback.objects.exclude(question="").get()
    response = client_for(marketing).post(reverse("feedback_answer", args=[question.pk]), {"answer": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert answered_questions(campaign) == []


def test_other_marketing_cannot_answer(client_for, other_marketing, campaign, some_feedback):
    question = Feedback.objects.exclude(question="").get()
    response = client_for(other_marketing).post(
        reverse("feedback_answer", args=[question.pk]), {"answer": "x"}
    )
    assert response.status_code == 403


def test_feedback_link_shows_after_attendance(client_for, employee, briefing, attended):
    page = client_for(employee).get(briefing.get_absolute_url()).content.decode()
    assert reverse("briefing_feedback", args=[briefing.pk]) in page


def test_feedback_key_is_stable_and_differs_per_person(briefing, employee, employee_ny):
    assert Feedback.key_for(briefing, employee) == Feedback.key_for(briefing, employee)
    assert Feedback.key_for(briefing, employee) != Feedback.key_for(briefing, employee_ny)


def test_answered_questions_feed_the_explainer_faq_as_pairs(client_for, marketing, campaign, some_feedback):
    question = Feedback.objects.exclude(question="").get()
    client_for(marketing).post(reverse("feedback_answer", args=[question.pk]), {"answer": "Yes, for now."})
    assert faq_pairs(campaign) == [("Is it UK only?", "Yes, for now.")]


def test_faq_source_is_registered_with_the_explainer_faq():
    from explainers import faq

    assert faq_pairs in faq._sources


def test_briefing_list_offers_feedback_to_attendees(client_for, employee, briefing, attended):
    page = client_for(employee).get(reverse("briefing_list") + "?show=all").content.decode()
    assert reverse("briefing_feedback", args=[briefing.pk]) in page
