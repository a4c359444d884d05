"""Duplicating a campaign, or starting one from an earlier campaign: a new draft with the content and
the plan moved to the new go-live, and nothing of what happened to the original."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing
from campaigns.models import Asset, Campaign, Impact
from campaigns.tests.conftest import local_input
from conftest import add_impact, make_campaign
from rollout.dispatch import dispatch_due
from rollout.models import Delivery, RolloutStage
from tests.layout_queries import layout_queries

DAY = timedelta(days=1)


@pytest.fixture
def source(marketing, sales, support, other_marketing):
    """Mia's approved campaign: embargo 2 days before go-live, messages, impacts, assets, a plan."""
    go_live = timezone.now().replace(second=0, microsecond=0) + 30 * DAY
    c = make_campaign(
        marketing,
        title="Spring Savings",
        go_live_at=go_live,
        embargo_until=go_live - 2 * DAY,
        objectives="10k savers",
        external_channels=["social"],
    )
    c.set_key_messages(["Rates drop", "Families first"])
    add_impact(c, sales, Impact.Level.HIGH, what_changes="New rates", what_to_do="Read the FAQ")
    add_impact(c, support, Impact.Level.LOW, what_changes="More calls", what_to_do="")
    Asset.objects.create(campaign=c, kind=Asset.Kind.LINK, url="https://example.com/a", caption="Poster")
    other = make_campaign(other_marketing, title="Brand book", go_live_in=-DAY, embargo_until=None)
    shared = Asset.objects.create(
        campaign=other, kind=Asset.Kind.LINK, url="https://example.com/b", caption="Logo"
    )
    shared.reuse_in(c, marketing)
    stage = c.stages.order_by("send_at").first()
    stage.audiences.set([support])
    c.status = Campaign.Status.APPROVED
    c.review_comment = "Looks good"
    c.save()
    return c


def duplicate_via_page(client, source, title="Autumn Savings", go_live=None):
    go_live = go_live or timezone.now().replace(second=0, microsecond=0) + 60 * DAY
    response = client.post(
        reverse("campaign_duplicate", args=[source.pk]), {"title": title, "go_live_at": local_input(go_live)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Campaign.objects.get(title=title), go_live


def test_duplicate_copies_content_and_shifts_plan_to_new_go_live(client_for, marketing, source, support):
    copy, go_live = duplicate_via_page(client_for(marketing), source)

    assert copy.go_live_at == go_live and copy.owner == marketing
    assert (copy.concept, copy.details, copy.objectives) == (
        source.concept,
        source.details,
        source.objectives,
    )
    assert copy.external_channels == ["social"]
    assert set(copy.teams.all()) == set(source.teams.all())
    assert copy.ordered_key_messages() == ["Rates drop", "Families first"]
    assert sorted((i.audience.name, i.level, i.what_changes, i.what_to_do) for i in copy.impacts.all()) == [
        ("Sales", "high", "New rates", "Read the FAQ"),
        ("Support", "low", "More calls", ""),
    ]
    # The library's assets are linked, not copied: no new Asset rows, both shown on the copy.
    assert set(Asset.objects.shown_with(copy).values_list("caption", flat=True)) == {"Poster", "Logo"}
    assert Asset.objects.filter(campaign=copy).count() == 0
    old = [(s.kind, s.offset_minutes, s.subject, s.send_at - source.go_live_at) for s in source.stages.all()]
    new = [(s.kind, s.offset_minutes, s.subject, s.send_at - copy.go_live_at) for s in copy.stages.all()]
    assert new == old and len(new) >= 3
    first = copy.stages.order_by("send_at").first()
    assert list(first.audiences.all()) == [support]


def test_duplicate_keeps_embargo_offset(client_for, marketing, source):
    copy, go_live = duplicate_via_page(client_for(marketing), source)

    assert copy.embargo_until == go_live - 2 * DAY
    assert copy.is_embargoed()


def test_duplicate_is_a_draft_with_no_deliveries_approvals_or_briefings(
    client_for, marketing, employee, source, sales
):
    sent = source.stages.order_by("send_at").first()
    RolloutStage.objects.filter(pk=sent.pk).update(state=RolloutStage.State.SENT, sent_at=timezone.now())
    Delivery.objects.create(stage=sent, recipient=employee, channel="in_app", status=Delivery.Status.SENT)
    Briefing.objects.create(
        campaign=source, title="Town hall", starts_at=source.go_live_at - DAY, ends_at=source.go_live_at
    )

    copy, _ = duplicate_via_page(client_for(marketing), source)

    assert copy.status == Campaign.Status.DRAFT and copy.review_comment == ""
    assert not copy.briefings.exists()
    assert not Delivery.objects.filter(stage__campaign=copy).exists()
    assert {s.state for s in copy.stages.all()} <= {RolloutStage.State.PLANNED, RolloutStage.State.HELD}
    assert not copy.stages.filter(sent_at__isnull=False).exists()
    # Drafts never dispatch: even once every stage's time has come, nothing goes out for the copy.
    queued = []
    with time_machine.travel(copy.go_live_at + 30 * DAY, tick=False):
        dispatch_due(enqueue=queued.append)
    copy_deliveries = set(Delivery.objects.filter(stage__campaign=copy).values_list("pk", flat=True))
    assert not copy_deliveries.intersection(pk for chunk in queued for pk in chunk)
    assert not Delivery.objects.filter(stage__campaign=copy).exists()
    assert not copy.stages.filter(state=RolloutStage.State.SENT).exists()


def test_duplicate_history_says_where_it_came_from(client_for, marketing, source):
    copy, _ = duplicate_via_page(client_for(marketing), source)

    assert [h.history_change_reason for h in copy.history.all()] == ["Duplicated from “Spring Savings”"]
    page = client_for(marketing).get(reverse("campaign_history", args=[copy.pk])).content.decode()
    assert "Duplicated from “Spring Savings”" in page


def test_employee_cannot_duplicate(client_for, employee, source):
    client = client_for(employee)
    url = reverse("campaign_duplicate", args=[source.pk])

    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"title": "Leak", "go_live_at": local_input(source.go_live_at)}).status_code == 403
    )
    assert client.get(reverse("campaign_start_from_earlier")).status_code == 403
    assert "/duplicate/" not in client.get(reverse("home")).content.decode()
    assert not Campaign.objects.filter(title="Leak").exists()


