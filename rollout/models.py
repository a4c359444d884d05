"""The internal rollout plan: staged announcements anchored to go-live, and one delivery per person and channel.

These tables were created by the campaigns app and keep their names (`db_table`).
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, Impact
from core.aggregates import IdList, parse_ids
from people.models import Audience, EmployeeProfile

User = settings.AUTH_USER_MODEL

# A stage with no audiences of its own goes to the campaign's audiences at these impact levels.
DEFAULT_IMPACT_LEVELS = (Impact.Level.HIGH, Impact.Level.MEDIUM)


def shift_by_offset(anchor: datetime, offset_minutes: int, tz_name: str) -> datetime:
    """anchor + offset, where whole days keep the local wall-clock time in tz_name across DST.

    "Go-live - 1 day" for a 09:00 go-live is 09:00 the day before even when clocks changed in
    between; the part of the offset under a day is elapsed time.
    """
    tz = zoneinfo.ZoneInfo(tz_name)
    sign = -1 if offset_minutes < 0 else 1
    days, minutes = divmod(abs(offset_minutes), 24 * 60)
    local = anchor.astimezone(tz)
    wall = local.replace(tzinfo=None) + timedelta(days=sign * days)
    shifted = wall.replace(tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))
    return shifted + timedelta(minutes=sign * minutes)


class RolloutStageQuerySet(models.QuerySet):
    def due(self, now: datetime) -> RolloutStageQuerySet:
        """Planned stages whose send time has come, of campaigns that are running and not paused."""
        return self.filter(
            state=RolloutStage.State.PLANNED,
            send_at__lte=now,
            campaign__status__in=[Campaign.Status.APPROVED, Campaign.Status.LIVE],
            campaign__paused_at__isnull=True,
        )

    def early_warnings(self) -> RolloutStageQuerySet:
        """Early warnings that went or may still go out (readiness judges an audience against them)."""
        return self.filter(kind=RolloutStage.Kind.EARLY_WARNING).exclude(
            state__in=[RolloutStage.State.CANCELLED, RolloutStage.State.SKIPPED]
        )

    def unsent(self) -> RolloutStageQuerySet:
        return self.filter(state__in=[RolloutStage.State.PLANNED, RolloutStage.State.HELD])

    def with_target_audience_ids(self) -> RolloutStageQuerySet:
        """Each stage with `target_audience_ids` ("3,7", parse with target_ids()) in the same query:
        RolloutStage.target_audiences() for many stages (the calendar, the load, the warnings)."""
        own = (
            RolloutStage.audiences.through.objects.filter(rolloutstage_id=OuterRef("pk"))
            .values("rolloutstage_id")
            .annotate(ids=IdList("audience_id"))
            .values("ids")
        )
        default = (
            Impact.objects.filter(campaign_id=OuterRef("campaign_id"), level__in=DEFAULT_IMPACT_LEVELS)
            .values("campaign_id")
            .annotate(ids=IdList("audience_id"))
            .values("ids")
        )
        return self.annotate(target_audience_ids=Coalesce(Subquery(own), Subquery(default)))

    def target_ids(self, cache: dict | None = None) -> dict[int, frozenset[int]]:
        """{stage pk: its target audience ids} for these stages, in one query."""
        rows = self.with_target_audience_ids().values_list("pk", "target_audience_ids").order_by()
        return {pk: parse_ids(ids, cache) for pk, ids in rows}

    def reach_by_day(self, campaign, tz) -> dict:
        """{stage: {"delivered"|"opened"|"acknowledged": {local date: count}}} of the campaign's sent
        stages, in-app, counted by day in the database (four queries however many deliveries)."""
        stages = {
            s.pk: s
            for s in self.filter(campaign=campaign, sent_at__isnull=False).only(
                "pk", "kind", "sent_at", "campaign_id"
            )
        }
        reach: dict = {s: {"delivered": {}, "opened": {}, "acknowledged": {}} for s in stages.values()}
        in_app = Delivery.objects.filter(
            stage__in=list(stages), channel=EmployeeProfile.Channel.IN_APP, status=Delivery.Status.SENT
        )
        for key, field in (
            ("delivered", "sent_at"),
            ("opened", "read_at"),
            ("acknowledged", "acknowledged_at"),
        ):
            rows = (
                in_app.filter(**{f"{field}__isnull": False})
                .annotate(day=TruncDate(field, tzinfo=tz))
                .values("stage_id", "day")
                .annotate(n=models.Count("pk"))
                .values_list("stage_id", "day", "n")
                .order_by()
            )
            for stage_id, day, n in rows:
                reach[stages[stage_id]][key][day] = n
        return reach

    def with_counts(self) -> RolloutStageQuerySet:
        """Each stage with its delivery counts (sent, failed, pending, read), in the same query."""
        sent, failed = Delivery.Status.SENT, Delivery.Status.FAILED
        waiting = [Delivery.Status.PENDING, Delivery.Status.SENDING]
        return self.annotate(
            sent_count=models.Count("deliveries", filter=Q(deliveries__status=sent)),
            failed_count=models.Count("deliveries", filter=Q(deliveries__status=failed)),
            pending_count=models.Count("deliveries", filter=Q(deliveries__status__in=waiting)),
            read_count=models.Count("deliveries", filter=Q(deliveries__read_at__isnull=False)),
        )


class RolloutStage(models.Model):
    """One staged announcement, anchored to go-live by an offset (negative = before)."""

    class Kind(models.TextChoices):
        EARLY_WARNING = "early_warning", "Early warning"
        BRIEFING_INVITATION = "briefing_invitation", "Briefing invitation"
        REMINDER = "reminder", "Reminder"
        GO_LIVE = "go_live", "Go-live"
        FOLLOW_UP = "follow_up", "Follow-up"
        CUSTOM = "custom", "Custom"

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.CUSTOM)
    offset_minutes = models.IntegerField(help_text="Minutes from go-live; negative is before go-live.")
    send_at = models.DateTimeField(help_text="go-live + offset, kept in step by RolloutStage.replan.")
    audiences = models.ManyToManyField(Audience, blank=True, related_name="stages")
    channels = models.JSONField(default=list)  # EmployeeProfile.Channel values
    subject = models.CharField(max_length=200)
    body = models.TextField()
    requires_acknowledgement = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)
    state_reason = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Set once every recipient has a Delivery row; a SENDING stage without it is re-claimed when stale.
    recipients_resolved_at = models.DateTimeField(null=True, blank=True)
    # When everyone then in the audiences it tops up was known to have it (set when resolved, and by a
    # full check); null: check its audiences in full when it next tops up late joiners (dispatch).
    joiners_checked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RolloutStageQuerySet.as_manager()
    # IC's edits, added and removed stages and test sends, shown in the campaign's change history
    # (rollout.history). Only what IC plans is kept: the engine's bookkeeping changes by update().
    history = HistoricalRecords(
        excluded_fields=[
            "send_at",
            "state",
            "state_reason",
            "claimed_at",
            "heartbeat_at",
            "recipients_resolved_at",
            "joiners_checked_at",
            "sent_at",
            "created_at",
        ]
    )

    class Meta:
        db_table = "campaigns_rolloutstage"  # moved from campaigns: the table keeps its name
        ordering = ["send_at", "pk"]
        indexes = [
            # RolloutStage.objects.due(now): the dispatch tick's hot filter.
            models.Index(fields=["send_at"], condition=Q(state="planned"), name="stage_planned_send_at"),
            # Planning's calendar, load and warnings read the stages in a few weeks, every state:
            # without it they read every stage of every year (planning.entries.collect, load.weekly_counts).
            models.Index(fields=["send_at"], name="stage_send_at"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.get_kind_display()} ({self.offset_label})"

    def save(self, *args, **kwargs) -> None:
        # An unsent stage's send time always follows go-live; a sent one keeps the time it went out.
        if self.is_unsent or self.send_at is None:
            self.send_at = self.compute_send_at()
        super().save(*args, **kwargs)

    def compute_send_at(self) -> datetime:
        return shift_by_offset(self.campaign.go_live_at, self.offset_minutes, self.campaign.time_zone)

    def target_audiences(self) -> list[Audience]:
        """Who the stage is for: its own audiences, or else the campaign's medium and high impact
        audiences as they are now. The one rule; RolloutStage.objects.with_target_audience_ids()
        is its bulk form for pages that list many stages."""
        explicit = list(self.audiences.all()) if self.pk else []
        return explicit or self.default_audiences(self.campaign)

    @staticmethod
    def default_audiences(campaign: Campaign) -> list[Audience]:
        """The audiences a stage without its own goes to: the campaign's medium and high impact ones."""
        if "impacts" in getattr(campaign, "_prefetched_objects_cache", {}):  # the campaign page
            return [i.audience for i in campaign.impacts.all() if i.level in DEFAULT_IMPACT_LEVELS]
        impacts = campaign.impacts.filter(level__in=DEFAULT_IMPACT_LEVELS).select_related("audience")
        return [impact.audience for impact in impacts]

    def recipients(self):
        """Active users the stage goes to, resolved now (audience membership changes over time)."""
        return Audience.users_in(self.target_audiences())

    @property
    def is_editable(self) -> bool:
        return self.is_unsent and self.campaign.is_editable

    @property
    def offset_label(self) -> str:
        if self.offset_minutes == 0:
            return "at go-live"
        days, rest = divmod(abs(self.offset_minutes), 24 * 60)
        hours, minutes = divmod(rest, 60)
        parts = [
            f"{n} {unit}{'s' if n != 1 else ''}"
            for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
            if n
        ]
        return " ".join(parts) + (" before go-live" if self.offset_minutes < 0 else " after go-live")

    @property
    def is_unsent(self) -> bool:
        return self.state in (self.State.PLANNED, self.State.HELD)


