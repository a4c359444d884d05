"""The MARCOM workplan of a campaign: its brief, each team's workstream and their deliverables.

Who may see it: IC (everything) and marketing people who may see the campaign (every workstream
on it); employees and presenters never. Who may change it: a team's members their team's
workstream, IC its own (the workstream with no team). The rules live here, in product words:
`Workstream.objects.visible_to(user)`, `workstream.can_edit(user)`, `deliverable.due_at`,
`deliverable.is_overdue(now)`, `deliverable.dependencies_due_later()`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaigns.models import Asset, Campaign
from people import roles
from people.models import MarcomTeam
from rollout.models import shift_by_offset

User = settings.AUTH_USER_MODEL

# A deliverable not done within this many days of its due date is "at risk".
AT_RISK_WITHIN = timedelta(days=3)


class CampaignBrief(models.Model):
    """What every team works from: positioning, the main message, who we sell to, and the creatives.

    Embargoed like the campaign's details: only the people who may see the campaign's workplan read it.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="brief")
    positioning = models.TextField(blank=True)
    main_message = models.TextField(blank=True)
    target_customers = models.TextField(blank=True)
    creatives = models.ManyToManyField(Asset, blank=True, related_name="briefs")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    def __str__(self) -> str:
        return f"Brief for {self.campaign}"

    def get_absolute_url(self) -> str:
        return reverse("brief", args=[self.campaign_id])

    def last_seen_by(self, user) -> datetime | None:
        seen = self.views.filter(user=user).values_list("seen_at", flat=True).first()
        return seen

    def mark_seen(self, user, at: datetime | None = None) -> None:
        BriefView.objects.update_or_create(brief=self, user=user, defaults={"seen_at": at or timezone.now()})


