"""Campaigns, audiences, impacts, employee profiles, rollout stages and deliveries.

The rules live here, in product words: `campaign.is_embargoed(at)`, `stage.send_at`,
`Campaign.objects.visible_to(user)`. Views and tasks call these; they never rebuild them.
"""

from __future__ import annotations

import functools
import uuid
import zoneinfo
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from campaigns import roles

User = settings.AUTH_USER_MODEL


# Files in the system's zone database that are not places: "localtime" is a link to whatever zone
# the server runs in, "Factory" a placeholder. Neither may be offered, imported or stored.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA zones people may choose (for lists and validation alike)."""
    return frozenset(zoneinfo.available_timezones() - NOT_PLACES)


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"“{value}” is not a known time zone (use an IANA name such as Europe/London).")


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


class EmployeeProfile(models.Model):
    """What we know about a person: where they sit (for audience rules) and how to reach them."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", "In-app"
        EMAIL = "email", "Email"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    department = models.CharField(max_length=100, blank=True)
    team = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=100, blank=True)
    role = models.CharField("job role", max_length=100, blank=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    preferred_channels = models.JSONField(default=list, blank=True)  # Channel values; empty = all

    class Meta:
        indexes = [
            # Audience rules filter on these attributes (Audience.rule_q).
            models.Index(fields=["department", "team"], name="profile_dept_team"),
            models.Index(fields=["location"], name="profile_location"),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)

    def wants(self, channel: str) -> bool:
        return not self.preferred_channels or channel in self.preferred_channels


def user_zone(user) -> zoneinfo.ZoneInfo:
    """The time zone to show times in for this person (their profile's, else the site default)."""
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    return profile.zone if profile else zoneinfo.ZoneInfo(settings.TIME_ZONE)


class MarcomTeam(models.Model):
    """A MARCOM team (PR, content, design, events, social, media); members co-edit its campaigns."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    members = models.ManyToManyField(User, blank=True, related_name="marcom_teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.Model):
    """A named group of employees: by rule over profile attributes, or an explicit list."""

    class Kind(models.TextChoices):
        RULE = "rule", "Rule over employee attributes"
        LIST = "list", "Explicit member list"

    RULE_FIELDS = ("department", "team", "location", "role")

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RULE)
    # Each rule field holds comma-separated alternatives; blank means "any". Fields combine with AND.
    department = models.CharField(max_length=255, blank=True)
    team = models.CharField(max_length=255, blank=True)
    location = models.CharField(max_length=255, blank=True)
    role = models.CharField("job role", max_length=255, blank=True)
    members = models.ManyToManyField(User, blank=True, related_name="listed_audiences")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("audience_detail", args=[self.pk])

    @staticmethod
    def split_values(raw: str) -> list[str]:
        return [v.strip() for v in raw.split(",") if v.strip()]

    def rule_q(self, prefix: str = "profile__") -> Q:
        """The rule as a filter on users; an empty rule matches nobody (never 'everyone' by accident)."""
        q = Q()
        has_condition = False
        for field in self.RULE_FIELDS:
            values = self.split_values(getattr(self, field))
            if values:
                has_condition = True
                alternatives = Q()
                for value in values:
                    alternatives |= Q(**{f"{prefix}{field}__iexact": value})
                q &= alternatives
        return q if has_condition else Q(pk__in=[])

    def matches(self, values: dict[str, str | None]) -> bool:
        """rule_q() in Python, for one person's profile values {"department": ..., ...}: each rule
        field is one of its alternatives (case-insensitive), fields combine with AND, an empty
        rule matches nobody. Lets a page count people per distinct profile instead of per person."""
        has_condition = False
        for field in self.RULE_FIELDS:
            alternatives = self.split_values(getattr(self, field))
            if alternatives:
                has_condition = True
                value = values.get(field)
                if value is None or value.upper() not in {a.upper() for a in alternatives}:
                    return False
        return has_condition

    def member_filter(self) -> Q:
        if self.kind == self.Kind.LIST:
            return Q(listed_audiences=self)
        return self.rule_q()

    def users(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(self.member_filter(), is_active=True).distinct()

    @property
    def size(self) -> int:
        return self.users().count()

    def matches_profile(self, profile: EmployeeProfile | None) -> bool:
        """Python twin of rule_q for one person, so pages can test membership without a query each."""
        if self.kind != self.Kind.RULE or profile is None:
            return False
        has_condition = False
        for field in self.RULE_FIELDS:
            values = self.split_values(getattr(self, field))
            if not values:
                continue
            has_condition = True
            own = (getattr(profile, field) or "").casefold()
            if own not in {v.casefold() for v in values}:
                return False
        return has_condition

    @classmethod
    def ids_for(cls, user) -> set[int]:
        """The ids of every audience this person belongs to, in two queries however many exist."""
        if not user.is_authenticated or not user.is_active:
            return set()
        try:
            profile = user.profile  # usually cached already by the time-zone middleware
        except EmployeeProfile.DoesNotExist:
            profile = None
        ids = {a.pk for a in cls.objects.filter(kind=cls.Kind.RULE) if a.matches_profile(profile)}
        ids.update(cls.objects.filter(kind=cls.Kind.LIST, members=user).values_list("pk", flat=True))
        return ids

    @classmethod
    def users_in(cls, audiences):
        """Active users in any of the given audiences, each once."""
        from django.contrib.auth import get_user_model

        q = Q(pk__in=[])
        for audience in audiences:
            q |= audience.member_filter()
        return get_user_model().objects.filter(q, is_active=True).distinct()

    @classmethod
    def sizes(cls, audiences) -> dict[int, int]:
        """How many active people each audience holds, for any number of audiences in one query."""
        from django.contrib.auth import get_user_model

        audiences = list(audiences)
        if not audiences:
            return {}
        counts = {f"a{a.pk}": models.Count("pk", filter=a.member_filter(), distinct=True) for a in audiences}
        totals = get_user_model().objects.filter(is_active=True).aggregate(**counts)
        return {a.pk: totals[f"a{a.pk}"] for a in audiences}

    def sample(self, limit: int = 10):
        """The first people in the audience by name (for the audience page)."""
        return self.users().select_related("profile").order_by("last_name", "first_name", "pk")[:limit]


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> CampaignQuerySet:
        """Campaigns this person may manage: IC all, marketing their own and their teams'."""
        if not user.is_authenticated:
            return self.none()
        if roles.is_ic(user):
            return self
        if roles.is_marketing(user):
            return self.filter(Q(owner=user) | Q(teams__members=user)).distinct()
        return self.none()

    def relevant_to(self, user, audience_ids: set[int]) -> CampaignQuerySet:
        """Campaigns that warned this person in-app, or that name one of their audiences once approved."""
        warned = Delivery.objects.in_app_for(user).filter(stage__campaign=models.OuterRef("pk"))
        running = [Campaign.Status.APPROVED, Campaign.Status.LIVE, Campaign.Status.CLOSED]
        affected = Impact.objects.filter(
            campaign=models.OuterRef("pk"), audience__in=audience_ids, campaign__status__in=running
        )
        return self.filter(Q(models.Exists(warned)) | Q(models.Exists(affected))).exclude(
            status=Campaign.Status.CANCELLED
        )

    def upcoming(self, now: datetime | None = None) -> CampaignQuerySet:
        now = now or timezone.now()
        return self.filter(go_live_at__gte=now).exclude(
            status__in=[Campaign.Status.CANCELLED, Campaign.Status.CLOSED]
        )


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted to IC"
        APPROVED = "approved", "Approved"
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class ExternalChannel(models.TextChoices):
        OWNED = "owned", "Owned media (web, app, stores)"
        PAID = "paid", "Paid advertising"
        EARNED = "earned", "Earned media"
        SOCIAL = "social", "Social media"
        PRESS = "press", "Press"
        EVENTS = "events", "Events"

    # Which status may follow which; anything else is refused with a message (Campaign.move_to).
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.CANCELLED},
        Status.SUBMITTED: {Status.APPROVED, Status.DRAFT, Status.CANCELLED},
        Status.APPROVED: {Status.LIVE, Status.SUBMITTED, Status.CANCELLED},
        Status.LIVE: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }
    # Moves only IC may make: review decisions (approve, send back to draft) and running the rollout.
    # Cancelling is for IC and the owner (Campaign.may_move).
    IC_ONLY_TARGETS = {Status.APPROVED, Status.DRAFT, Status.LIVE, Status.CLOSED}

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, editable=False)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_campaigns")
    teams = models.ManyToManyField(MarcomTeam, blank=True, related_name="campaigns")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    concept = models.TextField(help_text="The shareable teaser: safe to tell employees early.")
    details = models.TextField(blank=True, help_text="Embargoed until the embargo date.")
    objectives = models.TextField(blank=True)
    go_live_at = models.DateTimeField()
    is_go_live_tentative = models.BooleanField("go-live is tentative", default=False)
    embargo_until = models.DateTimeField(help_text="Defaults to go-live; may not be after it.")
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The zone go-live is planned in; day offsets keep its wall-clock time.",
    )
    external_channels = models.JSONField(default=list, blank=True)  # ExternalChannel values
    review_comment = models.TextField(blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["go_live_at", "pk"]
        constraints = [
            # The embargo must lift by go-live; forms check it too (Campaign.clean) for a field error.
            models.CheckConstraint(
                condition=Q(embargo_until__lte=models.F("go_live_at")), name="embargo_not_after_go_live"
            ),
        ]
        indexes = [models.Index(fields=["status", "go_live_at"], name="campaign_status_golive")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.embargo_until is None:
            self.embargo_until = self.go_live_at
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("campaign_detail", args=[self.pk])

    def _unique_slug(self) -> str:
        base = slugify(self.title)[:200] or "campaign"
        slug, n = base, 2
        while Campaign.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    # --- rules -----------------------------------------------------------------------------
    def clean(self) -> None:
        if self.go_live_at and self.embargo_until and self.embargo_until > self.go_live_at:
            raise ValidationError({"embargo_until": "The embargo must lift at or before go-live."})

    def is_embargoed(self, at: datetime | None = None) -> bool:
        return (at or timezone.now()) < self.embargo_until

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_editable(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.CANCELLED)

    def can_edit(self, user) -> bool:
        if roles.is_ic(user):
            return True
        if not roles.is_marketing(user):
            return False
        return self.owner_id == user.pk or self.teams.filter(members=user).exists()

    def may_move(self, user, target: str) -> bool:
        """Whether this person's role lets them make a move to target (legality aside)."""
        if not self.can_edit(user):
            return False
        if target in self.IC_ONLY_TARGETS:
            return roles.is_ic(user)
        if target == self.Status.CANCELLED:
            return roles.is_ic(user) or self.owner_id == user.pk
        return True

    def allowed_moves(self, user) -> list[str]:
        """The statuses this person may move the campaign to now."""
        moves = [m for m in self.TRANSITIONS[self.Status(self.status)] if self.may_move(user, m)]
        return sorted(moves, key=list(self.Status).index)

    def move_to(self, target: str, user, comment: str = "") -> None:
        """Change status if the move is legal for this person; raise ValidationError otherwise."""
        with transaction.atomic():
            # Decide on the status as it is now, with the row locked: two reviewers clicking at once
            # make one move, and the second is told the move no longer applies.
            self.status = (
                Campaign.objects.select_for_update().values_list("status", flat=True).get(pk=self.pk)
            )
            self._move_to(target, user, comment)

    def _move_to(self, target: str, user, comment: str) -> None:
        current = self.Status(self.status)
        if target not in self.Status.values:
            raise ValidationError(f"“{target}” is not a campaign status.")
        if target not in self.TRANSITIONS[current]:
            raise ValidationError(
                f"A {current.label.lower()} campaign cannot move to “{self.Status(target).label.lower()}”."
            )
        if not self.may_move(user, target):
            raise ValidationError("Your role may not make that move on this campaign.")
        self.status = target
        fields = ["status", "updated_at"]
        if comment or target in (self.Status.DRAFT, self.Status.APPROVED):
            self.review_comment = comment
            fields.append("review_comment")
        self._change_reason = f"Status → {self.Status(target).label}" + (f": {comment}" if comment else "")
        self.save(update_fields=fields)

    def impact_warning(self) -> str:
        """The 'be focused' nudge: when every named audience is marked high impact."""
        levels = [i.level for i in self.impacts.all()]
        if len(levels) >= 2 and all(level == Impact.Level.HIGH for level in levels):
            return (
                "Every audience is marked high impact. Be focused: who is most affected? "
                "Employees tune out when everything is urgent."
            )
        return ""

    def ordered_key_messages(self) -> list[str]:
        return [m.text for m in self.key_messages.all()]

    def set_key_messages(self, texts: list[str]) -> None:
        """Make the key messages exactly `texts`, in order, changing rows in place (so history reads well)."""
        existing = {m.position: m for m in self.key_messages.all()}
        for position, text in enumerate(texts, start=1):
            message = existing.pop(position, None)
            if message is None:
                KeyMessage.objects.create(campaign=self, position=position, text=text)
            elif message.text != text:
                message.text = text
                message.save(update_fields=["text"])
        for message in existing.values():
            message.delete()

    def external_channel_labels(self) -> list[str]:
        labels = dict(self.ExternalChannel.choices)
        return [labels.get(c, c) for c in self.external_channels]


class KeyMessage(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="key_messages")
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=500)

    history = HistoricalRecords()  # shown in the campaign's change history

    class Meta:
        ordering = ["position"]
        constraints = [
            # The form rewrites the list in order; positions identify the order uniquely.
            models.UniqueConstraint(fields=["campaign", "position"], name="one_key_message_per_position"),
        ]

    def __str__(self) -> str:
        return self.text


def asset_upload_to(instance: Asset, filename: str) -> str:
    return f"assets/{instance.campaign_id}/{uuid.uuid4().hex}/{Path(filename).name}"


class Asset(models.Model):
    """Marketing's material for a campaign: an uploaded file or a link (video, page, folder)."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        PDF = "pdf", "PDF"
        DOCUMENT = "document", "Office document"
        VIDEO = "video", "Video link"
        LINK = "link", "Link"

    ALLOWED_EXTENSIONS = {
        ".png": Kind.IMAGE,
        ".jpg": Kind.IMAGE,
        ".jpeg": Kind.IMAGE,
        ".gif": Kind.IMAGE,
        ".webp": Kind.IMAGE,
        ".pdf": Kind.PDF,
        ".doc": Kind.DOCUMENT,
        ".docx": Kind.DOCUMENT,
        ".xls": Kind.DOCUMENT,
        ".xlsx": Kind.DOCUMENT,
        ".ppt": Kind.DOCUMENT,
        ".pptx": Kind.DOCUMENT,
        ".odt": Kind.DOCUMENT,
        ".ods": Kind.DOCUMENT,
        ".odp": Kind.DOCUMENT,
    }
    VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "stream.microsoft.com", "wistia.com")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=asset_upload_to, blank=True)
    url = models.URLField(blank=True)
    caption = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])  # shown in the campaign's change history

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Exactly one of file or link: templates and the explainer pick the source by kind.
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")), name="asset_file_xor_url"
            ),
        ]

    def __str__(self) -> str:
        return self.caption

    @property
    def href(self) -> str:
        return self.file.url if self.file else self.url

    @classmethod
    def kind_for_url(cls, url: str) -> str:
        from urllib.parse import urlparse

        host = (urlparse(url).hostname or "").lower()
        if any(host == h or host.endswith("." + h) for h in cls.VIDEO_HOSTS):
            return cls.Kind.VIDEO
        return cls.Kind.LINK


class Impact(models.Model):
    """How much a campaign affects one audience, and what it means for them."""

    class Level(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="impacts")
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="impacts")
    level = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    what_changes = models.TextField("what changes for them", blank=True)
    what_to_do = models.TextField("what they must do", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "audience__name"]
        constraints = [
            # One impact per audience per campaign; the impact formset relies on it.
            models.UniqueConstraint(fields=["campaign", "audience"], name="one_impact_per_campaign_audience"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.audience} ({self.level})"


class RolloutStageQuerySet(models.QuerySet):
    def due(self, now: datetime) -> RolloutStageQuerySet:
        """Planned stages whose send time has come, of campaigns that are running and not paused."""
        return self.filter(
            state=RolloutStage.State.PLANNED,
            send_at__lte=now,
            campaign__status__in=[Campaign.Status.APPROVED, Campaign.Status.LIVE],
            campaign__paused_at__isnull=True,
        )

    def unsent(self) -> RolloutStageQuerySet:
        return self.filter(state__in=[RolloutStage.State.PLANNED, RolloutStage.State.HELD])

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

    class Meta:
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
        """The stage's own audiences, or else the campaign's medium and high impact audiences (now)."""
        explicit = list(self.audiences.all())
        if explicit:
            return explicit
        impacts = self.campaign.impacts.filter(level__in=[Impact.Level.HIGH, Impact.Level.MEDIUM])
        return [impact.audience for impact in impacts.select_related("audience")]

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
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def has_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

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


class ExplainerQuerySet(models.QuerySet):
    def published(self, now: datetime | None = None) -> ExplainerQuerySet:
        """Explainers readable now: published, and never before their campaign's embargo lifts."""
        now = now or timezone.now()
        return self.filter(
            Q(published_at__lte=now) | Q(publishes_at_embargo=True), campaign__embargo_until__lte=now
        ).exclude(campaign__status=Campaign.Status.CANCELLED)


class Explainer(models.Model):
    """The internal version of a campaign, written by IC for employees (markdown, sanitised on render)."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="explainer")
    slug = models.SlugField(max_length=220, unique=True)
    what_and_why = models.TextField("what is happening and why", blank=True)
    behaviours = models.TextField("behaviours expected", blank=True)
    training = models.TextField("training links", blank=True)
    faq = models.TextField("FAQ", blank=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Readable from then on, and never before the embargo lifts."
    )
    # "Ready": publishes by itself when the embargo lifts, following the embargo if it moves.
    publishes_at_embargo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExplainerQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Explainer: {self.campaign}"

    def get_absolute_url(self) -> str:
        return reverse("explainer_detail", args=[self.slug])

    def is_published(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        if self.campaign.is_embargoed(at) or self.campaign.status == Campaign.Status.CANCELLED:
            return False
        return self.publishes_at_embargo or (self.published_at is not None and self.published_at <= at)

    def publishes_on(self) -> datetime | None:
        """When employees can read it in full (None while IC has not marked it ready)."""
        if self.publishes_at_embargo:
            return self.campaign.embargo_until
        if self.published_at is None:
            return None
        return max(self.published_at, self.campaign.embargo_until)

    @property
    def state_label(self) -> str:
        if self.is_published():
            return "Published"
        if self.publishes_on():
            return "Scheduled"
        return "Draft"

    @classmethod
    def for_campaign(cls, campaign: Campaign) -> Explainer:
        """The campaign's explainer, created empty on first use (its slug is the campaign's)."""
        explainer, _ = cls.objects.get_or_create(campaign=campaign, defaults={"slug": campaign.slug})
        return explainer


class ExplainerVariant(models.Model):
    """What the campaign means for one audience; each employee sees their audiences' variants."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="variants")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["explainer", "audience"], name="one_variant_per_explainer_audience"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.explainer} for {self.audience}"


class Scenario(models.Model):
    """A short card: 'A customer asks …' → 'you …'."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="scenarios")
    position = models.PositiveIntegerField(default=0)
    situation = models.CharField(max_length=300)
    response = models.TextField()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.situation


class ExplainerRead(models.Model):
    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="explainer_reads")
    first_read_at = models.DateTimeField(default=timezone.now)
    is_helpful = models.BooleanField(null=True, blank=True)
    # How far down the page they got, in percent (sent by the page as they scroll; optional).
    progress = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            # Opening twice records one read (get_or_create); readiness counts rows.
            models.UniqueConstraint(fields=["explainer", "user"], name="one_read_per_explainer_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.explainer}"


class ExplainerQuestion(models.Model):
    """A question an employee asks from an explainer; marketing and IC see it on the campaign page."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    is_anonymous = models.BooleanField("ask anonymously", default=False)
    text = models.TextField("your question", max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def asked_by(self) -> str:
        if self.is_anonymous or self.author is None:
            return "Anonymous"
        return self.author.get_full_name() or self.author.username
