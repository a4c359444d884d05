"""One error pattern on every form page: a linked summary at the top whose links reach real fields.

Each page gets a POST it must refuse; the page that comes back names the problems in
#error-summary, and every link there points at an element of the page (the field, or its group).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Invitation
from briefings.tests.conftest import invite, make_briefing
from campaigns.models import Campaign
from explainers.models import Explainer

pytestmark = pytest.mark.django_db


def summary_links(html: str) -> list[str]:
    start = html.index('id="error-summary"')
    summary = html[start : html.index("</div>", start)]
    return re.findall(r'href="#([^"]+)"', summary)


def assert_summary_reaches_fields(response) -> None:
    html = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    assert 'id="error-summary"' in html, "no error summary"
    links = summary_links(html)
    assert links, "the summary links to nothing"
    for anchor in links:
        assert f'id="{anchor}"' in html, f"the summary links to #{anchor}, which is not on the page"


@pytest.fixture
def approved(campaign) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.APPROVED)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def pages(approved, presenter, employee, sales):
    """(who, url, invalid data) for each form page."""
    briefing = make_briefing(approved, presenter=presenter, audiences=[sales], starts_in=timedelta(days=-1))
    Invitation.objects.filter(pk=invite(briefing, employee)[0].pk).update(attended_at=timezone.now())
    Explainer.objects.create(campaign=approved, slug=approved.slug, what_and_why="Why")
    pk = approved.pk
    return [
        ("marketing", reverse("campaign_create"), {"title": ""}),
        ("marketing", reverse("campaign_edit", args=[pk]), {"title": ""}),
        ("ic", reverse("stage_add", args=[pk]), {"kind": "nonsense"}),
        ("ic", reverse("audience_create"), {"name": ""}),
        ("employee", reverse("account"), {"time_zone": "Mars/Olympus"}),
        ("employee", reverse("password_change"), {"old_password": "wrong"}),
        ("anonymous", reverse("login"), {"username": "nobody", "password": "wrong"}),
        ("anonymous", reverse("password_reset"), {"email": "not an address"}),
        ("anonymous", reverse("signin_link_request"), {"email": "not an address"}),
        ("ic", reverse("briefing_new", args=[pk]), {"title": ""}),
        ("ic", reverse("briefing_edit", args=[briefing.pk]), {"title": ""}),
        ("ic", reverse("briefing_cancel", args=[briefing.pk]), {}),
        ("ic", reverse("briefing_pack_edit", args=[briefing.pk]), {"pack_assets": ["x"]}),
        ("employee", reverse("briefing_feedback", args=[briefing.pk]), {"feeling": "99"}),
        ("presenter", reverse("briefing_delivered", args=[briefing.pk]), {"notes": "x" * 5001}),
        ("ic", reverse("explainer_edit", args=[pk]), {"publishing": "whenever"}),
        ("ic", reverse("comms_item_create"), {"title": ""}),
        ("ic", reverse("readiness_targets", args=[pk]), {"warned": "200"}),
        ("marketing", reverse("brief_edit", args=[pk]), {"creatives": ["x"]}),
        ("marketing", reverse("deliverable_add", args=[pk]), {"title": ""}),
    ]


def test_every_form_page_links_its_errors_from_the_summary(
    client_for, marketing, ic, presenter, employee, pages, client
):
    people = {"marketing": marketing, "ic": ic, "presenter": presenter, "employee": employee}
    failures = []
    for who, url, data in pages:
        web = client_for(people[who]) if who in people else client
        try:
            assert_summary_reaches_fields(web.post(url, data))
        except AssertionError as exc:
            failures.append(f"{who} {url}: {exc}")
    assert not failures, "\n".join(failures)