class DeliveryQuerySet(models.QuerySet):
    def insert_for(self, stage_id: int, channel: str, people, now: datetime) -> int:
        """One delivery row per person for this stage and channel, in a single INSERT … SELECT.

        The database selects the people (a User queryset) and fills every column from
        Delivery.new_row_values, so no Python object per person exists; a row that already exists
        (the unique key) is left alone, which makes a resumed or repeated fan-out a no-op.
        Returns the number of rows inserted.
        """
        connection = connections[self.db]
        meta = Delivery._meta
        people_sql, params = (
            people.values(person_id=models.F("pk")).query.get_compiler(using=self.db).as_sql()
        )
        columns, values, value_params = [], [], []
        for name, value in Delivery.new_row_values(stage_id, channel, now).items():
            field = meta.get_field(name)
            columns.append(connection.ops.quote_name(field.column))
            if value is Delivery.RECIPIENT:
                values.append("person.person_id")
            elif value is Delivery.NEW_UUID:
                values.append(NEW_UUID_SQL[connection.vendor])
            else:
                values.append("%s")
                value_params.append(field.get_db_prep_save(value, connection))
        unique = [meta.get_field(name).column for name in ("stage", "recipient", "channel")]
        # "WHERE true": SQLite needs it to tell the upsert's ON CONFLICT from a join's ON.
        sql = (
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM ({people_sql}) person WHERE true "
            f"ON CONFLICT ({', '.join(unique)}) DO NOTHING"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*value_params, *params])
            return cursor.rowcount

    def in_app_for(self, user) -> DeliveryQuerySet:
        return self.filter(
            recipient=user, channel=EmployeeProfile.Channel.IN_APP, status=Delivery.Status.SENT
        )

    def unread(self) -> DeliveryQuerySet:
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> DeliveryQuerySet:
        return self.order_by("-sent_at", "-pk")


