import pytest
from django.urls import reverse

from briefings.tests.conftest import make_briefing

pytestmark = pytest.mark.django_db


def test_campaign_page_shows_a_briefing_without_a_presenter(client_for, marketing, campaign, sales):
    make_briefing(campaign, presenter=None, audiences=[sales], title="Unstaffed session")
    response = client_for(marketing).get(reverse("campaign_detail", args=[campaign.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Unstaffed session" in page
    assert "No presenter yet" in page
