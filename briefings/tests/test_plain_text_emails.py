"""Briefing emails: subjects and text parts are plain text, never HTML-escaped, never more than one line."""

import pytest

from briefings import notices
from briefings.notices import build_message
from briefings.tests.conftest import invite

pytestmark = pytest.mark.django_db

TITLE = "Emma's & Noah's <Q&A> session"


@pytest.mark.parametrize("kind", notices.KINDS)
def test_it_writes_subjects_as_plain_text_without_html_entities(briefing, employee, kind):
    briefing.title = TITLE
    (invitation,) = invite(briefing, employee)
    message = build_message(briefing, invitation, kind)
    assert TITLE in message.subject
    assert "&#x27;" not in message.subject
    assert "&amp;" not in message.subject


@pytest.mark.parametrize("kind", notices.KINDS)
def test_it_writes_the_text_part_as_plain_text_and_escapes_the_html_part(briefing, employee, kind):
    briefing.title = TITLE
    briefing.place = "Room <b>4</b> & 5"
    (invitation,) = invite(briefing, employee)
    message = build_message(briefing, invitation, kind)
    assert TITLE in message.body
    assert "&#x27;" not in message.body
    html = message.alternatives[0][0]
    assert TITLE not in html
    assert "Emma&#x27;s &amp; Noah&#x27;s &lt;Q&amp;A&gt; session" in html


@pytest.mark.parametrize("kind", notices.KINDS)
def test_it_keeps_a_subject_on_one_line_whatever_the_title_holds(briefing, employee, kind):
    briefing.title = "Session\r\nBcc: everyone@example.com"
    (invitation,) = invite(briefing, employee)
    message = build_message(briefing, invitation, kind)
    assert "\n" not in message.subject
    assert "\r" not in message.subject
    assert message.message()["Bcc"] is None
