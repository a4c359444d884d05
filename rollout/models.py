"""The internal rollout plan: staged announcements anchored to go-live, and one delivery per person and channel.

These tables were created by the campaigns app and keep their names (`db_table`).
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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
    def in_app_for(self, user) -> DeliveryQuerySet:
        return self.filter(
            recipient=user, channel=EmployeeProfile.Channel.IN_APP, status=Delivery.Status.SENT
        )

    def unread(self) -> DeliveryQuerySet:
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> DeliveryQuerySet:
        return self.order_by("-sent_at", "-pk")


class Delivery(models.Model):
    """One announcement to one person on one channel: exists before the send, updated after."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    stage = models.ForeignKey(RolloutStage, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=EmployeeProfile.Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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
            # dispatch inserts deliveries with ignore_conflicts; this makes a second insert a no-op.
            models.UniqueConstraint(
                fields=["stage", "recipient", "channel"], name="one_delivery_per_stage_recipient_channel"
            ),
        ]
        indexes = [
            # The email sender picks up work by stage among pending/sending rows.
            models.Index(fields=["stage", "status"], condition=~Q(status="sent"), name="delivery_unsent"),
            # The inbox: a person's in-app deliveries, newest first.
            models.Index(fields=["recipient", "channel", "-sent_at"], name="delivery_inbox"),
            # dispatch.queue_email_chunks: pending email whose retry time has come.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_retry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} → {self.recipient} ({self.channel})"

    def get_absolute_url(self) -> str:
        return reverse("inbox_item", args=[self.pk])

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
