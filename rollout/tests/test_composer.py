"""Rendering a stage for one person: placeholders, their zone, embargo-safe details, multipart email."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rollout import composer
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of

pytestmark = pytest.mark.django_db


def custom_stage(
    campaign, body: str, subject: str = "Hi {{ first_name }}", offset_minutes: int = 0
) -> RolloutStage:
    return RolloutStage.objects.create(
        campaign=campaign, offset_minutes=offset_minutes, channels=["email"], subject=subject, body=body
    )


def test_placeholders_render_for_the_recipient(running, employee):
    stage = custom_stage(running, "{{ first_name }}: {{ campaign_title }} — {{ concept }}")
    rendered = composer.render_stage(stage, employee, at=GO_LIVE)
    assert rendered.subject == "Hi Emma"
    assert rendered.text == f"Emma: {running.title} — {running.concept}"


def test_dates_are_in_the_recipients_zone(running, employee, employee_ny):
    stage = custom_stage(running, "{{ go_live }}")
    assert composer.render_stage(stage, employee).text == "Monday 1 June 2026, 10:00 BST"
    assert composer.render_stage(stage, employee_ny).text == "Monday 1 June 2026, 05:00 EDT"


def test_details_are_withheld_while_embargoed(running, employee):
    stage = custom_stage(running, "{{ details }}")
    before = composer.render_stage(stage, employee, at=GO_LIVE - timedelta(minutes=1)).text
    assert running.details not in before
    assert "More detail on" in before
    assert composer.render_stage(stage, employee, at=GO_LIVE).text == running.details


@pytest.mark.parametrize(
    "body", ["{{ details }}", "{{details|upper}}", "{% if details %}x{% endif %}", "Hi {{ details }}"]
)
def test_any_use_of_details_reveals_details(running, body):
    assert composer.stage_reveals_details(custom_stage(running, body))


def test_the_word_details_in_plain_text_does_not_reveal_details(running):
    assert not composer.stage_reveals_details(custom_stage(running, "More details follow. {{ concept }}"))


def test_html_part_escapes_campaign_text(running, employee):
    running.concept = "<script>alert(1)</script>"
    running.save()
    html = composer.render_stage(custom_stage(running, "{{ concept }}"), employee).html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_template_cannot_reach_beyond_its_placeholders(running, employee):
    stage = custom_stage(running, "{{ user.password }}{% include 'base.html' %}")
    with pytest.raises(Exception):  # noqa: B017 - no loader: include fails instead of reading files
        composer.render_stage(stage, employee)


def test_email_is_multipart_with_stable_message_id_and_inbox_link(running, employee, settings):
    settings.SITE_URL = "https://hub.example.com"
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    delivery = Delivery.objects.create(stage=stage, recipient=employee, channel="email")
    email = composer.build_email(stage, employee, delivery=delivery, at=GO_LIVE)
    assert email.extra_headers["Message-ID"] == f"<{delivery.message_id}@hub.example.com>"
    assert email.alternatives[0].mimetype == "text/html"
    assert f"https://hub.example.com/inbox/{delivery.pk}/" in email.body
    assert f"https://hub.example.com/inbox/{delivery.pk}/" in email.alternatives[0].content
    assert email.subject == f"Coming soon: {running.title}"
    assert email.from_email == "campaignhub@localhost"


def test_early_warning_says_when_more_detail_follows(running, employee):
    text = composer.render_stage(stage_of(running, RolloutStage.Kind.EARLY_WARNING), employee).text
    assert "More detail follows on Monday 1 June 2026, 10:00 BST" in text
    assert running.concept in text


def test_attachment_providers_add_files(running, employee, monkeypatch):
    monkeypatch.setattr(composer, "_attachment_providers", [])
    composer.register_attachment_provider(
        lambda stage, person: [("invite.ics", "BEGIN:VCALENDAR", "text/calendar")]
    )
    email = composer.build_email(stage_of(running, RolloutStage.Kind.BRIEFING_INVITATION), employee)
    assert email.attachments[0][0] == "invite.ics"
