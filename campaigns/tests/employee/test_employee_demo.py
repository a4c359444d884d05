import io

import pytest

from campaigns import employee_demo
from campaigns.models import Explainer
from conftest import add_impact, make_campaign

pytestmark = pytest.mark.django_db


def test_demo_explainers_are_created_once(marketing, sales):
    c = make_campaign(marketing, title="Green Home Loans")
    add_impact(c, sales)
    employee_demo.seed(io.StringIO())
    employee_demo.seed(io.StringIO())
    explainer = Explainer.objects.get()
    assert explainer.publishes_at_embargo
    assert explainer.scenarios.count() == 1
