"""Briefings: team sessions at go-live, their packs, invitations, RSVPs, attendance and feedback.

The rules live here in product words: `Briefing.objects.visible_to(user)`, `briefing.is_pack_released(at)`,
`invitation.respond(answer)`, `briefing.invite_audiences()`; coverage per audience is in briefings/panels.py.

Longer than our ~500-line guide on purpose: Briefing's scheduling, invitation and pack rules are
its own methods (fat models), and Invitation and Feedback are the rows those rules write; a split
would put one rule's halves in two files.
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from campaigns.asset_uses import Use
from campaigns.models import Asset, Campaign
from core import events
from people import roles
from people.models import Audience, EmployeeProfile, validate_time_zone
from rollout.models import Delivery, RolloutStage

User = settings.AUTH_USER_MODEL

# Changing any of these changes what the invitee's calendar shows: bump SEQUENCE and send an update.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "time_zone", "place", "online_url")
# Why the presenter's delivery rows on their session's invitation stage are cancelled.
PRESENTS_IT = "Presents this briefing: not invited to it."


def record_campaign_note(campaign: Campaign, reason: str, user=None) -> None:
    """Add an entry with `reason` to the campaign's change history (simple_history), nothing else.

    simple_history keeps at most 100 characters of a reason; longer ones are cut with an ellipsis.
    """
    campaign._change_reason = reason if len(reason) <= 100 else reason[:99] + "…"
    if user is not None:
        campaign._history_user = user
    campaign.save(update_fields=["updated_at"])


class BriefingQuerySet(models.QuerySet):
    def visible_to(self, user) -> BriefingQuerySet:
        """IC all; marketing their campaigns'; presenters theirs; everyone the ones they are invited to."""
        if not user.is_authenticated:
            return self.none()
        if roles.is_ic(user):
            return self
        q = Q(presenter=user) | Q(Exists(Invitation.objects.filter(briefing=OuterRef("pk"), user=user)))
        if roles.is_marketing(user):
            q |= Q(campaign__in=Campaign.objects.visible_to(user).values("pk"))
        return self.filter(q)

    def scheduled(self) -> BriefingQuerySet:
        return self.exclude(status=Briefing.Status.CANCELLED)

    def sessions_by_audience(self, campaign_ids) -> list[tuple[int, int, datetime, int | None]]:
        """(campaign id, audience id, starts at, capacity) of each scheduled session, in one query."""
        through = Briefing.audiences.through.objects.filter(
            briefing__in=self.filter(campaign_id__in=campaign_ids).scheduled()
        )
        return list(
            through.values_list(
                "briefing__campaign_id", "audience_id", "briefing__starts_at", "briefing__capacity"
            )
        )

    def overlapping(self, starts_at: datetime, ends_at: datetime) -> BriefingQuerySet:
        return self.scheduled().filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def with_counts(self) -> BriefingQuerySet:
        """Invited / accepted / waiting / attended counts, in the same query."""
        return self.annotate(
            invited_count=Count("invitations", distinct=True),
            accepted_count=Count(
                "invitations",
                filter=Q(invitations__rsvp=Invitation.Rsvp.YES, invitations__is_waitlisted=False),
                distinct=True,
            ),
            waiting_count=Count("invitations", filter=Q(invitations__is_waitlisted=True), distinct=True),
            attended_count=Count(
                "invitations", filter=Q(invitations__attended_at__isnull=False), distinct=True
            ),
        )


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

    # The pack: what the presenter tells the room.
    why = models.TextField("why the campaign is running", blank=True)
    expected = models.TextField("what is expected of employees", blank=True)
    background = models.TextField("background to the approach", blank=True)
    key_messages = models.TextField(blank=True, help_text="One per line; copied from the campaign.")
    faq = models.TextField("FAQ", blank=True, help_text="Q: … then A: … on the next line.")
    speaker_notes = models.TextField(blank=True, help_text="Only presenters, IC and marketing see these.")
    pack_release_at = models.DateTimeField(
        null=True, blank=True, help_text="Presenters see the pack from then on; empty means at embargo-until."
    )
    # Library assets picked for the pack, beyond the campaign's own and reused ones.
    pack_assets = models.ManyToManyField(
        "campaigns.Asset", blank=True, related_name="briefing_packs", verbose_name="assets from the library"
    )

    invitation_stage = models.OneToOneField(
        RolloutStage, null=True, blank=True, on_delete=models.SET_NULL, related_name="briefing"
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_notes = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            # Forms report this as a field error first; the database refuses it regardless.
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="briefing_ends_after_start"
            ),
        ]
        indexes = [
            # Double-booking warnings look up a presenter's sessions by time.
            models.Index(fields=["presenter", "starts_at"], name="briefing_presenter_time"),
            # Planning's calendar, load and warnings read the briefings in a few weeks of all years.
            models.Index(fields=["starts_at"], name="briefing_starts_at"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("briefing_detail", args=[self.pk])

    # --- time ------------------------------------------------------------------------------
    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    def has_started(self, at: datetime | None = None) -> bool:
        return (at or timezone.now()) >= self.starts_at

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def accepts_rsvp(self, at: datetime | None = None) -> bool:
        return not self.is_cancelled and not self.has_started(at)

    # --- people ----------------------------------------------------------------------------
    def can_manage(self, user) -> bool:
        """Schedule, edit, invite, cancel and release: internal communications."""
        return roles.is_ic(user)

    def can_run(self, user) -> bool:
        """Take attendance and confirm delivery: the presenter of this briefing, or IC."""
        return roles.is_ic(user) or (user.is_authenticated and self.presenter_id == user.pk)

    def can_see_pack(self, user, at: datetime | None = None) -> bool:
        """IC and the campaign's marketing always; the presenter from the pack's release time."""
        if roles.is_ic(user):
            return True
        if (
            roles.is_marketing(user)
            and Campaign.objects.visible_to(user).filter(pk=self.campaign_id).exists()
        ):
            return True
        return self.presenter_id == user.pk and self.is_pack_released(at)

    @property
    def pack_release_time(self) -> datetime:
        return self.pack_release_at or self.campaign.embargo_until

    def is_pack_released(self, at: datetime | None = None) -> bool:
        return (at or timezone.now()) >= self.pack_release_time

    def set_pack_release(self, at: datetime | None, user) -> None:
        """Set when presenters see the pack; anything before the embargo lifts goes into campaign history."""
        self.pack_release_at = at
        self.save(update_fields=["pack_release_at"])
        if at is not None and at < self.campaign.embargo_until:
            local = at.astimezone(self.zone).strftime("%d %b %Y %H:%M %Z")
            record_campaign_note(
                self.campaign, f"Briefing pack released to presenter early ({local}): {self.title}", user
            )

    def copy_pack_from_campaign(self) -> None:
        """Fill an empty pack from the campaign: objectives as the why, its key messages one per line."""
        campaign = self.campaign
        if not self.why:
            self.why = campaign.objectives
        if not self.key_messages:
            self.key_messages = "\n".join(campaign.ordered_key_messages())
        if not self.expected:
            self.expected = "\n".join(i.what_to_do for i in campaign.impacts.all() if i.what_to_do)

    def key_message_list(self) -> list[str]:
        return [line.strip() for line in self.key_messages.splitlines() if line.strip()]

    def faq_items(self) -> list[tuple[str, str]]:
        """Parse 'Q: …' / 'A: …' lines into pairs; a question without an answer keeps an empty answer."""
        items: list[list[str]] = []
        for raw in self.faq.splitlines():
            line = raw.strip()
            if line[:2].lower() == "q:":
                items.append([line[2:].strip(), ""])
            elif line[:2].lower() == "a:" and items:
                items[-1][1] = (items[-1][1] + " " + line[2:].strip()).strip()
            elif line and items:
                target = 1 if items[-1][1] else 0
                items[-1][target] = (items[-1][target] + " " + line).strip()
        return [(q, a) for q, a in items]

    def scheduling_warnings(self) -> list[str]:
        """Double bookings that do not stop the save: the presenter, or an audience, is busy then."""
        warnings = []
        others = Briefing.objects.overlapping(self.starts_at, self.ends_at).exclude(pk=self.pk)
        if self.presenter_id:
            for other in others.filter(presenter_id=self.presenter_id).select_related("campaign"):
                warnings.append(
                    f"The presenter is already running “{other.title}” ({other.campaign}) at that time."
                )
        audience_ids = [a.pk for a in self.audiences.all()]
        clashes = (
            others.filter(audiences__in=audience_ids)
            .prefetch_related("audiences")
            .select_related("campaign")
            .distinct()
        )
        for other in clashes:
            shared = ", ".join(a.name for a in other.audiences.all() if a.pk in audience_ids)
            warnings.append(f"{shared} already has “{other.title}” ({other.campaign}) at that time.")
        return warnings

    # --- invitations -----------------------------------------------------------------------
    def was_announced_to(self, user) -> bool:
        """Did the engine send this person the briefing's invitation stage (e.g. they joined an audience later)?"""
        if not user.is_authenticated or self.invitation_stage_id is None:
            return False
        return self.invitation_stage.deliveries.filter(recipient=user, status=Delivery.Status.SENT).exists()

    def invitation_for(self, user) -> Invitation | None:
        """This person's invitation; for someone only announced to, an unsaved one their first answer saves."""
        invitation = self.invitations.filter(user=user).first() if user.is_authenticated else None
        if invitation is None and self.was_announced_to(user):
            invitation = Invitation(briefing=self, user=user, notified_sequence=self.sequence)
        return invitation

    def invite_audiences(self, at: datetime | None = None) -> int:
        """Invite every member of the briefing's audiences (again: only newcomers); returns how many are new.

        The invitation goes out as one "briefing invitation" rollout stage, with this briefing's .ics
        attached: the campaign plan's own unsent one when it has one (filled with this session), else a
        new one sent now. Later calls reuse it. The presenter is never invited to their own session.
        """
        at = at or timezone.now()
        audiences = list(self.audiences.all())
        members = Audience.users_in(audiences).exclude(pk=self.presenter_id)
        user_ids = list(members.values_list("pk", flat=True))
        with transaction.atomic():
            before = self.invitations.count()
            Invitation.objects.bulk_create(
                [Invitation(briefing=self, user_id=uid, notified_sequence=self.sequence) for uid in user_ids],
                ignore_conflicts=True,
            )
            added = self.invitations.count() - before
            if self.invitation_stage_id is None:
                self.invitation_stage = self._plans_invitation_stage() or RolloutStage(
                    campaign=self.campaign,
                    kind=RolloutStage.Kind.BRIEFING_INVITATION,
                    channels=[EmployeeProfile.Channel.IN_APP, EmployeeProfile.Channel.EMAIL],
                )
                self._fill_invitation_stage(at)
                self.save(update_fields=["invitation_stage"])
            else:
                self.refresh_invitation_stage()
        return added

    def _plans_invitation_stage(self) -> RolloutStage | None:
        """The campaign plan's unsent briefing-invitation stage that no session has taken yet."""
        return (
            self.campaign.stages.unsent()
            .filter(kind=RolloutStage.Kind.BRIEFING_INVITATION, briefing__isnull=True)
            .order_by("send_at", "pk")
            .first()
        )

    def refresh_invitation_stage(self) -> None:
        """After an edit: the presenter is no invitee, and an unsent invitation stage shows the session as it is."""
        self.invitations.filter(user_id=self.presenter_id).delete()
        stage = self.invitation_stage
        if stage is not None and stage.is_unsent and not self.is_cancelled:
            self._fill_invitation_stage()

    def _fill_invitation_stage(self, at: datetime | None = None) -> None:
        """Write this session into its (unsent) invitation stage: text, audiences, and the presenter left out.

        `at` is when the invitation should go at the latest: a new stage, or a planned one whose time
        has passed, is anchored there (to go-live, like every stage; the engine re-plans it).
        """
        stage, campaign = self.invitation_stage, self.campaign
        if at is not None and (stage.pk is None or stage.send_at < at):
            stage.offset_minutes = int((at - campaign.go_live_at).total_seconds() // 60)
        when = self.local_starts_at.strftime("%A %-d %B %Y, %H:%M") + f" ({self.time_zone})"
        url = settings.SITE_URL + self.get_absolute_url()
        stage.subject = f"You're invited: {_literal(self.title)}"
        stage.body = (
            "Hello {{ first_name }},\n\n"
            "You're invited to a team briefing on {{ campaign_title }}: "
            f"{_pasted(self.title)}, {when}, {_pasted(self.place or 'online')}.\n\n"
            "{{ concept }}\n\n"
            f"Please answer yes, no or maybe: {url}\n"
            f"Add it to your calendar: {url}ics"
        )
        # The text above never uses the embargoed details, so a hold for leaking them no longer applies.
        stage.state, stage.state_reason = RolloutStage.State.PLANNED, ""
        stage.save()
        stage.audiences.set(self.audiences.all())
        self._keep_presenter_off(stage)

    def _keep_presenter_off(self, stage: RolloutStage) -> None:
        """The presenter gets no invitation to their own session, though they may be in its audiences.

        A cancelled delivery row per channel does it: dispatch inserts deliveries with ignore_conflicts
        (one per stage, person and channel), so the engine neither sends this stage to them nor tops
        them up as a late joiner, and the stage's deliveries say why. A former presenter's rows go.
        """
        Delivery.objects.filter(
            stage=stage, status=Delivery.Status.CANCELLED, last_error=PRESENTS_IT
        ).exclude(recipient_id=self.presenter_id).delete()
        if self.presenter_id is None:
            return
        Delivery.objects.bulk_create(
            [
                Delivery(
                    stage=stage,
                    recipient_id=self.presenter_id,
                    channel=channel,
                    status=Delivery.Status.CANCELLED,
                    last_error=PRESENTS_IT,
                )
                for channel in EmployeeProfile.Channel.values
            ],
            ignore_conflicts=True,
        )

    def confirmed_count(self) -> int:
        return self.invitations.filter(rsvp=Invitation.Rsvp.YES, is_waitlisted=False).count()

    def has_free_seat(self) -> bool:
        return self.capacity is None or self.confirmed_count() < self.capacity

    def fill_seats_from_waiting_list(self) -> list[Invitation]:
        """Give free seats to the waiting list, first come first served; returns who moved up."""
        promoted = []
        for invitation in self.invitations.filter(is_waitlisted=True).order_by("waitlisted_at", "pk"):
            if not self.has_free_seat():
                break
            invitation.is_waitlisted = False
            invitation.waitlisted_at = None
            invitation.save(update_fields=["is_waitlisted", "waitlisted_at"])
            promoted.append(invitation)
        return promoted

    def bump_sequence(self) -> None:
        Briefing.objects.filter(pk=self.pk).update(sequence=models.F("sequence") + 1)
        self.refresh_from_db(fields=["sequence"])

    def cancel(self, user, at: datetime | None = None) -> None:
        at = at or timezone.now()
        self.status = self.Status.CANCELLED
        self.cancelled_at = at
        self.save(update_fields=["status", "cancelled_at"])
        self.bump_sequence()
        stage = self.invitation_stage
        if stage is not None and stage.is_unsent:
            stage.state = RolloutStage.State.CANCELLED
            stage.state_reason = f"Briefing “{self.title}” was cancelled."
            stage.save(update_fields=["state", "state_reason"])
        events.emit(events.BRIEFING_CHANGED, briefing=self, actor=user, change="cancelled")

    def confirm_delivered(self, notes: str, at: datetime | None = None) -> None:
        self.status = self.Status.DELIVERED
        self.delivered_at = at or timezone.now()
        self.delivered_notes = notes
        self.save(update_fields=["status", "delivered_at", "delivered_notes"])


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
    waitlisted_at = models.DateTimeField(null=True, blank=True)  # the waiting list's order
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    # The briefing SEQUENCE this person was last emailed about: a retried notice skips them.
    notified_sequence = models.PositiveIntegerField(default=0)
    # When the "tell us what you think" email went: each attendee gets it once.
    feedback_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["briefing", "invited_at", "pk"]
        constraints = [
            # Inviting an audience twice is a no-op (bulk_create with ignore_conflicts).
            models.UniqueConstraint(fields=["briefing", "user"], name="one_invitation_per_briefing_user"),
        ]
        indexes = [
            # fill_seats_from_waiting_list: the waiting list in order.
            models.Index(
                fields=["briefing", "waitlisted_at"],
                condition=Q(is_waitlisted=True),
                name="invitation_waitlist",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.briefing} ({self.rsvp})"

    @property
    def has_seat(self) -> bool:
        return self.rsvp == self.Rsvp.YES and not self.is_waitlisted

    @property
    def has_attended(self) -> bool:
        return self.attended_at is not None

    def respond(self, answer: str, at: datetime | None = None) -> list[Invitation]:
        """Record yes/no/maybe; a yes over capacity joins the waiting list, a freed seat moves it up.

        Returns the invitations that moved up from the waiting list. The briefing row is locked so
        two people taking the last seat at once cannot both get it.
        """
        at = at or timezone.now()
        with transaction.atomic():
            briefing = Briefing.objects.select_for_update().get(pk=self.briefing_id)
            current = Invitation.objects.select_for_update().get(pk=self.pk)
            had_seat = current.has_seat
            self.rsvp = answer
            self.responded_at = at
            if answer == self.Rsvp.YES:
                if not (had_seat or current.is_waitlisted):
                    self.is_waitlisted = not briefing.has_free_seat()
                    self.waitlisted_at = at if self.is_waitlisted else None
                else:
                    self.is_waitlisted = current.is_waitlisted
                    self.waitlisted_at = current.waitlisted_at
            else:
                self.is_waitlisted = False
                self.waitlisted_at = None
            self.save(update_fields=["rsvp", "responded_at", "is_waitlisted", "waitlisted_at"])
            return briefing.fill_seats_from_waiting_list() if had_seat and not self.has_seat else []


class FeedbackQuerySet(models.QuerySet):
    def for_campaign(self, campaign: Campaign) -> FeedbackQuerySet:
        return self.filter(briefing__campaign=campaign)

    def answered(self) -> FeedbackQuerySet:
        return self.exclude(question="").exclude(answer="")


class Feedback(models.Model):
    """One attendee's feedback on one briefing.

    Anonymous feedback has no link to the person: no user, a day (not a time) of submission and a
    random primary key, so neither insertion order nor timestamps line it up with invitations.
    To update rather than duplicate a second submission, every row carries `respondent_key`, a
    one-way keyed hash (HMAC with the site's SECRET_KEY) of (briefing, person): the app can find
    "this person's row" by recomputing it, but the stored value names nobody without the secret.
    """

    class Feeling(models.IntegerChoices):
        VERY_NEGATIVE = 1, "1 (very uneasy)"
        NEGATIVE = 2, "2 (uneasy)"
        NEUTRAL = 3, "3 (neutral)"
        POSITIVE = 4, "4 (positive)"
        VERY_POSITIVE = 5, "5 (very positive)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="feedback")
    respondent_key = models.CharField(max_length=64, editable=False)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_anonymous = models.BooleanField(default=False)
    feeling = models.PositiveSmallIntegerField(choices=Feeling.choices)
    support = models.TextField("how I can support it", blank=True)
    question = models.TextField("questions for marketing", blank=True)
    submitted_on = models.DateField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "feedback"
        ordering = ["briefing", "submitted_on", "id"]
        constraints = [
            # Feedback.submit updates the row with this key: a second submission never duplicates.
            models.UniqueConstraint(
                fields=["briefing", "respondent_key"], name="one_feedback_per_respondent"
            ),
            # Anonymous rows never carry a user; the summary and CSV rely on it.
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(user__isnull=True), name="anonymous_feedback_has_no_user"
            ),
            models.CheckConstraint(
                condition=Q(feeling__gte=1, feeling__lte=5), name="feedback_feeling_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.briefing} ({self.feeling}/5)"

    @staticmethod
    def key_for(briefing: Briefing, user) -> str:
        return salted_hmac(
            "briefings.feedback.respondent", f"{briefing.pk}:{user.pk}", algorithm="sha256"
        ).hexdigest()

    @classmethod
    def mine(cls, briefing: Briefing, user) -> Feedback | None:
        return cls.objects.filter(briefing=briefing, respondent_key=cls.key_for(briefing, user)).first()

    @classmethod
    def submit(
        cls, briefing: Briefing, user, *, feeling: int, support: str, question: str, is_anonymous: bool
    ):
        """Create or update this person's feedback; anonymous drops the user link."""
        values = {
            "feeling": feeling,
            "support": support,
            "question": question,
            "is_anonymous": is_anonymous,
            "user": None if is_anonymous else user,
            "submitted_on": timezone.now().date(),
        }
        before = cls.mine(briefing, user)
        feedback, _ = cls.objects.update_or_create(
            briefing=briefing, respondent_key=cls.key_for(briefing, user), defaults=values
        )
        if question and (before is None or before.question != question):
            events.emit(
                events.QUESTION_ASKED,
                campaign=briefing.campaign,
                actor=user,
                where=f"the briefing “{briefing.title}”",
                url=reverse("feedback_summary", args=[briefing.campaign_id]),
                question=question,
            )
        return feedback

    def asker(self):
        """Who asked: the named person; for anonymous feedback the attendee whose key matches,
        found through the briefing they gave it on (the row itself names nobody)."""
        if self.user_id is not None:
            return self.user
        invited = (i.user for i in self.briefing.invitations.select_related("user"))
        return next((u for u in invited if Feedback.key_for(self.briefing, u) == self.respondent_key), None)

    def answer_with(self, text: str, user) -> None:
        """Answer the question (or change the answer); only the asker hears of it."""
        self.answer, self.answered_by, self.answered_at = text, user, timezone.now()
        self.save(update_fields=["answer", "answered_by", "answered_at"])
        events.emit(
            events.QUESTION_ANSWERED,
            campaign=self.briefing.campaign,
            actor=user,
            asker=self.asker(),
            where=f"the briefing “{self.briefing.title}”",
            url=self.briefing.get_absolute_url() + "feedback/",
            answer=text,
        )

    @property
    def respondent_label(self) -> str:
        if self.is_anonymous or self.user is None:
            return "Anonymous"
        return self.user.get_full_name() or self.user.get_username()


def pack_assets(briefing: Briefing, user) -> list[Asset]:
    """What the pack lists for this person: the campaign's own and reused assets and the pack's picks.

    The presenter (not a manager) sees another campaign's asset only once it is released, as
    employees would: the pack's release time covers its own campaign's material only.
    """
    picked = Q(Exists(Briefing.pack_assets.through.objects.filter(briefing=briefing, asset=OuterRef("pk"))))
    assets = Asset.objects.shown_with(briefing.campaign, also=picked).order_by("created_at", "pk")
    if not (roles.is_ic(user) or Campaign.objects.visible_to(user).filter(pk=briefing.campaign_id).exists()):
        assets = assets.filter(
            Q(campaign=briefing.campaign_id) | Q(campaign__embargo_until__lte=timezone.now())
        )
    return list(assets)


def pack_shows_asset(user, asset) -> bool:
    """A presenter reads the pack's assets once it is released to them (campaigns.asset_access).

    Its own campaign's assets from the pack's release; another campaign's only once released too.
    """
    places = Q(campaign_id=asset.campaign_id)
    if not asset.is_embargoed():
        places |= Q(campaign__asset_reuses__asset=asset) | Q(pack_assets=asset)
    briefings = Briefing.objects.filter(places, presenter=user).select_related("campaign").distinct()
    return any(briefing.can_see_pack(user) for briefing in briefings)


def pack_uses(asset) -> list[Use]:
    """The briefing packs that picked the asset from the library (campaigns.asset_uses)."""
    briefings = Briefing.objects.filter(pack_assets=asset).select_related("campaign")
    return [
        Use("Briefing pack", b.title, reverse("briefing_pack", args=[b.pk]), b.campaign.embargo_until)
        for b in briefings
    ]


def faq_pairs(campaign: Campaign) -> list[tuple[str, str]]:
    """answered_questions as (question, answer) pairs: the explainer FAQ's source format."""
    return [(item["question"], item["answer"]) for item in answered_questions(campaign)]


def answered_questions(campaign: Campaign) -> list[dict]:
    """Questions from briefing feedback that marketing answered, for the explainer FAQ.

    Each item: {"question", "answer", "answered_at"}; no names, even for named feedback.
    """
    rows = Feedback.objects.for_campaign(campaign).answered().order_by("answered_at", "id")
    return [{"question": f.question, "answer": f.answer, "answered_at": f.answered_at} for f in rows]


def _pasted(text: str) -> str:
    """User text (a title, a place) pasted into a stage body stays text whatever renders the body.

    The composer renders the body as a template into a text and an HTML part, and may read it as
    Markdown: template syntax is kept verbatim, and angle and square brackets become character
    references, so no tag, autolink or Markdown link can form (HTML and Markdown show the characters
    themselves; the plain-text part shows the reference, only for titles or places that hold them).
    """
    for char, reference in (("<", "&lt;"), (">", "&gt;"), ("[", "&#91;"), ("]", "&#93;")):
        text = text.replace(char, reference)
    return _literal(text)


def _literal(text: str) -> str:
    """User text placed into a stage template (the composer renders Django template syntax) stays text."""
    if "{" not in text:
        return text
    return "{% verbatim %}" + text.replace("endverbatim", "end verbatim") + "{% endverbatim %}"
