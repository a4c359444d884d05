"""The asset library's migrations keep every existing asset and its campaign, both ways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The schema just before the library: assets belonged to one campaign, nothing else.
BEFORE_LIBRARY = [
    ("campaigns", "0007_rolloutstage_moved_to_rollout"),
    ("explainers", "0001_initial"),
    ("briefings", "0006_calendar_feeds_moved_to_people"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def seed_before_library(apps) -> dict:
    """Two campaigns' assets as they were: a link by a team member, a file by nobody in particular."""
    get = apps.get_model
    now = timezone.now()
    ana = get("auth", "User").objects.create(username="ana")
    press = get("people", "MarcomTeam").objects.get_or_create(slug="press", defaults={"name": "Press"})[0]
    design = get("people", "MarcomTeam").objects.get_or_create(slug="design", defaults={"name": "Design"})[0]
    press.members.add(ana)

    def campaign(slug, teams):
        c = get("campaigns", "Campaign").objects.create(
            title=slug.title(), slug=slug, owner=ana, concept="c", go_live_at=now + timedelta(days=3),
            embargo_until=now + timedelta(days=3),
        )  # fmt: skip
        c.teams.set(teams)
        return c

    spring, autumn, winter = (
        campaign("spring", [design, press]),
        campaign("autumn", [design]),
        campaign("winter", []),
    )
    Asset = get("campaigns", "Asset")
    rows = [
        Asset.objects.create(
            campaign=spring, kind="link", url="https://x.example/deck", caption="Deck", uploaded_by=ana
        ),
        Asset.objects.create(campaign=autumn, kind="pdf", file="assets/2/abc/guide.pdf", caption="Guide"),
        Asset.objects.create(campaign=winter, kind="image", file="assets/3/def/logo.png", caption="Logo"),
    ]
    return {a.pk: (a.campaign_id, a.caption, a.kind, str(a.file), a.url) for a in rows} | {
        "teams": {rows[0].pk: press.pk, rows[1].pk: design.pk, rows[2].pk: None}
    }


def assets_as_they_are(apps, pks) -> dict:
    Asset = apps.get_model("campaigns", "Asset")
    return {
        a.pk: (a.campaign_id, a.caption, a.kind, str(a.file), a.url) for a in Asset.objects.filter(pk__in=pks)
    }


@pytest.mark.django_db(transaction=True)
def test_existing_assets_keep_their_campaign_forward_back_and_forward_again():
    seeded = seed_before_library(migrate(BEFORE_LIBRARY))
    teams = seeded.pop("teams")

    apps = migrate(latest())
    assert assets_as_they_are(apps, seeded) == seeded
    Asset = apps.get_model("campaigns", "Asset")
    # The team that made it: the uploader's team on the campaign, else the campaign's only team.
    assert {a.pk: a.team_id for a in Asset.objects.all()} == teams
    # Use the new parts, then roll back: the assets and their campaigns stay.
    deck = Asset.objects.get(caption="Deck")
    tag = apps.get_model("campaigns", "AssetTag").objects.create(name="deck")
    deck.tags.add(tag)
    autumn = apps.get_model("campaigns", "Campaign").objects.get(slug="autumn")
    apps.get_model("campaigns", "AssetReuse").objects.create(asset=deck, campaign=autumn)

    apps = migrate(BEFORE_LIBRARY)
    assert assets_as_they_are(apps, seeded) == seeded

    apps = migrate(latest())
    assert assets_as_they_are(apps, seeded) == seeded
