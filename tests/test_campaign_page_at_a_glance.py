"""The campaign page at a glance: summary header, section links, the timeline picture with its
text equivalent, subjects rendered for a sample recipient, and a query count that does not grow
with stages or briefings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from planning.tests.conftest import make_briefing, make_stage
from rollout.models import Delivery
from tests.layout_queries import layout_queries

pytestmark = pytest.mark.django_db

# What the page itself fetches beyond the layout, whatever the number of stages, briefings and
# people (the goal: layout + 20): campaign (+ impacts), explainer panel, rollout (stages with
# counts, their audiences; the latest failures only when a stage's counts show some), briefings
# (sessions, coverage 3), planning warnings (6: stages, audiences with their caps, the weeks'
# entries 3, their campaigns; the sessions come from the coverage panel), readiness (3: flags,
# every count in one query, planned warnings), teams, key messages, assets. No visibility query for
# internal communications, who see every campaign (marketing: one more). The change history, which
# grows with every edit, has its own page (campaign_history).
PAGE_QUERIES = 20


def _count(client, campaign) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(campaign.get_absolute_url()).status_code == 200
    return len(ctx.captured_queries)


def _grow(campaign, sales, presenter, n):
    for i in range(n):
        make_stage(campaign, campaign.go_live_at - timedelta(days=20, hours=i), [sales], subject=f"Stage {i}")
        make_briefing(campaign, timezone.now() + timedelta(days=2, hours=i), [sales], presenter=presenter)


def test_the_campaign_page_costs_the_same_with_200_stages_and_briefings(
    client_for, ic, campaign, sales, employee, presenter, django_assert_num_queries
):
    client = client_for(ic)
    _grow(campaign, sales, presenter, 2)
    client.get(campaign.get_absolute_url())
    few = _count(client, campaign)
    _grow(campaign, sales, presenter, 198)
    with django_assert_num_queries(few):
        client.get(campaign.get_absolute_url())
    assert few == layout_queries(ic) + PAGE_QUERIES


def test_the_summary_header_says_status_go_live_embargo_and_readiness(
    client_for, marketing, campaign, employee
):
    body = client_for(marketing).get(campaign.get_absolute_url()).content.decode()
    header = body[body.index('aria-label="At a glance"') : body.index('aria-label="Campaign sections"')]
    for fact in ("Status", "Go-live", "Embargo", "Readiness", "Draft", "Embargoed", "Green: on track"):
        assert fact in header


def test_sections_are_linked_from_a_menu_that_needs_no_script(client_for, ic, campaign):
    body = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    nav = body[body.index('aria-label="Campaign sections"') :]
    for anchor in (
        "#facts-h",
        "#panel-rollout",
        "#panel-briefing_coverage",
        "#panel-readiness",
        "#history-h",
    ):
        assert f'href="{anchor}"' in nav
        assert f'id="{anchor[1:]}"' in body


def test_the_timeline_picture_marks_embargo_go_live_today_and_links_each_stage(
    client_for, ic, campaign, sales
):
    session = make_briefing(campaign, timezone.now() + timedelta(days=3), [sales])
    body = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    svg = body[
        body.index('<svg class="timeline-chart"') : body.index(
            "</svg>", body.index('<svg class="timeline-chart"')
        )
    ]
    assert "Go-live" in svg and "Today" in svg
    first = campaign.stages.order_by("send_at").first()
    assert f'href="#stage-{first.pk}"' in svg and f'id="stage-{first.pk}"' in body
    assert f'href="/briefings/{session.pk}/"' in svg  # the Briefings lane
    assert "The timeline as a table" in body


def test_subjects_show_as_a_recipient_reads_them_not_as_placeholders(client_for, ic, campaign):
    body = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    assert "<dd>Coming soon: Spring Savings" in body


def test_a_subject_never_shows_details_before_its_stage_sends_after_the_embargo(
    client_for, ic, campaign, sales
):
    stage = make_stage(campaign, campaign.go_live_at - timedelta(days=2), [sales])
    stage.subject = "Before: {{ details }}"
    stage.save()
    body = client_for(ic).get(campaign.get_absolute_url()).content.decode()
    assert "Before: (More detail on" in body


def test_the_charts_page_draws_funnel_trend_and_reach_with_text(client_for, ic, campaign, sales, employee):
    stage = make_stage(
        campaign, timezone.now() - timedelta(days=2), [sales], kind="early_warning", state="sent"
    )
    stage.sent_at = timezone.now() - timedelta(days=2)
    stage.save()
    Delivery.objects.create(
        stage=stage,
        recipient=employee,
        channel="in_app",
        status="sent",
        sent_at=stage.sent_at,
        read_at=timezone.now(),
    )
    body = client_for(ic).get(f"/campaigns/{campaign.pk}/charts/").content.decode()
    assert 'role="img" aria-label="Sales (high impact, 1 people): Warned 100% (1 of 1)' in body
    assert "The trend as a table" in body
    assert "Early warning, sent" in body and "opened in-app 1" in body


def test_the_charts_page_is_for_the_campaign_managers_only(client_for, employee, other_marketing, campaign):
    assert client_for(employee).get(f"/campaigns/{campaign.pk}/charts/").status_code == 403
    assert client_for(other_marketing).get(f"/campaigns/{campaign.pk}/charts/").status_code == 403
