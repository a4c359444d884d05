"""The calendar's campaign filter: the campaigns of the period by name, escaped, the chosen one selected."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import make_campaign
from planning.tests.conftest import make_stage

NOW = timezone.datetime(2027, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(0))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _campaign_select(client, **params) -> str:
    html = client.get(reverse("calendar"), {"date": "2027-03-10", **params}).content.decode()
    start = html.index('<select name="campaign"')
    return html[start : html.index("</select>", start) + len("</select>")]


@pytest.fixture
def tom_and_jerry(marketing, sales):
    c = make_campaign(marketing, title='Tom & Jerry <b>"live"</b>', go_live_in=timedelta(days=5))
    make_stage(c, NOW + timedelta(days=2), [sales])
    return c


def test_it_offers_the_campaigns_of_the_period_by_escaped_name(client_for, ic, campaign, tom_and_jerry):
    select = _campaign_select(client_for(ic))
    assert '<option value="" selected>All campaigns in this period</option>' in select
    assert (
        f'<option value="{tom_and_jerry.pk}">Tom &amp; Jerry &lt;b&gt;&quot;live&quot;&lt;/b&gt;</option>'
        in select
    )
    assert "<b>" not in select


def test_it_keeps_the_chosen_campaign_selected(client_for, ic, campaign, tom_and_jerry):
    select = _campaign_select(client_for(ic), campaign=tom_and_jerry.pk)
    assert f'<option value="{tom_and_jerry.pk}" selected>' in select
    assert '<option value="">All campaigns in this period</option>' in select


def test_the_quick_select_renders_what_djangos_select_renders():
    """The campaign filter's one-pass <select> is Django's own markup: escaping, selection, attributes."""
    from django import forms

    from planning.forms import QuickSelect

    choices = [("", "All campaigns"), (1, 'Tom & Jerry <b>"live"</b>'), (22, "Second")]
    for value in (None, "", "1", 22):
        attrs = {"id": "id_campaign", "aria-invalid": "true", "aria-describedby": "id_campaign_error"}
        ours = QuickSelect(choices=choices).render("campaign", value, attrs)
        theirs = forms.Select(choices=choices).render("campaign", value, attrs)
        assert ours == theirs
