"""HTML typed into a stage body reaches no browser or mail client unsanitised: preview, email, inbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from explainers.tests.conftest import deliver, make_stage
from rollout.models import RolloutStage
from rollout.tests.engine import stage_of, tick

pytestmark = pytest.mark.django_db

HOSTILE_BODY = (
    "Hello {{ first_name }},\n\n"
    "<script>alert('stage')</script>\n\n"
    '<img src="x" onerror="alert(\'img\')">\n\n'
    "<a href=\"javascript:alert('link')\">Read more</a> and <strong>welcome</strong>."
)


def assert_harmless(html: str) -> None:
    """No script from the body, no event handler, no javascript: URL; allowed markup stays."""
    assert "alert('stage')" not in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<strong>welcome</strong>" in html


def test_it_strips_script_handlers_and_javascript_links_from_the_stage_preview(client_for, ic, running):
    stage = stage_of(running, RolloutStage.Kind.REMINDER)
    stage.body = HOSTILE_BODY
    stage.save(update_fields=["body"])
    page = client_for(ic).get(reverse("stage_preview", args=[running.pk, stage.pk])).content.decode()
    assert "Hello Ian" in page
    assert_harmless(page)


def test_it_strips_script_handlers_and_javascript_links_from_the_email_html_part(
    running, employee, mailoutbox
):
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    stage.body = HOSTILE_BODY
    stage.save(update_fields=["body"])
    tick(stage.send_at)
    (email,) = mailoutbox
    html = email.alternatives[0].content
    assert "Hello Emma" in html
    assert_harmless(html)


def test_it_strips_script_handlers_and_javascript_links_from_the_inbox_item(client_for, employee, running):
    delivery = deliver(make_stage(running, body=HOSTILE_BODY), employee)
    page = client_for(employee).get(delivery.get_absolute_url()).content.decode()
    assert "Hello Emma" in page
    assert_harmless(page)


@pytest.mark.parametrize(
    "template",
    [
        "rollout/stage_preview.html",
        "explainers/inbox_item.html",
        "explainers/inbox.html",
        "explainers/_home_inbox.html",
        "rollout/email/stage_body.html",
    ],
)
def test_templates_showing_a_stage_cannot_print_it_unescaped(template):
    """Only the composer's sanitised html is safe; a template cannot switch escaping off for the rest."""
    source = (Path(settings.BASE_DIR) / "templates" / template).read_text()
    assert "|safe" not in source
    assert "autoescape off" not in source
