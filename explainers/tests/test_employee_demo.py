import io

import pytest

from conftest import add_impact, make_campaign
from explainers import demo
from explainers.models import Explainer

pytestmark = pytest.mark.django_db


def test_demo_explainers_are_created_once(marketing, sales):
    c = make_campaign(marketing, title="Green Home Loans")
    add_impact(c, sales)
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    explainer = Explainer.objects.get()
    assert explainer.publishes_at_embargo
    assert explainer.scenarios.count() == 1
