"""Audience.matches() is rule_q() in Python: pages that count people per distinct profile rely on it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from conftest import make_user
from people.models import Audience

RULES = [
    {"department": "Sales"},
    {"department": "sales, Support"},
    {"department": "Sales", "location": "London"},
    {"team": "Retail", "role": "Manager, Lead"},
    {},  # an empty rule matches nobody
]


@pytest.mark.parametrize("rule", RULES)
def test_matches_agrees_with_rule_q(db, rule):
    make_user("a", department="SALES", location="london", team="Retail", role="lead")
    make_user("b", department="Support", location="New York", team="Retail", role="Manager")
    make_user("c", department="Sales", location="Paris", team="", role="")
    User.objects.create_user("noprofile")
    audience = Audience.objects.create(name="A", **rule)
    in_sql = set(User.objects.filter(audience.rule_q()).values_list("username", flat=True))
    in_python = {
        u.username
        for u in User.objects.select_related("profile")
        if hasattr(u, "profile")
        and audience.matches({f: getattr(u.profile, f) for f in Audience.RULE_FIELDS})
    }
    assert in_python == in_sql
