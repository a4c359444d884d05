"""Opening the explainer editor reads only: the explainer is created when IC first saves it."""

from __future__ import annotations

import pytest

from explainers.models import Explainer, ExplainerVariant, Scenario
from explainers.tests.test_explainer_views import _editor_post

pytestmark = pytest.mark.django_db


def test_it_creates_nothing_when_ic_opens_the_editor(client_for, ic, campaign):
    response = client_for(ic).get(f"/campaigns/{campaign.pk}/explainer/")
    assert response.status_code == 200
    assert "Draft" in response.content.decode()
    assert Explainer.objects.count() == 0


def test_it_creates_the_explainer_with_its_parts_on_the_first_save(client_for, ic, campaign, sales):
    client = client_for(ic)
    client.get(f"/campaigns/{campaign.pk}/explainer/")
    response = client.post(f"/campaigns/{campaign.pk}/explainer/", _editor_post(campaign))
    assert response.status_code == 302
    explainer = Explainer.objects.get(campaign=campaign)
    assert explainer.slug == campaign.slug
    assert ExplainerVariant.objects.get(explainer=explainer, audience=sales).body == "For Sales"
    assert Scenario.objects.get(explainer=explainer).situation == "A customer asks about fees"


def test_it_creates_nothing_when_the_first_save_is_invalid(client_for, ic, campaign):
    data = _editor_post(campaign, **{"scenarios-0-response": ""})
    response = client_for(ic).post(f"/campaigns/{campaign.pk}/explainer/", data)
    assert response.status_code == 200
    assert Explainer.objects.count() == 0
