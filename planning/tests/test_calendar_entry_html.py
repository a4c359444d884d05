"""The calendar's entry tags draw the same escaped HTML as before they used format_html."""

from __future__ import annotations

from types import SimpleNamespace

from planning.templatetags.planning_tags import cal_entry, cal_list_row


def entry(**fields) -> SimpleNamespace:
    defaults = {
        "url": "/campaigns/1/?a=1&b=2",
        "title": "Tom & Jerry <b>",
        "is_embargoed": True,
        "is_masked": False,
        "concept": 'Say "hi"',
        "entry": SimpleNamespace(kind="stage"),
        "label": "Stage <1>",
        "time_text": "09:00",
        "audience_text": "Sales & Support",
        "channel_text": "Email",
    }
    return SimpleNamespace(**{**defaults, **fields})


WHAT = (
    '<span class="cal-kind cal-stage">Stage &lt;1&gt;</span> '
    '<a href="/campaigns/1/?a=1&amp;b=2">Tom &amp; Jerry &lt;b&gt;</a>'
    ' <span class="pill pill-held">embargoed</span><span class="cal-concept">Say &quot;hi&quot;</span>'
)


def test_it_draws_a_month_cell_entry_escaped():
    assert cal_entry(entry()) == f"<time>09:00</time> {WHAT}"


def test_it_draws_a_list_row_escaped():
    assert cal_list_row(entry()) == (
        f'<tr><td class="cal-time">09:00</td><td>{WHAT}</td><td>Sales &amp; Support</td><td>Email</td></tr>'
    )


def test_it_draws_a_masked_entry_without_link_pill_or_concept():
    html = cal_entry(entry(url="", title="Embargoed campaign", is_masked=True, concept=""))
    assert html == (
        '<time>09:00</time> <span class="cal-kind cal-stage">Stage &lt;1&gt;</span> '
        '<span class="cal-title">Embargoed campaign</span>'
    )