class BriefObjective(models.Model):
    """An objective with a measurable target: "sign-ups" → 10,000 "accounts"."""

    brief = models.ForeignKey(CampaignBrief, on_delete=models.CASCADE, related_name="objectives")
    description = models.CharField(max_length=200)
    metric = models.CharField(max_length=100, help_text="What is counted, e.g. new accounts.")
    target = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=30, blank=True, help_text="e.g. %, accounts, visits")

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            # A target is something to reach, never a negative number; the form says so first.
            models.CheckConstraint(condition=Q(target__gte=0), name="objective_target_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description


class BriefChannel(models.Model):
    """An external channel of the campaign, with its budget cap (and price model when paid)."""

    class Kind(models.TextChoices):
        OWNED = "owned", "Owned"
        PAID = "paid", "Paid"
        EARNED = "earned", "Earned"

    class Pricing(models.TextChoices):
        NONE = "", "—"
        CPC = "cpc", "Cost per click (CPC)"
        CPM = "cpm", "Cost per thousand impressions (CPM)"

    brief = models.ForeignKey(CampaignBrief, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    name = models.CharField(max_length=100, help_text="e.g. Website, LinkedIn ads, trade press")
    budget_cap = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    pricing = models.CharField(max_length=3, choices=Pricing.choices, blank=True)
    rate = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="The CPC or CPM bid cap."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            # CPC/CPM describe what paid media costs; the brief page shows them only for paid channels.
            models.CheckConstraint(condition=Q(kind="paid") | Q(pricing=""), name="pricing_only_for_paid"),
            models.CheckConstraint(
                condition=Q(budget_cap__gte=0) | Q(budget_cap=None), name="budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class BriefView(models.Model):
    """When a person last looked at a brief: what changed since is shown to them."""

    brief = models.ForeignKey(CampaignBrief, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            # mark_seen updates in place; one row per person and brief.
            models.UniqueConstraint(fields=["brief", "user"], name="one_brief_view_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} saw {self.brief} at {self.seen_at}"


class WorkstreamQuerySet(models.QuerySet):
    def visible_to(self, user) -> WorkstreamQuerySet:
        """IC: all; marketing: every workstream on the campaigns they may see; others: none."""
        return self.filter(campaign__in=Campaign.objects.visible_to(user).values("pk"))


class Workstream(models.Model):
    """One team's part of a campaign. The workstream with no team is IC's."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="workstreams")
    team = models.ForeignKey(
        MarcomTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="workstreams"
    )
    lead = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkstreamQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "team__name"]
        constraints = [
            # Workstream.objects.for_team uses get_or_create; one per team per campaign ...
            models.UniqueConstraint(
                fields=["campaign", "team"], condition=Q(team__isnull=False), name="one_workstream_per_team"
            ),
            # ... and one for IC (no team).
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(team__isnull=True), name="one_ic_workstream_per_campaign"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.name}"

    @property
    def name(self) -> str:
        return self.team.name if self.team_id else "Internal communications"

    @property
    def is_ic(self) -> bool:
        return self.team_id is None

    def can_edit(self, user) -> bool:
        return can_edit_team(user, self.team_id)

    @classmethod
    def for_team(cls, campaign: Campaign, team: MarcomTeam | None) -> Workstream:
        workstream, _ = cls.objects.get_or_create(campaign=campaign, team=team)
        return workstream


def can_edit_team(user, team_id: int | None) -> bool:
    """Whose workstream this person may change: IC's own (no team), or a team they belong to."""
    if team_id is None:
        return roles.is_ic(user)
    if not roles.is_marketing(user):
        return False
    return team_id in team_ids_of(user)


def team_ids_of(user) -> set[int]:
    """The MARCOM teams a person belongs to, cached on the instance for the request."""
    cached = getattr(user, "_marcom_team_ids", None)
    if cached is None:
        cached = set(MarcomTeam.objects.filter(members=user).values_list("pk", flat=True))
        user._marcom_team_ids = cached
    return cached


class DeliverableQuerySet(models.QuerySet):
    def visible_to(self, user) -> DeliverableQuerySet:
        return self.filter(workstream__campaign__in=Campaign.objects.visible_to(user).values("pk"))

    def open(self) -> DeliverableQuerySet:
        return self.exclude(status=Deliverable.Status.DONE).exclude(
            workstream__campaign__status__in=[Campaign.Status.CANCELLED, Campaign.Status.CLOSED]
        )

    def owned_by(self, user) -> DeliverableQuerySet:
        return self.filter(owner=user)

    def of_team(self, team: MarcomTeam) -> DeliverableQuerySet:
        return self.filter(Q(workstream__team=team) | Q(shared_with=team))

    def overdue(self, now: datetime) -> DeliverableQuerySet:
        """Not done and past due: what the notifications app may tell owners about."""
        return self.open().filter(due_at__lt=now)

    def due_between(self, start: datetime, end: datetime) -> DeliverableQuerySet:
        return self.filter(due_at__gte=start, due_at__lt=end)

    def for_pages(self) -> DeliverableQuerySet:
        """What the workplan and My work pages draw, in a fixed number of queries."""
        return self.select_related(
            "workstream__team", "workstream__campaign", "owner", "shared_with"
        ).prefetch_related(
            "assets",
            models.Prefetch("depends_on", queryset=Deliverable.objects.only("pk", "title", "due_at")),
        )


class Deliverable(models.Model):
    """A piece of work with a workback due date: go-live + offset_days, at go-live's wall-clock time."""

    class Type(models.TextChoices):
        PRESS_RELEASE = "press_release", "Press release"
        MEDIA_LIST = "media_list", "Media list"
        BLOG_POST = "blog_post", "Blog post"
        WEB_CONTENT = "web_content", "Web content"
        AD_CREATIVE = "ad_creative", "Ad creative"
        SOCIAL_POST = "social_post", "Social post"
        EVENT = "event", "Event"
        INFLUENCER_BRIEF = "influencer_brief", "Influencer brief"
        EMAIL = "email", "Email"
        VIDEO = "video", "Video"
        INTERNAL_ANNOUNCEMENT = "internal_announcement", "Internal announcement"
        OTHER = "other", "Other"

    class Channel(models.TextChoices):
        OWNED = "owned", "Owned media"
        PAID = "paid", "Paid advertising"
        EARNED = "earned", "Earned media"
        SOCIAL = "social", "Social media"
        PRESS = "press", "Press"
        EVENTS = "events", "Events"
        INTERNAL = "internal", "Internal"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        IN_REVIEW = "in_review", "In review"
        DONE = "done", "Done"

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=24, choices=Type.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliverables"
    )
    offset_days = models.IntegerField(
        "due (days from go-live)", help_text="Workback: -21 is three weeks before go-live; 0 is go-live day."
    )
    due_at = models.DateTimeField(help_text="go-live + offset_days, kept in step by schedule.follow_go_live.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    assets = models.ManyToManyField(Asset, blank=True, related_name="deliverables")
    shared_with = models.ForeignKey(
        MarcomTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="shared_deliverables"
    )
    depends_on = models.ManyToManyField("self", blank=True, symmetrical=False, related_name="dependents")
    # The due date an overdue notice went out for (schedule.announce_overdue): once per due date.
    overdue_announced_for = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "due_at", "overdue_announced_for"])
    objects = DeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            # My work and the digest: an owner's open deliverables by due date.
            models.Index(fields=["owner", "due_at"], name="deliverable_owner_due"),
            # The calendar and the overdue check read deliverables by due date.
            models.Index(fields=["due_at"], condition=~Q(status="done"), name="deliverable_open_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.offset_days is not None and self.workstream_id:
            self.due_at = self.compute_due_at()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("deliverable_edit", args=[self.workstream.campaign_id, self.pk])

    def compute_due_at(self, campaign: Campaign | None = None) -> datetime:
        campaign = campaign or self.workstream.campaign
        return shift_by_offset(campaign.go_live_at, self.offset_days * 24 * 60, campaign.time_zone)

    @property
    def campaign(self) -> Campaign:
        return self.workstream.campaign

    @property
    def team_name(self) -> str:
        return self.workstream.name

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    def is_overdue(self, now: datetime | None = None) -> bool:
        return not self.is_done and self.due_at < (now or timezone.now())

    def is_at_risk(self, now: datetime | None = None) -> bool:
        """Due soon and not yet in review: likely to slip."""
        now = now or timezone.now()
        return (
            self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS)
            and now <= self.due_at < now + AT_RISK_WITHIN
        )

    def urgency(self, now: datetime | None = None) -> int:
        """0 overdue, 1 at risk, 2 open, 3 done: pages list the most urgent first."""
        if self.is_done:
            return 3
        if self.is_overdue(now):
            return 0
        return 1 if self.is_at_risk(now) else 2

    def dependencies_due_later(self) -> list[Deliverable]:
        """What this needs that is due after it ("creatives before paid social" planned the wrong way)."""
        return [d for d in self.depends_on.all() if d.due_at > self.due_at]

    @property
    def offset_label(self) -> str:
        if self.offset_days == 0:
            return "go-live day"
        days = abs(self.offset_days)
        unit = "day" if days == 1 else "days"
        return f"{days} {unit} {'before' if self.offset_days < 0 else 'after'} go-live"

    def share_with(self, team: MarcomTeam) -> None:
        """The "same work: share it" answer: the other team works on this one instead of a copy."""
        self.shared_with = team
        self._change_reason = f"Shared with {team.name} instead of a duplicate"
        self.save(update_fields=["shared_with", "updated_at"])
