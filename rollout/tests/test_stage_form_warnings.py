"""The stage form warns before saving a stage that overloads an audience, like the briefing and
comms-item forms: the person sees the warning and must tick "Save anyway"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from planning.tests.conftest import make_comms
from rollout.models import RolloutStage
from rollout.tests.engine import GO_LIVE

pytestmark = pytest.mark.django_db
SEND_AT = GO_LIVE - timedelta(days=2)  # what stage_data() asks for: 2 days before go-live


def stage_data(**overrides) -> dict:
    data = {
        "kind": RolloutStage.Kind.CUSTOM,
        "days": 2,
        "hours": 0,
        "minutes": 0,
        "direction": "before",
        "channels": ["in_app"],
        "subject": "Heads up, {{ first_name }}",
        "body": "{{ concept }}",
    }
    data.update(overrides)
    return data


@pytest.fixture
def busy_week(sales):
    """Sales already has three announcements (its cap) in the week of the new stage: a comms item, and
    the default plan's briefing invitation and reminder (no audiences of their own, so they go to
    Sales, the campaign's high impact audience)."""
    return [make_comms(SEND_AT + timedelta(hours=1), [sales], title="Item 1")]


def test_stage_form_warns_before_pushing_an_audience_over_its_cap(client_for, ic, running, sales, busy_week):
    before = running.stages.count()
    response = client_for(ic).post(reverse("stage_add", args=[running.pk]), stage_data(audiences=[sales.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Before you save: 1 warning" in page
    assert "this would be announcement 4" in page and "Email: Item 1" in page
    assert running.stages.count() == before


def test_a_stage_for_the_campaigns_impacts_warns_for_those_audiences(client_for, ic, running, busy_week):
    response = client_for(ic).post(reverse("stage_add", args=[running.pk]), stage_data())
    assert response.status_code == 200
    assert "<strong>Sales:</strong>" in response.content.decode()


def test_the_stage_saves_once_the_warning_is_confirmed(client_for, ic, running, sales, busy_week):
    before = running.stages.count()
    response = client_for(ic).post(
        reverse("stage_add", args=[running.pk]), stage_data(audiences=[sales.pk], confirm_conflicts="on")
    )
    assert response.status_code == 302
    assert running.stages.count() == before + 1


def test_editing_a_stage_does_not_count_it_against_itself(client_for, ic, running, sales, busy_week):
    busy_week[0].delete()  # two announcements that week: the stage being edited makes three
    stage = running.stages.create(
        kind=RolloutStage.Kind.CUSTOM, offset_minutes=-2 * 24 * 60, channels=["in_app"], subject="S", body="B"
    )
    stage.audiences.set([sales])
    response = client_for(ic).post(
        reverse("stage_edit", args=[running.pk, stage.pk]), stage_data(audiences=[sales.pk])
    )
    assert response.status_code == 302
