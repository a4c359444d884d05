"""A <script>, an onerror handler or a javascript: link in a stage body does not run in IC's preview."""

from __future__ import annotations

from django.urls import reverse

from rollout.models import RolloutStage
from rollout.tests.engine import make_running_campaign, stage_of
from tests.browser.conftest import BROWSER, sign_in

pytestmark = BROWSER

HOSTILE_BODY = (
    "Hello {{ first_name }},\n\n"
    "<script>window.ranScript = true; alert('script')</script>\n\n"
    '<img src="/no-such-image.png" onerror="window.ranOnerror = true">\n\n'
    '<a id="bait" href="javascript:window.ranLink = true">Read more</a>'
)


def test_it_runs_no_script_from_a_stage_body_in_the_preview(page, live_server, ic, marketing, sales):
    campaign = make_running_campaign(marketing, sales)
    stage = stage_of(campaign, RolloutStage.Kind.REMINDER)
    stage.body = HOSTILE_BODY
    stage.save(update_fields=["body"])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in(page, live_server.url, ic.username)
    page.goto(live_server.url + reverse("stage_preview", args=[campaign.pk, stage.pk]))
    page.wait_for_load_state("load")
    page.locator(".preview-body").get_by_text("Read more").click()

    assert page.locator(".preview-body").get_by_text("Hello Ian").is_visible()
    ran = page.evaluate("() => [window.ranScript, window.ranOnerror, window.ranLink]")
    assert ran == [None, None, None]
    assert dialogs == []
