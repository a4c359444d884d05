"""Briefings: team sessions at go-live, their invitations, RSVPs and attendance."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from campaigns.models import Audience, Campaign, validate_time_zone

User = settings.AUTH_USER_MODEL


class Briefing(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="briefings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    place = models.CharField(max_length=200, blank=True)
    online_url = models.URLField("online link", blank=True)
    presenter = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="presenting"
    )
    audiences = models.ManyToManyField(Audience, blank=True, related_name="briefings")
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty means no limit.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # iCalendar UID
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE, bumped on reschedule
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            # Forms report this as a field error first; the database refuses it regardless.
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="briefing_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("briefing_detail", args=[self.pk])


class Invitation(models.Model):
    class Rsvp(models.TextChoices):
        PENDING = "pending", "No answer yet"
        YES = "yes", "Yes"
        NO = "no", "No"
        MAYBE = "maybe", "Maybe"

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    rsvp = models.CharField(max_length=8, choices=Rsvp.choices, default=Rsvp.PENDING)
    is_waitlisted = models.BooleanField(default=False)
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["briefing", "invited_at", "pk"]
        constraints = [
            # Inviting an audience twice is a no-op (bulk_create with ignore_conflicts).
            models.UniqueConstraint(fields=["briefing", "user"], name="one_invitation_per_briefing_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.briefing} ({self.rsvp})"
