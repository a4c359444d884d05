"""seed_demo's product launch: five teams' workstreams and IC's, and a near-duplicate the detector catches."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from campaigns.models import Campaign
from workplan import duplicates
from workplan.models import Deliverable, Workstream

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=io.StringIO())
    return Campaign.objects.get(title="Mobile App Relaunch")


def test_the_launch_has_five_team_workstreams_and_ics(seeded):
    names = {w.name for w in Workstream.objects.filter(campaign=seeded).select_related("team")}
    assert names == {"PR", "Content", "Design", "Events", "Digital marketing", "Internal communications"}
    assert seeded.brief.objectives.count() == 2 and seeded.brief.channels.filter(kind="paid").count() == 2


def test_the_detector_catches_the_demo_near_duplicate(seeded):
    gia_brief = Deliverable.objects.get(title="Influencer brief: app relaunch")
    draft = duplicates.Draft(
        gia_brief.title, gia_brief.description, gia_brief.type, gia_brief.channel, gia_brief.due_at
    )
    matches = duplicates.duplicates_for(
        draft, seeded, gia_brief.workstream.team_id, gia_brief.owner, exclude_pk=gia_brief.pk
    )
    assert [m.deliverable.title for m in matches] == ["Influencer outreach brief"]


def test_one_deliverable_is_due_before_its_dependency(seeded):
    flagged = [
        d.title for d in Deliverable.objects.filter(workstream__campaign=seeded) if d.dependencies_due_later()
    ]
    assert flagged == ["Paid social campaign"]