def test_another_team_cannot_duplicate_an_embargoed_campaign(client_for, other_marketing, source):
    url = reverse("campaign_duplicate", args=[source.pk])

    assert client_for(other_marketing).get(url).status_code == 403
    assert client_for(other_marketing).get(reverse("campaign_duplicate", args=[999999])).status_code == 404


def test_campaign_page_offers_duplicate_to_those_who_may_edit(client_for, marketing, ic, source):
    url = reverse("campaign_duplicate", args=[source.pk])
    assert url in client_for(marketing).get(source.get_absolute_url()).content.decode()
    assert url in client_for(ic).get(source.get_absolute_url()).content.decode()


def test_duplicate_form_prefills_title_and_refuses_a_past_go_live(client_for, marketing, source):
    client = client_for(marketing)
    url = reverse("campaign_duplicate", args=[source.pk])
    assert 'value="Copy of Spring Savings"' in client.get(url).content.decode()

    response = client.post(url, {"title": "Late", "go_live_at": local_input(timezone.now() - DAY)})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_go_live_at"' in page and "Go-live must be in the future." in page
    assert not Campaign.objects.filter(title="Late").exists()


DUPLICATE_FORM_QUERIES = 2  # the campaign, and whether this person may see it (its owner may edit it)


def test_duplicate_form_page_query_count(client_for, marketing, source, django_assert_num_queries):
    client = client_for(marketing)
    url = reverse("campaign_duplicate", args=[source.pk])
    client.get(url)
    with django_assert_num_queries(layout_queries(marketing) + DUPLICATE_FORM_QUERIES):
        assert client.get(url).status_code == 200


def test_start_from_earlier_lists_only_campaigns_i_may_edit_and_searches_by_title(
    client_for, marketing, other_marketing, source
):
    make_campaign(other_marketing, title="Their Secret Launch")
    client = client_for(marketing)

    page = client.get(reverse("campaign_start_from_earlier")).content.decode()
    assert "Spring Savings" in page and "Their Secret Launch" not in page
    assert reverse("campaign_duplicate", args=[source.pk]) in page
    assert (
        "Spring Savings"
        not in client.get(reverse("campaign_start_from_earlier"), {"q": "winter"}).content.decode()
    )
    assert "start from an earlier campaign" in client.get(reverse("campaign_create")).content.decode()


def test_a_closed_campaign_can_still_be_used_as_a_starting_point(client_for, marketing, source):
    Campaign.objects.filter(pk=source.pk).update(status=Campaign.Status.CLOSED)
    source.stages.update(state=RolloutStage.State.SENT, sent_at=timezone.now())

    copy, _ = duplicate_via_page(client_for(marketing), source)

    assert copy.status == Campaign.Status.DRAFT
    assert copy.stages.count() == source.stages.count()
    assert not copy.stages.filter(state=RolloutStage.State.SENT).exists()
