"""The campaign brief: edited by the campaign's editors, its changes kept, and each person told
what changed since they last looked."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from workplan.models import BriefChannel, CampaignBrief

pytestmark = pytest.mark.django_db


def brief_data(**overrides) -> dict:
    data = {
        "positioning": "The simplest savings app for young families.",
        "main_message": "Save without thinking about it.",
        "target_customers": "Parents aged 25-40 who bank on their phone.",
        "objectives-TOTAL_FORMS": "1",
        "objectives-INITIAL_FORMS": "0",
        "objectives-0-description": "Grow sign-ups",
        "objectives-0-metric": "new accounts",
        "objectives-0-target": "10000",
        "objectives-0-unit": "accounts",
        "channels-TOTAL_FORMS": "2",
        "channels-INITIAL_FORMS": "0",
        "channels-0-kind": "paid",
        "channels-0-name": "Instagram ads",
        "channels-0-budget_cap": "25000",
        "channels-0-pricing": "cpm",
        "channels-0-rate": "6.50",
        "channels-1-kind": "earned",
        "channels-1-name": "Consumer press",
        "channels-1-budget_cap": "",
        "channels-1-pricing": "",
        "channels-1-rate": "",
    }
    data.update(overrides)
    return data


def test_the_owner_writes_the_brief(client_for, marketing, launch):
    response = client_for(marketing).post(f"/campaigns/{launch.pk}/workplan/brief/edit/", brief_data())
    assert response.status_code == 302
    brief = CampaignBrief.objects.get(campaign=launch)
    assert brief.objectives.get().target == 10000
    paid = brief.channels.get(kind="paid")
    assert (paid.budget_cap, paid.pricing, paid.rate) == (25000, "cpm", pytest.approx(6.5))


def test_cpc_or_cpm_is_for_paid_channels_only(client_for, marketing, launch):
    response = client_for(marketing).post(
        f"/campaigns/{launch.pk}/workplan/brief/edit/", brief_data(**{"channels-1-pricing": "cpc"})
    )
    assert response.status_code == 200
    assert "pricing" in response.context["channels"].forms[1].errors
    assert not BriefChannel.objects.exists()


def test_a_negative_target_is_refused(client_for, marketing, launch):
    response = client_for(marketing).post(
        f"/campaigns/{launch.pk}/workplan/brief/edit/", brief_data(**{"objectives-0-target": "-5"})
    )
    assert "target" in response.context["objectives"].forms[0].errors


def test_other_teams_read_the_brief_but_do_not_edit_it(
    client_for, marketing, other_marketing, outsider, launch
):
    client_for(marketing).post(f"/campaigns/{launch.pk}/workplan/brief/edit/", brief_data())
    # Omar's team is on the campaign, so he may edit it like any campaign editor.
    assert client_for(other_marketing).get(f"/campaigns/{launch.pk}/workplan/brief/").status_code == 200
    assert client_for(outsider).get(f"/campaigns/{launch.pk}/workplan/brief/").status_code == 403
    assert client_for(outsider).get(f"/campaigns/{launch.pk}/workplan/brief/edit/").status_code == 403


def test_a_team_lead_sees_what_changed_since_they_last_looked(
    client_for, marketing, other_marketing, launch, client
):
    client_for(marketing).post(f"/campaigns/{launch.pk}/workplan/brief/edit/", brief_data())
    client.force_login(other_marketing)
    first = client.get(f"/campaigns/{launch.pk}/workplan/brief/")
    assert first.context["changes"] == []  # nothing to compare with on a first visit
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        client.force_login(marketing)
        client.post(
            f"/campaigns/{launch.pk}/workplan/brief/edit/",
            brief_data(
                main_message="Saving, on autopilot.",
                **{"objectives-TOTAL_FORMS": "0", "channels-TOTAL_FORMS": "0"},
            ),
        )
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        client.force_login(other_marketing)
        html = client.get(f"/campaigns/{launch.pk}/workplan/brief/").content.decode()
        assert "Changed since you last looked" in html
        assert "Save without thinking about it." in html and "Saving, on autopilot." in html
        again = client.get(f"/campaigns/{launch.pk}/workplan/brief/")
    assert again.context["changes"] == []
    assert "No changes since you last looked" in again.content.decode()
