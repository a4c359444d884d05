"""One notification per person and event, with its email delivery recorded on the same row."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import linebreaks
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from core.markup import sanitise_html
from people.models import EmployeeProfile


def wants_email(user) -> bool:
    """The Account page's answer: "in CampaignHub and by email" (or no profile yet) means yes."""
    profile = getattr(user, "profile", None)
    channels = profile.preferred_channels if profile is not None else []
    return bool(user.email) and (not channels or EmployeeProfile.Channel.EMAIL in channels)


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> NotificationQuerySet:
        return self.order_by("-created_at", "-pk")

    def email_due(self, now: datetime) -> NotificationQuerySet:
        """Emails to (re)send now: waiting ones whose time has come, and claims abandoned by a crash."""
        stale = now - timedelta(seconds=settings.DISPATCH_STALE_SECONDS)
        return self.filter(
            Q(email_status=Notification.EmailStatus.PENDING, email_next_attempt_at__lte=now)
            | Q(email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=stale)
        )


class Notification(models.Model):
    class Kind(models.TextChoices):
        CAMPAIGN_SUBMITTED = "campaign_submitted", "Campaign submitted"
        CAMPAIGN_APPROVED = "campaign_approved", "Campaign approved"
        CAMPAIGN_SENT_BACK = "campaign_sent_back", "Campaign sent back"
        QUESTION_ASKED = "question_asked", "Question asked"
        QUESTION_ANSWERED = "question_answered", "Question answered"
        EXPLAINER_PUBLISHED = "explainer_published", "Explainer published"
        BRIEFING_CHANGED = "briefing_changed", "Briefing changed"
        OVERDUE = "overdue", "Overdue"

    class EmailStatus(models.TextChoices):
        NOT_WANTED = "none", "Not emailed"
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # Plain text, never HTML: escaped wherever shown (pages, email HTML through core.markup).
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, help_text="Path on this site of the item it is about.")
    key = models.CharField(max_length=200, blank=True, help_text="Same key, same person: told once.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    email_status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.NOT_WANTED)
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_error = models.TextField(blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # notify() inserts keyed rows with ignore_conflicts: the periodic checks (published
            # explainers, overdue items) tell each person once however often they run.
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="one_notification_per_recipient_key"
            ),
        ]
        indexes = [
            # The bell: unread count per person on every page.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # The list: a person's notifications, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            # The tick's email_due(): only rows still waiting or in flight.
            models.Index(
                fields=["email_next_attempt_at"],
                condition=Q(email_status__in=["pending", "sending"]),
                name="notification_email_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def body_html(self) -> SafeString:
        """The body as HTML: escaped, paragraphs kept, then the one sanitiser (core.markup)."""
        return sanitise_html(linebreaks(escape(self.body)))

    @property
    def absolute_url(self) -> str:
        return settings.SITE_URL + self.url

    def mark_read(self, at: datetime | None = None) -> None:
        if self.read_at is None:
            self.read_at = at or timezone.now()
            Notification.objects.filter(pk=self.pk, read_at__isnull=True).update(read_at=self.read_at)

    @classmethod
    def mark_all_read(cls, user) -> int:
        return cls.objects.for_user(user).unread().update(read_at=timezone.now())