# A fresh random UUID per row, computed by the database (Delivery.message_id in a fan-out INSERT … SELECT).
NEW_UUID_SQL = {
    "postgresql": "gen_random_uuid()",
    "sqlite": "lower(hex(randomblob(16)))",  # how Django stores a UUIDField on SQLite: 32 hex digits
}


class Delivery(models.Model):
    """One announcement to one person on one channel: exists before the send, updated after."""

    # Placeholders in new_row_values for what the database fills per person.
    RECIPIENT = object()
    NEW_UUID = object()

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # No index of their own: the unique key starts with stage, the inbox index with recipient.
    stage = models.ForeignKey(
        RolloutStage, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    channel = models.CharField(max_length=10, choices=EmployeeProfile.Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The email's Message-ID (composer.message_id): kept by the row, so a re-sent email keeps it. In-app
    # rows have none (new_row_values), so an in-app fan-out writes no entry in its random-order index.
    message_id = models.UUIDField(default=uuid.uuid4, null=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a tick queued it or a chunk task took it; a stale claim is taken again by a later tick.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        db_table = "campaigns_delivery"  # moved from campaigns: the table keeps its name
        verbose_name_plural = "deliveries"
        constraints = [
            # The fan-out's INSERT … ON CONFLICT DO NOTHING targets it: a second insert is a no-op.
            # Also the index for every lookup by stage (its first column), deletes of a stage included.
            models.UniqueConstraint(
                fields=["stage", "recipient", "channel"], name="one_delivery_per_stage_recipient_channel"
            ),
            # Two emails never share a Message-ID. Partial: rows without one (in-app) are not indexed.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=Q(message_id__isnull=False),
                name="one_delivery_per_message_id",
            ),
        ]
        indexes = [
            # The email sender picks up work by stage among pending/sending rows.
            models.Index(fields=["stage", "status"], condition=~Q(status="sent"), name="delivery_unsent"),
            # The inbox (DeliveryQuerySet.in_app_for(user).newest_first()): one index range read in
            # the order it is shown, no sort, whatever the table holds. Also the index for every lookup
            # by recipient (its first column), deleting a user included.
            models.Index(fields=["recipient", "channel", "-sent_at", "-id"], name="delivery_inbox_newest"),
            # dispatch.queue_email_chunks: pending email whose retry time has come.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_retry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} → {self.recipient} ({self.channel})"

    def get_absolute_url(self) -> str:
        return reverse("inbox_item", args=[self.pk])

    @classmethod
    def new_row_values(cls, stage_id: int, channel: str, now: datetime) -> dict[str, object]:
        """Every column of a fresh delivery row but the id, by field name: what a fan-out inserts.

        The one list DeliveryQuerySet.insert_for writes; a test fails when the model gains a field
        this does not fill. In-app rows are the delivery itself (sent now) and need no Message-ID; email
        rows wait for a chunk.
        """
        is_in_app = channel == EmployeeProfile.Channel.IN_APP
        return {
            "stage": stage_id,
            "recipient": cls.RECIPIENT,
            "channel": channel,
            "status": cls.Status.SENT if is_in_app else cls.Status.PENDING,
            "message_id": None if is_in_app else cls.NEW_UUID,
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": None,
            "claimed_at": None,
            "created_at": now,
            "sent_at": now if is_in_app else None,
            "read_at": None,
            "acknowledged_at": None,
        }

    @property
    def asks_acknowledgement(self) -> bool:
        return self.stage.requires_acknowledgement

    def mark_read(self, at: datetime | None = None) -> None:
        """Record the first opening only; a second opening changes nothing."""
        at = at or timezone.now()
        if self.read_at is None and Delivery.objects.filter(pk=self.pk, read_at=None).update(read_at=at):
            self.read_at = at

    def acknowledge(self, at: datetime | None = None) -> bool:
        """Record the acknowledgement once; True when this call recorded it."""
        if not self.asks_acknowledgement:
            raise ValidationError("This announcement does not ask for an acknowledgement.")
        at = at or timezone.now()
        self.mark_read(at)
        recorded = Delivery.objects.filter(pk=self.pk, acknowledged_at=None).update(acknowledged_at=at) == 1
        if recorded:
            self.acknowledged_at = at
        return recorded


class MembershipChange(models.Model):
    """Someone whose audiences may have changed (user_id), or an audience redefined (audience_id).

    The late-joiner check (dispatch.deliver_to_late_joiners) reads these rows and deletes them, so
    the table only holds what changed since the last tick. They are written by the database itself
    (triggers, migration 0003_late_joiners_from_changes): a profile created or its department, team,
    location or role changed; an account switched back on; someone added to a list audience; an
    audience's rule changed; an audience given to a stage or a campaign's impacts. So every writer
    (the CSV import in bulk, SCIM, the admin, a raw UPDATE) is covered without having to remember.
    No foreign keys: a row about someone deleted since simply matches nobody.
    """

    user_id = models.BigIntegerField(null=True)
    audience_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"user {self.user_id}" if self.user_id else f"audience {self.audience_id}"
