"""What marketing logs: a campaign with its embargo and status moves, key messages, assets and impacts.

The rules live here, in product words: `campaign.is_embargoed(at)`, `Campaign.objects.visible_to(user)`.
Views and tasks call these; they never rebuild them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from core import events
from people import roles
from people.models import Audience, MarcomTeam, validate_time_zone

User = settings.AUTH_USER_MODEL


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

    def for_user(self, user, pk: int, *, edit: bool = False, ic_only: bool = False) -> Campaign:
        """Campaign `pk` if this person may see it, else PermissionDenied (403) or Http404.

        edit=True: they must also be allowed to change it (IC, or its owner or team in marketing),
        and it must be open (not closed or cancelled). ic_only=True: only internal communications.
        Role checks come before the lookup, so people who may never do this learn nothing of which
        ids exist. Every view that takes a campaign id goes through here.
        """
        if not roles.can_manage_campaigns(user):
            raise PermissionDenied("This page is for marketing and internal communications.")
        if ic_only and not roles.is_ic(user):
            raise PermissionDenied("Only internal communications can do this.")
        try:
            campaign = self.get(pk=pk)
        except Campaign.DoesNotExist:
            raise Http404("No such campaign.") from None
        # Internal communications see every campaign: no second read of the row just fetched.
        if not roles.is_ic(user) and not self.visible_to(user).filter(pk=pk).exists():
            raise PermissionDenied("This campaign belongs to another team.")
        if edit and not campaign.can_edit(user):
            raise PermissionDenied("You may not edit this campaign.")
        if edit and not campaign.is_editable:
            raise PermissionDenied("A closed or cancelled campaign can no longer be changed.")
        return campaign

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
    # Status moves others hear about (core.events; notifications tells IC, or the owner and team).
    STATUS_EVENTS = {
        (Status.DRAFT, Status.SUBMITTED): events.CAMPAIGN_SUBMITTED,
        (Status.SUBMITTED, Status.APPROVED): events.CAMPAIGN_APPROVED,
        (Status.SUBMITTED, Status.DRAFT): events.CAMPAIGN_SENT_BACK,
        (Status.APPROVED, Status.SUBMITTED): events.CAMPAIGN_SUBMITTED,
    }
    # Moves only IC may make: review decisions (approve, send back to draft) and running the rollout.
    # Cancelling is for IC and the owner (Campaign.may_move).
    IC_ONLY_TARGETS = {Status.APPROVED, Status.DRAFT, Status.LIVE, Status.CLOSED}
    # What marketing writes about a campaign: the fields of the campaign form and the API's writable ones.
    EDITABLE_FIELDS = (
        "title",
        "concept",
        "details",
        "objectives",
        "go_live_at",
        "is_go_live_tentative",
        "embargo_until",
        "teams",
        "external_channels",
    )

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
    def waiting_for(self) -> str:
        """Who or what the campaign waits for next, in words (marketing's home page)."""
        if self.status == self.Status.DRAFT:
            if self.review_comment:
                return "You: IC sent it back with a comment; change it and submit again."
            return "You: submit it to IC when it is ready for the internal plan."
        if self.status == self.Status.SUBMITTED:
            return "IC: reviewing the internal plan."
        if self.is_paused:
            return "IC: the rollout is paused."
        if self.status in (self.Status.APPROVED, self.Status.LIVE):
            return "Nobody: the rollout runs by itself."
        return ""

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
        event = self.STATUS_EVENTS.get((current, target))
        if event:
            events.emit(event, campaign=self, actor=user, comment=comment)

    # Marketing's own bookkeeping: changing these after approval does not need IC to look again.
    REVIEW_FREE_FIELDS = frozenset({"external_channels", "teams"})

    def changes_go_back_to_review(self, user) -> bool:
        """Whether this person's changes send the campaign back to IC: marketing changing an approved one."""
        return self.status == self.Status.APPROVED and not roles.is_ic(user)

    def send_back_for_review(self, user, changed: list[str]) -> bool:
        """Before saving marketing's changes (`changed`, in words) to an approved campaign: back to IC review.

        The plan IC approved was for the campaign as it was, so nothing more is sent until IC approves
        again. Sets status and the recorded reason for the caller's save; False when it does not apply.
        """
        if not changed or not self.changes_go_back_to_review(user):
            return False
        self.status = self.Status.SUBMITTED
        reason = (
            f"Status → {self.Status.SUBMITTED.label}: changed after approval ({', '.join(changed)}); "
            "back to IC for review"
        )
        self._change_reason = "; ".join(filter(None, [getattr(self, "_change_reason", ""), reason]))
        # The caller saves next, in its transaction: IC hears of it once that has committed.
        transaction.on_commit(lambda: events.emit(events.CAMPAIGN_SUBMITTED, campaign=self, actor=user))
        return True

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


class AssetTag(models.Model):
    """A word marketing files assets under ("logo", "poster", "spring-2026"), lower case."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def split(raw: str) -> list[str]:
        """Comma-separated words as tag names: trimmed, lower case, each once, in order."""
        names = [part.strip().lower() for part in raw.split(",")]
        return list(dict.fromkeys(name for name in names if name))


class AssetQuerySet(models.QuerySet):
    """The asset library's rules.

    An asset is released when its origin campaign's embargo lifts (`released`). Wherever it is
    reused it also obeys the place it is shown: another campaign's explainer shows it only once
    that explainer is published *and* the asset is released; a briefing pack only once the pack is
    released to its presenter (and, for another campaign's asset, once that asset is released).
    """

    def released(self, at: datetime | None = None) -> AssetQuerySet:
        return self.filter(campaign__embargo_until__lte=at or timezone.now())

    def visible_to(self, user, at: datetime | None = None) -> AssetQuerySet:
        """The library this person may browse and reuse from.

        IC: every asset. Marketing: the assets of campaigns they manage (their own or reused into
        them), and every released asset (the organisation's, once public). Others: none.
        """
        if not user.is_authenticated:
            return self.none()
        if roles.is_ic(user):
            return self
        if not roles.is_marketing(user):
            return self.none()
        managed = Campaign.objects.visible_to(user).values("pk")
        reused_here = AssetReuse.objects.filter(asset=models.OuterRef("pk"), campaign__in=managed)
        return self.filter(
            Q(campaign__in=managed)
            | Q(campaign__embargo_until__lte=at or timezone.now())
            | Q(models.Exists(reused_here))
        )

    def for_user(self, user, pk: int, *, edit: bool = False) -> Asset:
        """Asset `pk` if this person may see it in the library, else PermissionDenied (403) or Http404.

        As Campaign.objects.for_user: the role check comes first; another team's asset of an
        embargoed campaign is 403 for marketing. edit=True: they must be able to edit its origin campaign.
        """
        if not roles.can_manage_campaigns(user):
            raise PermissionDenied("The asset library is for marketing and internal communications.")
        asset = self.select_related("campaign", "team", "uploaded_by").filter(pk=pk).first()
        if asset is None:
            raise Http404("No such asset.")
        if not self.visible_to(user).filter(pk=pk).exists():
            raise PermissionDenied("This asset belongs to another team's campaign, still under embargo.")
        if edit and not asset.can_edit(user):
            raise PermissionDenied("Only those who may edit its campaign can change this asset.")
        return asset

    def shown_with(self, campaign: Campaign, also: Q | None = None) -> AssetQuerySet:
        """Assets a campaign shows: its own and those it reuses; `also`, a place's own picks."""
        reused = AssetReuse.objects.filter(asset=models.OuterRef("pk"), campaign=campaign)
        return self.filter(Q(campaign=campaign) | Q(models.Exists(reused)) | (also or Q(pk__in=[])))

    def search(self, words: str) -> AssetQuerySet:
        """Assets whose caption, description, file name, link or tags match the words.

        PostgreSQL: full-text search (English stemming, every word must match) on caption and
        description, or a caption, file name or link containing the text, or a tag named by a word.
        SQLite: each word must appear in one of those fields (case-insensitive).
        """
        words = words.strip()
        if not words:
            return self
        tagged = AssetTag.objects.filter(
            assets=models.OuterRef("pk"), name__in=AssetTag.split(words.replace(" ", ","))
        )
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            document = SearchVector("caption", "description", config="english")
            text = SearchQuery(words, search_type="websearch", config="english")
            return self.annotate(document=document).filter(
                Q(document=text)
                | Q(caption__icontains=words)
                | Q(models.Exists(tagged))
                | Q(file__icontains=words)
                | Q(url__icontains=words)
            )
        matched = self
        for word in words.split():
            tag = AssetTag.objects.filter(assets=models.OuterRef("pk"), name=word.lower())
            matched = matched.filter(
                Q(caption__icontains=word)
                | Q(description__icontains=word)
                | Q(file__icontains=word)
                | Q(url__icontains=word)
                | Q(models.Exists(tag))
            )
        return matched

    def for_library(self) -> AssetQuerySet:
        """With what a library row shows, in a fixed number of queries."""
        return self.select_related("campaign", "team").prefetch_related("tags")


class Asset(models.Model):
    """Marketing's material: an uploaded file or a link (video, page, folder), owned by the organisation.

    It comes from one campaign (its origin, `campaign`, whose embargo it carries) and may be reused
    in other campaigns, explainers, briefing packs and deliverables without uploading it again.
    """

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

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="assets",
        verbose_name="origin campaign",
        help_text="The campaign it was made for: its embargo is the asset's.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=asset_upload_to, blank=True)
    url = models.URLField(blank=True)
    caption = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    team = models.ForeignKey(
        MarcomTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets",
        help_text="The MARCOM team that made it.",
    )  # fmt: skip
    tags = models.ManyToManyField(AssetTag, blank=True, related_name="assets")
    reused_in = models.ManyToManyField(
        Campaign, through="AssetReuse", blank=True, related_name="reused_assets"
    )
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])  # shown in the campaign's change history
    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Exactly one of file or link: templates and the explainer pick the source by kind.
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")), name="asset_file_xor_url"
            ),
        ]
        indexes = [
            # The library's filters by type and team (AssetQuerySet.visible_to + the filter form).
            models.Index(fields=["kind", "team"], name="asset_kind_team"),
        ]

    def __str__(self) -> str:
        return self.caption

    def get_absolute_url(self) -> str:
        return reverse("asset_detail", args=[self.pk])

    @property
    def href(self) -> str:
        """Where a page links to it: an uploaded file only through the view that checks the viewer."""
        if self.file:
            return reverse("asset_file", args=[self.campaign_id, self.pk])
        return self.url

    @property
    def file_name(self) -> str:
        return Path(self.file.name).name if self.file else ""

    @property
    def embargo_until(self) -> datetime:
        return self.campaign.embargo_until

    def is_embargoed(self, at: datetime | None = None) -> bool:
        """Embargoed while its origin campaign is: shown to no employee anywhere before then."""
        return self.campaign.is_embargoed(at)

    def can_edit(self, user) -> bool:
        """Those who may edit its origin campaign describe, tag and remove it."""
        return self.campaign.can_edit(user)

    def set_tags(self, names: list[str]) -> None:
        tags = [AssetTag.objects.get_or_create(name=name)[0] for name in names]
        self.tags.set(tags)

    def reuse_in(self, campaign: Campaign, user) -> AssetReuse:
        """Show this asset on another campaign too (and so on its explainer and packs); no new upload."""
        if campaign.pk == self.campaign_id:
            raise ValidationError({"asset": "This asset already belongs to that campaign."})
        reuse, _ = AssetReuse.objects.get_or_create(
            asset=self, campaign=campaign, defaults={"added_by": user}
        )
        return reuse

    @classmethod
    def kind_for_url(cls, url: str) -> str:
        from urllib.parse import urlparse

        host = (urlparse(url).hostname or "").lower()
        if any(host == h or host.endswith("." + h) for h in cls.VIDEO_HOSTS):
            return cls.Kind.VIDEO
        return cls.Kind.LINK


class AssetReuse(models.Model):
    """An asset of one campaign shown on another (its page, explainer and briefing packs)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="reuses")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="asset_reuses")
    added_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            # Asset.reuse_in uses get_or_create: a second reuse of the same asset is the same row.
            models.UniqueConstraint(fields=["asset", "campaign"], name="one_reuse_per_asset_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} in {self.campaign}"


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
