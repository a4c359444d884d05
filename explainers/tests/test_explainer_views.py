"""Explainers: teaser before the embargo, full after, per-audience parts, IC's editor and preview."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from campaigns.models import Campaign, Impact
from conftest import add_impact, make_campaign
from explainers.faq import register_faq_source, unregister_faq_source
from explainers.models import Explainer, ExplainerQuestion, ExplainerRead
from explainers.tests.conftest import deliver, lift_embargo, make_stage
from people.models import Audience
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db


# --- teaser and publication ------------------------------------------------------------------
def test_warned_employee_sees_teaser_before_embargo(client_for, employee, warning, explainer):
    body = client_for(employee).get(f"/explainers/{explainer.slug}/").content.decode()
    assert explainer.campaign.concept in body
    assert "More detail on" in body
    assert "lowering rates" not in body
    assert explainer.campaign.details not in body


def test_teaser_works_before_ic_starts_the_explainer(client_for, employee, warning):
    response = client_for(employee).get(f"/explainers/{warning.stage.campaign.slug}/")
    assert response.status_code == 200
    assert "More detail on" in response.content.decode()


def test_affected_employee_sees_teaser_of_an_approved_campaign(client_for, employee, explainer):
    assert client_for(employee).get(f"/explainers/{explainer.slug}/").status_code == 200


def test_draft_campaign_has_no_teaser_for_its_audience(client_for, employee, campaign):
    Explainer.for_campaign(campaign)
    assert client_for(employee).get(f"/explainers/{campaign.slug}/").status_code == 404


def test_unrelated_employee_gets_404_before_embargo(client_for, employee_ny, marketing, sales):
    c = make_campaign(marketing, title="Sales only", status=Campaign.Status.APPROVED)
    add_impact(c, sales)
    Explainer.for_campaign(c)
    assert client_for(employee_ny).get(f"/explainers/{c.slug}/").status_code == 404


def test_unknown_slug_is_404(client_for, employee):
    assert client_for(employee).get("/explainers/no-such-thing/").status_code == 404


def test_ready_explainer_publishes_itself_when_embargo_lifts(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    body = client_for(employee).get(f"/explainers/{explainer.slug}/").content.decode()
    assert "<strong>lowering rates</strong>" in body
    assert explainer.campaign.details in body
    assert "A customer asks if their rate changes" in body


def test_draft_explainer_stays_teaser_after_embargo(client_for, employee, warning, explainer):
    explainer.publishes_at_embargo = False
    explainer.save(update_fields=["publishes_at_embargo"])
    lift_embargo(explainer.campaign)
    body = client_for(employee).get(f"/explainers/{explainer.slug}/").content.decode()
    assert "lowering rates" not in body


def test_published_at_before_embargo_is_refused_until_embargo(client_for, employee, warning, explainer):
    explainer.publishes_at_embargo = False
    explainer.published_at = timezone.now() - timedelta(days=1)
    explainer.save()
    assert not explainer.is_published()
    assert "lowering rates" not in client_for(employee).get(f"/explainers/{explainer.slug}/").content.decode()


def test_employee_sees_only_their_audiences_part(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    body = client_for(employee).get(f"/explainers/{explainer.slug}/").content.decode()
    assert "Sales: explain the new rate" in body
    assert "Support: point callers" not in body


def test_reading_records_one_read(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    client = client_for(employee)
    client.get(f"/explainers/{explainer.slug}/")
    client.get(f"/explainers/{explainer.slug}/")
    assert ExplainerRead.objects.filter(explainer=explainer, user=employee).count() == 1


def test_assets_show_images_inline_and_documents_as_links(client_for, employee, warning, explainer):
    c = explainer.campaign
    c.assets.create(kind="image", url="https://cdn.example.com/poster.png", caption="Poster")
    c.assets.create(kind="video", url="https://vimeo.com/1", caption="Launch film")
    lift_embargo(c)
    body = client_for(employee).get(f"/explainers/{explainer.slug}/").content.decode()
    assert '<img src="https://cdn.example.com/poster.png" alt="Poster"' in body
    assert '<a href="https://vimeo.com/1" rel="noopener">Launch film</a>' in body


def test_faq_includes_registered_answered_questions(client_for, employee, warning, explainer):
    def source(campaign):
        return [("Is there a briefing?", "Yes, on Monday."), {"question": "Who runs it?", "answer": "Pat."}]

    register_faq_source(source)
    try:
        lift_embargo(explainer.campaign)
        body = client_for(employee).get(f"/explainers/{explainer.slug}/").content.decode()
    finally:
        unregister_faq_source(source)
    assert "Is there a briefing?" in body and "Yes, on Monday." in body
    assert "Who runs it?" in body and "Pat." in body


def test_markdown_is_sanitised_on_the_page(client_for, employee, warning, explainer):
    explainer.what_and_why = '<script>alert("x")</script>[x](javascript:alert(1))'
    explainer.save()
    lift_embargo(explainer.campaign)
    body = client_for(employee).get(f"/explainers/{explainer.slug}/").content.decode()
    assert '<script>alert("x")' not in body
    assert "javascript:alert" not in body


# --- responses --------------------------------------------------------------------------------
def test_helpful_answer_is_stored(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    client_for(employee).post(f"/explainers/{explainer.slug}/helpful/", {"is_helpful": "no"})
    assert ExplainerRead.objects.get(explainer=explainer, user=employee).is_helpful is False


def test_helpful_bad_value_changes_nothing(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    response = client_for(employee).post(f"/explainers/{explainer.slug}/helpful/", {"is_helpful": "maybe"})
    assert response.status_code == 302
    assert not ExplainerRead.objects.filter(is_helpful__isnull=False).exists()


def test_question_reaches_the_campaign_page(client_for, employee, ic, warning, explainer):
    lift_embargo(explainer.campaign)
    client_for(employee).post(f"/explainers/{explainer.slug}/questions/", {"text": "Do pensioners qualify?"})
    assert ExplainerQuestion.objects.get().author == employee
    body = client_for(ic).get(explainer.campaign.get_absolute_url()).content.decode()
    assert "Do pensioners qualify?" in body
    assert "Emma Tester" in body


def test_anonymous_question_hides_the_author(client_for, employee, ic, warning, explainer):
    lift_embargo(explainer.campaign)
    client_for(employee).post(
        f"/explainers/{explainer.slug}/questions/", {"text": "Anything?", "is_anonymous": "on"}
    )
    body = client_for(ic).get(explainer.campaign.get_absolute_url()).content.decode()
    assert "Anonymous" in body


def test_empty_question_gives_field_error(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    response = client_for(employee).post(f"/explainers/{explainer.slug}/questions/", {"text": "  "})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_questions_are_refused_before_publication(client_for, employee, warning, explainer):
    response = client_for(employee).post(f"/explainers/{explainer.slug}/questions/", {"text": "Early?"})
    assert response.status_code == 404


def test_progress_only_grows(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    client = client_for(employee)
    assert client.post(f"/explainers/{explainer.slug}/progress/", {"progress": "60"}).status_code == 204
    client.post(f"/explainers/{explainer.slug}/progress/", {"progress": "20"})
    assert ExplainerRead.objects.get(user=employee).progress == 60
    assert client.post(f"/explainers/{explainer.slug}/progress/", {"progress": "x"}).status_code == 400


# --- list -------------------------------------------------------------------------------------
def test_list_shows_live_and_upcoming_relevant_to_me(
    client_for, employee, warning, explainer, marketing, support
):
    other = make_campaign(marketing, title="Support only", status=Campaign.Status.APPROVED)
    add_impact(other, support)
    body = client_for(employee).get("/explainers/").content.decode()
    assert "Spring Savings" in body and "More detail on" in body
    assert "Support only" not in body


def test_list_never_shows_details_before_embargo(client_for, employee, warning, explainer):
    assert explainer.campaign.details not in client_for(employee).get("/explainers/").content.decode()


@pytest.mark.parametrize("n", [10, 500])
def test_explainer_list_query_count_is_constant(
    client_for, employee, marketing, sales, django_assert_num_queries, n
):
    for i in range(n):
        c = Campaign(
            title=f"C{i}",
            slug=f"c-{i}",
            owner=marketing,
            concept="x",
            status="approved",
            go_live_at=timezone.now() + timedelta(days=i + 1),
            embargo_until=timezone.now(),
        )
        c.save()
        Impact.objects.create(campaign=c, audience=sales)
        Explainer.objects.create(campaign=c, slug=c.slug, publishes_at_embargo=bool(i % 2))
    client = client_for(employee)
    # the layout (session, user, profile, menu and its badges), then rule audiences and list
    # audiences (membership) and the campaigns with their explainers
    with django_assert_num_queries(layout_queries(employee) + 3):
        response = client.get("/explainers/")
    assert response.content.decode().count('<li class="card">') == n


# --- editor and preview -----------------------------------------------------------------------
def _editor_post(campaign, **overrides):
    data = {
        "what_and_why": "Why we do it",
        "behaviours": "Be kind",
        "training": "",
        "faq": "",
        "publishing": "at_embargo",
        "scenarios-TOTAL_FORMS": "1",
        "scenarios-INITIAL_FORMS": "0",
        "scenarios-MIN_NUM_FORMS": "0",
        "scenarios-MAX_NUM_FORMS": "30",
        "scenarios-0-situation": "A customer asks about fees",
        "scenarios-0-response": "You explain there are none",
        "scenarios-0-position": "1",
    }
    for impact in campaign.impacts.all():
        data[f"variant_{impact.audience_id}"] = f"For {impact.audience.name}"
    data.update(overrides)
    return data


def test_ic_writes_the_explainer(client_for, ic, campaign, sales):
    response = client_for(ic).post(f"/campaigns/{campaign.pk}/explainer/", _editor_post(campaign))
    assert response.status_code == 302
    explainer = Explainer.objects.get(campaign=campaign)
    assert explainer.publishes_at_embargo
    assert explainer.variants.get(audience=sales).body == "For Sales"
    assert explainer.scenarios.get().situation == "A customer asks about fees"
    assert explainer.publishes_on() == campaign.embargo_until


def test_publish_now_before_embargo_is_a_field_error(client_for, ic, campaign):
    response = client_for(ic).post(
        f"/campaigns/{campaign.pk}/explainer/", _editor_post(campaign, publishing="now")
    )
    assert response.status_code == 200
    assert "The embargo lifts on" in response.content.decode()
    assert not Explainer.objects.filter(campaign=campaign, published_at__isnull=False).exists()


def test_publish_now_after_embargo(client_for, ic, campaign):
    lift_embargo(campaign)
    client_for(ic).post(f"/campaigns/{campaign.pk}/explainer/", _editor_post(campaign, publishing="now"))
    assert Explainer.objects.get(campaign=campaign).is_published()


def test_marketing_reads_but_cannot_edit(client_for, marketing, campaign):
    client = client_for(marketing)
    assert client.get(f"/campaigns/{campaign.pk}/explainer/").status_code == 302
    assert client.get(f"/campaigns/{campaign.pk}/explainer/preview/").status_code == 200
    client.post(f"/campaigns/{campaign.pk}/explainer/", _editor_post(campaign))
    assert not Explainer.objects.filter(campaign=campaign, what_and_why="Why we do it").exists()


def test_other_marketing_is_refused(client_for, other_marketing, campaign):
    assert client_for(other_marketing).get(f"/campaigns/{campaign.pk}/explainer/preview/").status_code == 403


def test_employee_is_refused_the_editor(client_for, employee, campaign):
    assert client_for(employee).get(f"/campaigns/{campaign.pk}/explainer/").status_code == 403


def test_ic_previews_as_a_member_of_an_audience(client_for, ic, explainer, sales, support):
    body = (
        client_for(ic)
        .get(f"/campaigns/{explainer.campaign.pk}/explainer/preview/?audience={sales.pk}")
        .content.decode()
    )
    assert "Sales: explain the new rate" in body
    assert "Support: point callers" not in body
    assert "Preview as a member of Sales" in body


def test_preview_as_an_unaffected_audience_shows_no_variant(client_for, ic, explainer):
    other = Audience.objects.create(name="Finance", department="Finance")
    url = f"/campaigns/{explainer.campaign.pk}/explainer/preview/?audience={other.pk}"
    body = client_for(ic).get(url).content.decode()
    assert "Nothing specific to your team" in body


def test_preview_of_an_unknown_audience_is_404(client_for, ic, explainer):
    url = f"/campaigns/{explainer.campaign.pk}/explainer/preview/?audience=x"
    assert client_for(ic).get(url).status_code == 404


def test_campaign_page_shows_explainer_panel(client_for, ic, explainer):
    ExplainerRead.objects.create(explainer=explainer, user=User.objects.get(username="ian"), is_helpful=True)
    body = client_for(ic).get(explainer.campaign.get_absolute_url()).content.decode()
    assert "Edit explainer" in body
    assert "1 yes, 0 no" in body


def test_second_warned_employee_sees_teaser_too(client_for, employee_ny, approved_campaign):
    deliver(make_stage(approved_campaign), employee_ny)
    assert client_for(employee_ny).get(f"/explainers/{approved_campaign.slug}/").status_code == 200


def test_cancelled_campaign_explainer_is_gone(client_for, employee, warning, explainer):
    lift_embargo(explainer.campaign)
    Campaign.objects.filter(pk=explainer.campaign.pk).update(status=Campaign.Status.CANCELLED)
    assert client_for(employee).get(f"/explainers/{explainer.slug}/").status_code == 404
