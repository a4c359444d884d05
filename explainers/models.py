"""What employees read beyond announcements: explainers with per-audience parts, scenarios, reads, questions.

These tables were created by the campaigns app and keep their names (`db_table`).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from campaigns.asset_uses import Use
from campaigns.models import Asset, Campaign, Impact
from core import events
from people.models import Audience
from rollout.models import Delivery

User = settings.AUTH_USER_MODEL


def relevant_campaigns(user, audience_ids: set[int]):
    """Campaigns that warned this person in-app, or that name one of their audiences once approved."""
    warned = Delivery.objects.in_app_for(user).filter(stage__campaign=models.OuterRef("pk"))
    running = [Campaign.Status.APPROVED, Campaign.Status.LIVE, Campaign.Status.CLOSED]
    affected = Impact.objects.filter(
        campaign=models.OuterRef("pk"), audience__in=audience_ids, campaign__status__in=running
    )
    return Campaign.objects.filter(Q(models.Exists(warned)) | Q(models.Exists(affected))).exclude(
        status=Campaign.Status.CANCELLED
    )


class ExplainerQuerySet(models.QuerySet):
    def published(self, now: datetime | None = None) -> ExplainerQuerySet:
        """Explainers readable now: published, and never before their campaign's embargo lifts
        (the query form of Explainer.is_published, for the asset-file check)."""
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
    # Library assets IC picked for this explainer, beyond the campaign's own and reused ones.
    assets = models.ManyToManyField(
        "campaigns.Asset", blank=True, related_name="explainers", verbose_name="assets from the library"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExplainerQuerySet.as_manager()

    class Meta:
        db_table = "campaigns_explainer"  # moved from campaigns: the table keeps its name

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


def explainer_assets(campaign: Campaign, explainer: Explainer | None, *, released_at: datetime | None = None):
    """What an explainer shows: its campaign's own and reused assets and its own picks.

    released_at: only assets released by then (what employees see: a reused asset also waits for
    its origin campaign's embargo, however early this explainer is published).
    """
    picked = None
    if explainer is not None and explainer.pk:
        picked = Q(
            models.Exists(
                Explainer.assets.through.objects.filter(explainer=explainer, asset=models.OuterRef("pk"))
            )
        )
    assets = Asset.objects.shown_with(campaign, also=picked)
    if released_at is not None:
        assets = assets.released(released_at)
    return assets.order_by("created_at", "pk")


def explainer_shows_asset(user, asset) -> bool:
    """A published explainer that shows the asset, once the asset itself is released (campaigns.asset_access)."""
    if asset.is_embargoed():
        return False
    places = Q(campaign_id=asset.campaign_id) | Q(campaign__asset_reuses__asset=asset) | Q(assets=asset)
    return Explainer.objects.published().filter(places).exists()


def explainer_uses(asset) -> list[Use]:
    """The explainers that picked the asset from the library (campaigns.asset_uses)."""
    uses = []
    for e in Explainer.objects.filter(assets=asset).select_related("campaign"):
        publishes_on = e.publishes_on()
        title = e.campaign.title if publishes_on else f"{e.campaign.title} (not scheduled yet)"
        url = reverse("explainer_edit", args=[e.campaign_id])
        uses.append(Use("Explainer", title, url, publishes_on or e.campaign.embargo_until))
    return uses


class ExplainerVariant(models.Model):
    """What the campaign means for one audience; each employee sees their audiences' variants."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="variants")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()

    class Meta:
        db_table = "campaigns_explainervariant"  # moved from campaigns: the table keeps its name
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
        db_table = "campaigns_scenario"  # moved from campaigns: the table keeps its name
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
        db_table = "campaigns_explainerread"  # moved from campaigns: the table keeps its name
        constraints = [
            # Opening twice records one read (get_or_create); readiness counts rows.
            models.UniqueConstraint(fields=["explainer", "user"], name="one_read_per_explainer_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.explainer}"


class ExplainerQuestion(models.Model):
    """A question an employee asks from an explainer; marketing and IC see it on the campaign page,
    answer it there, and the answer joins the explainer's FAQ (without names).

    An anonymous question keeps its author only so the answer reaches them (core.events); it is
    never shown to anyone (`asked_by` says "Anonymous").
    """

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    is_anonymous = models.BooleanField("ask anonymously", default=False)
    text = models.TextField("your question", max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "campaigns_explainerquestion"  # moved from campaigns: the table keeps its name
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def asked_by(self) -> str:
        if self.is_anonymous or self.author is None:
            return "Anonymous"
        return self.author.get_full_name() or self.author.username

    @property
    def is_answered(self) -> bool:
        return bool(self.answer)

    @classmethod
    def ask(cls, explainer: Explainer, author, *, text: str, is_anonymous: bool = False) -> ExplainerQuestion:
        """Record the question; the campaign's owner and IC hear of it (never who asked)."""
        question = cls.objects.create(
            explainer=explainer, author=author, text=text, is_anonymous=is_anonymous
        )
        events.emit(
            events.QUESTION_ASKED,
            campaign=explainer.campaign,
            actor=author,
            where=f"the explainer “{explainer.campaign.title}”",
            url=explainer.campaign.get_absolute_url() + "#explainer-panel-h",
            question=text,
        )
        return question

    def answer_with(self, text: str, user) -> None:
        """Answer it (or change the answer); the asker hears of it, anonymous or not."""
        self.answer, self.answered_by, self.answered_at = text, user, timezone.now()
        self.save(update_fields=["answer", "answered_by", "answered_at"])
        events.emit(
            events.QUESTION_ANSWERED,
            campaign=self.explainer.campaign,
            actor=user,
            asker=self.author,
            where=f"the explainer “{self.explainer.campaign.title}”",
            url=self.explainer.get_absolute_url() + "#faq-h",
            answer=text,
        )


def answered_questions(campaign: Campaign) -> list[tuple[str, str]]:
    """Explainer questions marketing or IC answered, for the explainer FAQ (explainers.faq); no names."""
    rows = ExplainerQuestion.objects.filter(explainer__campaign=campaign).exclude(answer="")
    return [(q.text, q.answer) for q in rows.order_by("answered_at", "pk")]
