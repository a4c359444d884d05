"""Email subjects are plain text on one line: no HTML entities, no header injection."""

from __future__ import annotations

import pytest

from rollout.models import RolloutStage
from rollout.tests.engine import stage_of, tick

pytestmark = pytest.mark.django_db


def send_early_warning(campaign, subject: str) -> None:
    stage = stage_of(campaign, RolloutStage.Kind.EARLY_WARNING)
    stage.subject = subject
    stage.save(update_fields=["subject"])
    tick(stage.send_at)


def test_it_sends_an_apostrophe_and_ampersand_in_the_subject_as_typed(running, employee, mailoutbox):
    running.title = "Tea & Cake"
    running.save(update_fields=["title"])
    send_early_warning(running, "You're invited: {{ campaign_title }}")
    (email,) = mailoutbox
    assert email.subject == "You're invited: Tea & Cake"
    assert email.message()["Subject"] == "You're invited: Tea & Cake"


def test_it_keeps_the_subject_escaped_in_the_html_part(running, employee, mailoutbox):
    send_early_warning(running, "You're invited <b>now</b>")
    html = mailoutbox[0].alternatives[0].content
    assert "<title>You&#x27;re invited &lt;b&gt;now&lt;/b&gt;</title>" in html


def test_a_newline_in_a_subject_cannot_add_a_header(running, employee, mailoutbox):
    running.title = "Promo\r\nBcc: eve@example.com"
    running.save(update_fields=["title"])
    send_early_warning(running, "News: {{ campaign_title }}\nX-Injected: yes")
    message = mailoutbox[0].message()
    assert message["Bcc"] is None
    assert message["X-Injected"] is None
    assert message["Subject"] == "News: Promo Bcc: eve@example.com X-Injected: yes"
    assert mailoutbox[0].recipients() == [employee.email]
