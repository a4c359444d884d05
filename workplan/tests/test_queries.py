"""The workplan and My work pages fetch what they draw in a fixed number of queries: pinned at 10
and at 200 deliverables (each with an owner, an asset, a dependency, some shared)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Asset
from tests.layout_queries import layout_queries
from workplan.tests.conftest import add_deliverable

pytestmark = pytest.mark.django_db

# campaign access (the campaign, may-see check), the campaign's teams, workstreams, deliverables,
# their assets, their dependencies, the rollout stages, the person's MARCOM teams
WORKPLAN_QUERIES = 9
# teams for the filter, the person's MARCOM teams, deliverables, their assets, their dependencies
MY_WORK_QUERIES = 5


def grow(campaign, owner, n: int) -> None:
    asset = Asset.objects.create(
        campaign=campaign, kind="link", url="https://example.com/a", caption="Key visual"
    )
    previous = None
    for i in range(n):
        slug = ("content", "events", "design", "pr", None)[i % 5]
        d = add_deliverable(campaign, slug, f"Deliverable {i}", offset_days=-(i % 40), owner=owner)
        d.assets.add(asset)
        if previous is not None:
            d.depends_on.add(previous)
        previous = d


@pytest.mark.parametrize("n", [10, 200])
def test_workplan_page_queries_are_fixed(client_for, marketing, launch, n):
    grow(launch, marketing, n)
    client = client_for(marketing)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/campaigns/{launch.pk}/workplan/")
    assert response.status_code == 200
    assert response.context["board"].total == n
    print(f"\nworkplan page, {n} deliverables: {len(queries)} queries")
    assert len(queries) == layout_queries(marketing) + WORKPLAN_QUERIES


@pytest.mark.parametrize("n", [10, 200])
def test_my_work_page_queries_are_fixed(client_for, marketing, launch, n):
    grow(launch, marketing, n)
    client = client_for(marketing)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/my-work/")
    assert len(response.context["deliverables"]) == n
    print(f"\nMy work page, {n} deliverables: {len(queries)} queries")
    assert len(queries) == layout_queries(marketing) + MY_WORK_QUERIES
