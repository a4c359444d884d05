"""One membership rule: every page and the engine find the same people in an audience.

Rules compare by Unicode lower case on both sides, on SQLite and PostgreSQL alike; accents count.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from briefings.panels import coverage
from briefings.tests.conftest import make_briefing
from campaigns.models import Impact
from conftest import add_impact, make_user
from people.forms import AudienceForm
from people.models import Audience
from planning.readiness import readiness_for
from rollout.tests.engine import GO_LIVE, make_running_campaign, tick


@pytest.fixture
def cafe_zurich(db):
    """Three people in the Café Crème team in Zürich, spelt three ways; two who are not."""
    inside = [
        make_user("ana", department="Café Crème", location="Zürich"),
        make_user("ben", department="CAFÉ CRÈME", location="ZÜRICH"),
        make_user("cleo", department="café crème", location="zürich"),
    ]
    make_user("dan", department="Cafe Creme", location="Zurich")  # no accents: another place
    make_user("eve", department="Café Crème", location="Basel")
    audience = Audience.objects.create(name="Café Zürich", department="cAfÉ cRÈMe, Bakery", location="ZüRICH")
    return audience, {u.username for u in inside}


def test_every_membership_caller_agrees_on_mixed_case_accented_values(marketing, presenter, cafe_zurich):
    audience, expected = cafe_zurich
    campaign = make_running_campaign(marketing, audience)
    by_pk = dict(User.objects.values_list("pk", "username"))

    def names(ids) -> set[str]:
        return {by_pk[pk] for pk in ids}

    # The audience pages: size, sample, the list's sizes, the form's preview.
    assert audience.size == 3
    assert {u.username for u in audience.sample()} == expected
    assert Audience.sizes([audience]) == {audience.pk: 3}
    form = AudienceForm(
        data={"name": "Preview", "kind": "rule", "department": "CAFÉ crème", "location": "zürich"}
    )
    assert form.is_valid(), form.errors
    assert {u.username for u in form.matching_users()} == expected
    # The inbox and explainers: which audiences each person is in.
    assert {u.username for u in User.objects.all() if audience.pk in Audience.ids_for(u)} == expected
    # Dispatch: the early warning reaches exactly these people.
    early = campaign.stages.get(kind="early_warning")
    assert {u.username for u in early.recipients()} == expected
    tick(early.send_at)
    assert names(early.deliveries.values_list("recipient_id", flat=True)) == expected
    # Briefing invitees and the briefing coverage panel.
    briefing = make_briefing(campaign, presenter=presenter, audiences=[audience], starts_at=GO_LIVE)
    briefing.invite_audiences()
    assert names(briefing.invitations.values_list("user_id", flat=True)) == expected
    assert [(row["audience"], row["size"], row["invited"]) for row in coverage(campaign)] == [
        (audience, 3, 3)
    ]
    # Readiness: the audience's size and how many were warned.
    (row,) = readiness_for([campaign], now=GO_LIVE - timedelta(days=1))[0].rows
    assert (row.size, row.warned.done) == (3, 3)


def test_a_rule_with_accents_does_not_match_the_same_word_without_them(db, cafe_zurich):
    audience, _ = cafe_zurich
    plain = Audience.objects.create(name="Plain", department="cafe creme", location="zurich")
    assert {u.username for u in plain.users()} == {"dan"}
    assert audience.pk not in Audience.ids_for(plain.users().get())


def test_list_and_rule_audiences_combine_without_counting_anyone_twice(db, cafe_zurich):
    audience, expected = cafe_zurich
    listed = Audience.objects.create(name="Hand-picked", kind=Audience.Kind.LIST)
    listed.members.set(audience.users())
    assert sorted(u.username for u in Audience.users_in([audience, listed])) == sorted(expected)
    assert Audience.member_ids([audience, listed]) == {
        audience.pk: set(audience.users().values_list("pk", flat=True)),
        listed.pk: set(audience.users().values_list("pk", flat=True)),
    }


def test_low_impact_audiences_still_count_for_readiness_sizes(marketing, cafe_zurich):
    audience, _ = cafe_zurich
    campaign = make_running_campaign(marketing, Audience.objects.create(name="Other", department="Other"))
    add_impact(campaign, audience, Impact.Level.LOW)
    rows = {r.audience.pk: r.size for r in readiness_for([campaign])[0].rows}
    assert rows[audience.pk] == 3
