"""Fan-out in the database: one INSERT … SELECT per stage and channel fills whole delivery rows."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from conftest import make_user
from rollout import dispatch
from rollout.models import Delivery, RolloutStage
from rollout.tests.engine import GO_LIVE, stage_of, tick

pytestmark = pytest.mark.django_db

EARLY = GO_LIVE - timedelta(days=14)
PREFERENCES = [None, [], ["in_app"], ["email"], ["in_app", "email"], ["sms"]]
STAGE_CHANNELS = [["in_app"], ["email"], ["in_app", "email"]]


def test_fan_out_fills_every_column_the_delivery_model_has():
    filled = set(Delivery.new_row_values(1, "in_app", EARLY))
    columns = {field.name for field in Delivery._meta.concrete_fields if not field.primary_key}
    assert filled == columns, "Delivery.new_row_values must say what a fan-out writes in each new column"


def test_fan_out_rows_are_what_the_engine_expects(running, employee):
    tick(EARLY)
    in_app = Delivery.objects.get(recipient=employee, channel="in_app")
    email = Delivery.objects.get(recipient=employee, channel="email")
    assert (in_app.status, in_app.sent_at, in_app.created_at, in_app.attempts) == ("sent", EARLY, EARLY, 0)
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")  # sent by the tick's chunk
    assert in_app.message_id != email.message_id
    assert in_app.read_at is None and in_app.acknowledged_at is None


def test_fan_out_follows_each_persons_channels_as_channels_for_says(running):
    """Every preference, stage channel set and email/no email: the SQL agrees with the rule in words."""
    people = {}
    for n, (preferred, has_email) in enumerate(product(PREFERENCES, [True, False])):
        person = make_user(f"p{n}", department="Sales")
        if not has_email:
            User.objects.filter(pk=person.pk).update(email="")
        if preferred is None:
            person.profile.delete()
        else:
            type(person.profile).objects.filter(pk=person.profile.pk).update(preferred_channels=preferred)
        people[person.pk] = (preferred, "x@example.com" if has_email else "")
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    for channels in STAGE_CHANNELS:
        Delivery.objects.all().delete()
        stage.channels = channels
        dispatch._insert_deliveries(stage, User.objects.filter(pk__in=people), EARLY)
        got = set(Delivery.objects.values_list("recipient_id", "channel"))
        expected = {
            (pk, channel)
            for pk, (preferred, email) in people.items()
            for channel in dispatch.channels_for(channels, preferred, email)
        }
        assert got == expected, channels


def test_only_email_rows_get_a_message_id_and_two_never_share_one(running, employee, salesforce):
    """In-app rows need no Message-ID (so the fan-out writes no random-order index entry for them)."""
    salesforce(3)
    tick(EARLY)
    assert not Delivery.objects.filter(channel="in_app", message_id__isnull=False).exists()
    ids = list(Delivery.objects.filter(channel="email").values_list("message_id", flat=True))
    assert len(ids) == 4 and None not in ids and len(set(ids)) == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=Delivery.objects.filter(channel="in_app").first().pk).update(
            message_id=ids[0]
        )


def test_deactivated_person_gets_no_delivery(running, employee, salesforce):
    (left,) = salesforce(1)
    User.objects.filter(pk=left.pk).update(is_active=False)
    tick(EARLY)
    assert not Delivery.objects.filter(recipient=left).exists()
    assert Delivery.objects.filter(recipient=employee).count() == 2


def test_fan_out_resumed_after_a_crash_inserts_only_the_missing_rows(running, employee, salesforce, settings):
    settings.DISPATCH_INSERT_BATCH = 2  # several id ranges, so a crash can stop between them
    salesforce(5)
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    recipients = stage.recipients()
    first = recipients.order_by("pk")[:3]
    dispatch._insert_deliveries(stage, User.objects.filter(pk__in=first.values("pk")), EARLY)
    kept = dict(Delivery.objects.values_list("pk", "message_id"))
    inserted = dispatch._insert_deliveries(stage, recipients, EARLY)
    assert inserted == 2 * 6 - len(kept)
    assert Delivery.objects.filter(stage=stage).count() == 2 * 6
    assert {pk: mid for pk, mid in Delivery.objects.values_list("pk", "message_id") if pk in kept} == kept
    assert dispatch._insert_deliveries(stage, recipients, EARLY) == 0


def test_fan_out_in_id_ranges_heartbeats_after_each_range(running, employee, salesforce, settings):
    settings.DISPATCH_INSERT_BATCH = 2
    salesforce(5)
    stage = stage_of(running, RolloutStage.Kind.EARLY_WARNING)
    RolloutStage.objects.filter(pk=stage.pk).update(state="sending", heartbeat_at=EARLY)
    later = EARLY + timedelta(minutes=1)
    assert dispatch._insert_deliveries(stage, stage.recipients(), later) == 12
    assert RolloutStage.objects.get(pk=stage.pk).heartbeat_at == later


def test_no_delivery_index_is_a_leading_part_of_another():
    """Each index costs every fan-out insert: one that another index's first columns already give goes."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Delivery._meta.db_table)
    full = {  # partial indexes serve their own filter, so only full ones can make another redundant
        name: tuple(info["columns"])
        for name, info in found.items()
        if info["index"] and name not in ("delivery_unsent", "delivery_pending_retry")
    }
    redundant = [
        (name, other)
        for name, columns in full.items()
        for other, other_columns in full.items()
        if name != other and not found[name]["unique"] and other_columns[: len(columns)] == columns
    ]
    assert redundant == []
    assert ("recipient_id", "channel", "sent_at", "id") in full.values()
