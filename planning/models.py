"""Planning: other comms items, per-audience caps, readiness thresholds and the digest lock.

Planning reads campaigns and briefings; neither imports planning.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from campaigns.models import Campaign
from people.models import Audience

User = settings.AUTH_USER_MODEL


class CommsItemQuerySet(models.QuerySet):
    def between(self, start: datetime, end: datetime) -> CommsItemQuerySet:
        """Items that start in [start, end)."""
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class CommsItem(models.Model):
    """Internal comms that is not a campaign (a town hall, benefits enrolment, an outage notice).

    It counts in the audience load once, in the week it starts.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        IN_APP = "in_app", "In-app / intranet"
        EVENT = "event", "Town hall or event"
        CHAT = "chat", "Chat (Teams, Slack)"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty for a single moment.")
    audiences = models.ManyToManyField(Audience, related_name="comms_items")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommsItemQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            # The calendar draws an item from start to end; the form reports this as a field error first.
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="comms_item_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="comms_item_starts_at")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("comms_item_edit", args=[self.pk])

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": "The end must be after the start."})


class AudienceCap(models.Model):
    """A weekly cap for one audience that overrides settings.PLANNING_WEEKLY_CAP."""

    audience = models.OneToOneField(Audience, on_delete=models.CASCADE, related_name="weekly_cap")
    weekly_cap = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    def __str__(self) -> str:
        return f"{self.audience}: {self.weekly_cap} a week"

    @staticmethod
    def caps_by_audience() -> dict[int, int]:
        return dict(AudienceCap.objects.values_list("audience_id", "weekly_cap"))


class ReadinessThreshold(models.Model):
    """What 'ready' means for one campaign; without a row the defaults below apply."""

    DEFAULT_WARNED_PCT = 90
    DEFAULT_BRIEFED_PCT = 70
    DEFAULT_RED_WITHIN_DAYS = 7

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="readiness_threshold")
    warned_pct = models.PositiveSmallIntegerField(
        "warned (% of every affected audience)",
        default=DEFAULT_WARNED_PCT,
        validators=[MaxValueValidator(100)],
    )
    briefed_pct = models.PositiveSmallIntegerField(
        "briefed (% of each high-impact audience)",
        default=DEFAULT_BRIEFED_PCT,
        validators=[MaxValueValidator(100)],
    )
    red_within_days = models.PositiveSmallIntegerField(
        "red when this many days or fewer to go-live",
        default=DEFAULT_RED_WITHIN_DAYS,
        validators=[MaxValueValidator(365)],
        help_text="A missed target is amber before this and red from it on.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Readiness targets for {self.campaign}"


class DigestLog(models.Model):
    """When a person last got the weekly digest: the period lock that makes it once a week."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="digest_log")
    last_digest_on = models.DateField(default=date.min)

    def __str__(self) -> str:
        return f"{self.user}: {self.last_digest_on}"
