"""What an action sends now, so the page can say so and ask first (nothing goes out by surprise).

Approving a campaign, resuming its rollout, saving a stage and inviting a briefing's audiences can
each make the next dispatch tick send at once. `send_or_ask` runs the action inside a savepoint and
reads what the tick would then send with the engine's own rules: the due stages
(RolloutStage.objects.due), the overdue rule (dispatch.choose_due) and the embargo hold
(dispatch.hold_reason), with people counted by RolloutStage.recipients(). When that is something new
and the person has not confirmed, the savepoint is rolled back: nothing is changed and nothing is sent,
and the page shows the plan with a "send now" button that posts `confirm`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from campaigns.models import Campaign
from people.models import EmployeeProfile
from rollout import dispatch
from rollout.models import Delivery, RolloutStage

CHANNEL_WORDS = {c.value: c.label.lower() for c in EmployeeProfile.Channel}


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def _and(words: Iterable[str]) -> str:
    words = list(words)
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


@dataclass(frozen=True)
class Send:
    stage_id: int
    kind: str
    people: int
    channels: tuple[str, ...]
    remainder: bool = False  # the unsent rest of a stage a pause interrupted

    def __str__(self) -> str:
        if self.remainder:
            return f"the rest of {self.kind}: {self.people} email{'s' if self.people != 1 else ''}"
        return (
            f"{self.kind} to {_people(self.people)}, {_and(CHANNEL_WORDS.get(c, c) for c in self.channels)}"
        )


@dataclass(frozen=True)
class SendPlan:
    """What the next tick sends for one campaign; false when it sends nothing new."""

    sends: tuple[Send, ...] = ()
    skipped: tuple[str, ...] = ()  # sentences: the earlier overdue stages the overdue rule skips

    def __bool__(self) -> bool:
        return bool(self.sends)


def due_now(campaign_id: int, now: datetime) -> SendPlan:
    """What the next tick at `now` sends for this campaign, as the database holds it."""
    waiting = {
        row["stage_id"]: row
        for row in Delivery.objects.filter(
            stage__campaign_id=campaign_id,
            stage__state=RolloutStage.State.SENDING,
            stage__campaign__status__in=dispatch.RUNNING,
            stage__campaign__paused_at__isnull=True,
            status=Delivery.Status.PENDING,
            channel=dispatch.EMAIL,
        )
        .values("stage_id", "stage__kind")
        .annotate(n=Count("pk"))
        .order_by("stage_id")
    }
    due = list(RolloutStage.objects.due(now).filter(campaign_id=campaign_id).select_related("campaign"))
    sends, skipped, skipped_ids = [], [], set()
    if due:
        # As dispatch.claim_due_stages: stages interrupted mid-send take part in the overdue rule.
        interrupted = dispatch.interrupted_stages({campaign_id}).get(campaign_id, [])
        group = sorted([*due, *interrupted], key=lambda s: (s.send_at, s.pk))
        to_send, skipped_stages = dispatch.choose_due(group)
        latest = group[-1].get_kind_display()
        for stage in skipped_stages:
            what = (
                f"the rest of {stage.get_kind_display()}" if stage.pk in waiting else stage.get_kind_display()
            )
            skipped.append(f"Skipped: {what} (overdue; the later “{latest}” reaches the same people)")
            skipped_ids.add(stage.pk)
        for stage in sorted(to_send, key=lambda s: (s.send_at, s.pk)):
            if stage.state == RolloutStage.State.PLANNED and not dispatch.hold_reason(stage, now):
                people = stage.recipients().count()
                sends.append(Send(stage.pk, stage.get_kind_display(), people, tuple(stage.channels)))
    kinds = dict(RolloutStage.Kind.choices)
    for stage_id, row in waiting.items():
        if stage_id not in skipped_ids:
            sends.append(
                Send(stage_id, kinds[row["stage__kind"]], row["n"], (dispatch.EMAIL,), remainder=True)
            )
    return SendPlan(tuple(sends), tuple(skipped))


def _new_sends(campaign_id: int, action: Callable[[], Any], now: datetime) -> tuple[Any, SendPlan]:
    before = due_now(campaign_id, now)
    result = action()
    after = due_now(campaign_id, now)
    if all(send in before.sends for send in after.sends):
        return result, SendPlan()
    return result, after


def send_or_ask(
    campaign: Campaign, action: Callable[[], Any], *, confirmed: bool, now: datetime | None = None
) -> tuple[Any, SendPlan]:
    """Do `action()` and return (its result, an empty plan); or, when it would send something now and
    is not `confirmed`, undo it and return (None, what it would send) for the page to ask about.

    After an undo, objects the action changed in memory still hold those changes: render, don't save.
    """
    if confirmed:
        return action(), SendPlan()
    with transaction.atomic():
        result, plan = _new_sends(campaign.pk, action, now or timezone.now())
        if plan:
            transaction.set_rollback(True)
            return None, plan
    return result, plan


def confirmation_page(
    request: HttpRequest, campaign: Campaign, plan: SendPlan, *, heading: str, button: str, cancel_url: str
) -> HttpResponse:
    """The page that asks: what sends now, a button that posts the same request again with `confirm`, Cancel."""
    context = {
        "heading": heading,
        "campaign": campaign,
        "plan": plan,
        "action_url": request.path,
        "hidden": [(k, v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "confirm")],
        "button": button,
        "cancel_url": cancel_url,
    }
    return render(request, "confirm_send.html", context)


def overdue_notes(
    campaign: Campaign, stages: list[RolloutStage], default_audience_ids: set[int], now
) -> dict:
    """{stage pk: "Overdue: …"} for planned stages whose send time has passed, as the timeline says it.

    Uses prefetched audiences (no queries): stages without their own go to `default_audience_ids`.
    """
    overdue = [s for s in stages if s.state == RolloutStage.State.PLANNED and s.send_at <= now]
    if not overdue:
        return {}
    _, skipped = dispatch.choose_due(
        overdue, lambda s: {a.pk for a in s.audiences.all()} or set(default_audience_ids)
    )
    if campaign.status not in dispatch.RUNNING:
        when = "at the next tick once approved"
    elif campaign.is_paused:
        when = "when the rollout resumes"
    else:
        when = "at the next tick"
    latest = overdue[-1].get_kind_display()
    return {
        s.pk: f"Overdue: skipped {when} (the later “{latest}” reaches the same people)"
        if s in skipped
        else f"Overdue: sends {when}"
        for s in overdue
    }
