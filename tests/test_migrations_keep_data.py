"""Moving models out of campaigns/ keeps every row of an existing installation, and can be rolled back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The schema as it was before the split (campaigns held every model), and the apps that did not exist.
BEFORE_SPLIT = [
    ("campaigns", "0005_employee_experience"),
    ("briefings", "0003_feedback_requested_at"),
    ("planning", "0001_initial"),
    ("people", None),
    ("rollout", None),
    ("explainers", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def seed_old_schema(apps) -> dict[str, int]:
    """One row of each kind, written through the models as they were before the split."""
    get = apps.get_model
    now = timezone.now()
    user = get("auth", "User").objects.create(username="ana", email="ana@example.com")
    get("campaigns", "EmployeeProfile").objects.create(
        user=user, department="Sales", time_zone="Europe/Paris"
    )
    team = get("campaigns", "MarcomTeam").objects.create(name="Press office", slug="press-office")
    team.members.add(user)
    audience = get("campaigns", "Audience").objects.create(name="Sales people", department="Sales")
    campaign = get("campaigns", "Campaign").objects.create(
        title="Spring",
        slug="spring",
        owner=user,
        concept="c",
        details="d",
        go_live_at=now + timedelta(days=3),
        embargo_until=now + timedelta(days=3),
    )
    campaign.teams.add(team)
    get("campaigns", "Impact").objects.create(campaign=campaign, audience=audience, level="high")
    get("campaigns", "HistoricalCampaign").objects.create(
        id=campaign.pk,
        title="Spring (first draft)",
        slug="spring",
        owner=user,
        concept="c",
        details="d",
        go_live_at=campaign.go_live_at,
        embargo_until=campaign.embargo_until,
        status="draft",
        time_zone="UTC",
        external_channels=[],
        created_at=now,
        history_date=now,
        history_type="+",
        history_user=user,
    )
    stage = get("campaigns", "RolloutStage").objects.create(
        campaign=campaign,
        kind="early_warning",
        offset_minutes=-60,
        send_at=now,
        channels=["in_app"],
        subject="Coming soon",
        body="Hello",
        state="sent",
    )
    stage.audiences.add(audience)
    get("campaigns", "Delivery").objects.create(
        stage=stage, recipient=user, channel="in_app", status="sent", sent_at=now, read_at=now
    )
    explainer = get("campaigns", "Explainer").objects.create(
        campaign=campaign, slug="spring", what_and_why="Why"
    )
    get("campaigns", "ExplainerRead").objects.create(explainer=explainer, user=user, first_read_at=now)
    get("campaigns", "ExplainerVariant").objects.create(
        explainer=explainer, audience=audience, body="For you"
    )
    briefing = get("briefings", "Briefing").objects.create(
        campaign=campaign,
        title="Team briefing",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        invitation_stage=stage,
    )
    briefing.audiences.add(audience)
    # Two secret calendar feeds, one per old model; subscribed calendar apps must keep working.
    long_ago = now - timedelta(days=100)
    get("briefings", "CalendarFeed").objects.create(user=user, token="briefings-secret")
    get("briefings", "CalendarFeed").objects.update(created_at=long_ago)
    get("planning", "PlanningFeed").objects.create(user=user, token="planning-secret")
    # As on an installation from before the split: the content types are the campaigns app's.
    content_types = get("contenttypes", "ContentType").objects
    content_types.filter(app_label__in=["people", "rollout", "explainers"]).delete()
    ct = content_types.get_or_create(app_label="campaigns", model="delivery")[0]
    return {
        "user": user.pk,
        "campaign": campaign.pk,
        "stage": stage.pk,
        "audience": audience.pk,
        "team": team.pk,
        "explainer": explainer.pk,
        "briefing": briefing.pk,
        "content_type": ct.pk,
    }


def assert_every_row_is_there(ids):
    from django.contrib.contenttypes.models import ContentType

    from briefings.models import Briefing
    from campaigns.models import Campaign
    from explainers.models import Explainer, ExplainerRead
    from people.models import Audience, CalendarFeed, EmployeeProfile, MarcomTeam
    from rollout.models import Delivery, RolloutStage

    campaign = Campaign.objects.get(pk=ids["campaign"])
    assert [t.pk for t in campaign.teams.all()] == [ids["team"]]
    assert list(MarcomTeam.objects.get(pk=ids["team"]).members.values_list("username", flat=True)) == ["ana"]
    assert EmployeeProfile.objects.get(user_id=ids["user"]).time_zone == "Europe/Paris"
    assert campaign.impacts.get().audience == Audience.objects.get(pk=ids["audience"])
    assert [h.title for h in campaign.history.all()] == ["Spring (first draft)"]
    stage = RolloutStage.objects.get(pk=ids["stage"])
    assert stage.campaign == campaign and list(stage.audiences.all()) == [
        Audience.objects.get(pk=ids["audience"])
    ]
    delivery = Delivery.objects.get(stage=stage)
    assert delivery.recipient_id == ids["user"] and delivery.read_at is not None
    explainer = Explainer.objects.get(pk=ids["explainer"])
    assert explainer.campaign == campaign and explainer.variants.get().body == "For you"
    assert ExplainerRead.objects.get(explainer=explainer).user_id == ids["user"]
    briefing = Briefing.objects.get(pk=ids["briefing"])
    assert briefing.invitation_stage == stage and list(briefing.audiences.all()) == [stage.audiences.get()]
    feeds = {f.kind: f for f in CalendarFeed.objects.filter(user_id=ids["user"])}
    assert {kind: f.token for kind, f in feeds.items()} == {
        "briefings": "briefings-secret",
        "planning": "planning-secret",
    }
    assert feeds["briefings"].created_at < timezone.now() - timedelta(days=99)
    # Permissions and admin log entries hang on content types: they follow the model to its new app.
    assert ContentType.objects.get(pk=ids["content_type"]).app_label == "rollout"


@pytest.mark.django_db(transaction=True)
def test_an_installation_seeded_before_the_split_keeps_every_row_forward_back_and_forward_again():
    """One test for the three moves: each migration run costs seconds of state rendering."""
    ids = seed_old_schema(migrate(BEFORE_SPLIT))

    migrate(latest())
    assert_every_row_is_there(ids)

    apps = migrate(BEFORE_SPLIT)  # README "Upgrading": the rollback
    delivery = apps.get_model("campaigns", "Delivery").objects.get(stage_id=ids["stage"])
    assert delivery.recipient_id == ids["user"]
    assert apps.get_model("campaigns", "Explainer").objects.get(pk=ids["explainer"]).slug == "spring"
    assert (
        apps.get_model("contenttypes", "ContentType").objects.get(pk=ids["content_type"]).app_label
        == "campaigns"
    )

    migrate(latest())
    assert_every_row_is_there(ids)
