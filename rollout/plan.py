"""The rollout plan of a campaign: the default stages, and keeping unsent stages in step with it.

`plan_campaign` runs after every Campaign save (a post_save receiver wired in CampaignsConfig.ready),
so the web form, the admin, the API and seed_demo all get the same behaviour without calling us.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from campaigns.models import Campaign
from people.models import EmployeeProfile
from rollout.composer import stage_reveals_details
from rollout.models import Delivery, RolloutStage

log = logging.getLogger(__name__)

DAY = 24 * 60
DEFAULT_PLAN_REASON = "Default plan"
ALL_CHANNELS = [EmployeeProfile.Channel.IN_APP.value, EmployeeProfile.Channel.EMAIL.value]


@dataclass(frozen=True)
class DefaultStage:
    kind: str
    offset_minutes: int
    subject: str
    body: str
    requires_acknowledgement: bool = False


DEFAULT_PLAN = (
    DefaultStage(
        RolloutStage.Kind.EARLY_WARNING,
        -14 * DAY,
        "Coming soon: {{ campaign_title }}",
        "Hello {{ first_name }},\n\n"
        "Here is an early look at a campaign that will affect your work: {{ campaign_title }}.\n\n"
        "{{ concept }}\n\n"
        "More detail follows on {{ embargo_until }}. It goes live on {{ go_live }}.",
    ),
    DefaultStage(
        RolloutStage.Kind.BRIEFING_INVITATION,
        -7 * DAY,
        "You are invited to a briefing on {{ campaign_title }}",
        "Hello {{ first_name }},\n\n"
        "{{ campaign_title }} goes live on {{ go_live }}. Join a short briefing to hear why, "
        "what is expected of you, and to share your ideas on how you can support it.\n\n"
        "Choose a session: {{ briefings_url }}",
    ),
    DefaultStage(
        RolloutStage.Kind.REMINDER,
        -1 * DAY,
        "Tomorrow: {{ campaign_title }}",
        "Hello {{ first_name }},\n\n"
        "A reminder that {{ campaign_title }} goes live on {{ go_live }}.\n\n"
        "{{ concept }}\n\nWhat it means for you: {{ explainer_url }}",
    ),
    DefaultStage(
        RolloutStage.Kind.GO_LIVE,
        0,
        "Live now: {{ campaign_title }}",
        "Hello {{ first_name }},\n\n"
        "{{ campaign_title }} is live from today.\n\n{{ details }}\n\n"
        "What it means for you, and how to answer customers: {{ explainer_url }}\n\n"
        "Please confirm you have read this.",
        requires_acknowledgement=True,
    ),
    DefaultStage(
        RolloutStage.Kind.FOLLOW_UP,
        7 * DAY,
        "How is {{ campaign_title }} going for you?",
        "Hello {{ first_name }},\n\n"
        "{{ campaign_title }} has been live for a week. How do you feel about it, what are customers "
        "asking, and how could we support you better? Tell us: {{ inbox_url }}",
    ),
)


def create_default_plan(campaign: Campaign) -> list[RolloutStage]:
    """The sensible starting plan IC then edits; audiences stay empty (= medium and high impact ones)."""
    stages = []
    for spec in DEFAULT_PLAN:
        stages.append(
            _planned_stage(
                campaign,
                kind=spec.kind,
                offset_minutes=spec.offset_minutes,
                channels=list(ALL_CHANNELS),
                subject=spec.subject,
                body=spec.body,
                requires_acknowledgement=spec.requires_acknowledgement,
            )
        )
    # History rows too, so IC's first edit of a default stage shows old → new (rollout.history).
    return bulk_create_with_history(stages, RolloutStage, default_change_reason=DEFAULT_PLAN_REASON)


def leak_reason(stage: RolloutStage, campaign: Campaign) -> str:
    """Why this stage may not go at its send time, or "" when it is safe."""
    if stage_reveals_details(stage) and stage.send_at < campaign.embargo_until:
        local = campaign.embargo_until.astimezone(zoneinfo.ZoneInfo(campaign.time_zone))
        return (
            "Held: it would reveal the embargoed details before the embargo lifts "
            f"({local:%d %b %Y %H:%M %Z}). Move the stage or take {{{{ details }}}} out."
        )
    return ""


def _hold_if_leaking(stage: RolloutStage, campaign: Campaign) -> None:
    reason = leak_reason(stage, campaign)
    if reason:
        stage.state, stage.state_reason = RolloutStage.State.HELD, reason
    elif stage.state == RolloutStage.State.HELD:
        stage.state, stage.state_reason = RolloutStage.State.PLANNED, ""


def replan(campaign: Campaign) -> None:
    """Keep unsent stages in step with the campaign: send times, embargo holds, cancellation."""
    if campaign.status == Campaign.Status.CANCELLED:
        cancel_unsent(campaign)
        return
    unsent = list(campaign.stages.unsent())
    changed = []
    for stage in unsent:
        before = (stage.send_at, stage.state, stage.state_reason)
        stage.campaign = campaign
        stage.send_at = stage.compute_send_at()
        _hold_if_leaking(stage, campaign)
        if (stage.send_at, stage.state, stage.state_reason) != before:
            changed.append(stage)
    if changed:
        RolloutStage.objects.bulk_update(changed, ["send_at", "state", "state_reason"])
        log.info("campaign %s: re-planned %d stage(s)", campaign.pk, len(changed))


def cancel_unsent(campaign: Campaign) -> None:
    """Cancelling stops everything not yet sent: unsent stages and unsent email deliveries."""
    reason = "Cancelled with the campaign."
    campaign.stages.unsent().update(state=RolloutStage.State.CANCELLED, state_reason=reason)
    campaign.stages.filter(state=RolloutStage.State.SENDING).update(
        state=RolloutStage.State.CANCELLED, state_reason="Cancelled with the campaign while sending."
    )
    Delivery.objects.filter(
        stage__campaign=campaign, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    ).update(status=Delivery.Status.CANCELLED, last_error=reason, claimed_at=None)


def plan_campaign(sender, instance: Campaign, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save receiver: a new campaign gets the default plan; any change re-plans unsent stages."""
    if raw:  # loaddata: fixtures carry their own stages
        return
    if created:
        if getattr(instance, "_duplicated_from", None) is None:  # a copy brings its source's plan
            create_default_plan(instance)
    else:
        replan(instance)


def pause(campaign: Campaign, at=None) -> None:
    campaign.paused_at = at or timezone.now()
    campaign._change_reason = "Rollout paused"
    campaign.save(update_fields=["paused_at", "updated_at"])


def resume(campaign: Campaign) -> None:
    """Resume sending; stages that fell due meanwhile follow the overdue rule (only the latest goes).

    So does the unsent rest of a stage the pause interrupted (dispatch.claim_due_stages).
    """
    campaign.paused_at = None
    campaign._change_reason = "Rollout resumed"
    campaign.save(update_fields=["paused_at", "updated_at"])


COPIED_PLAN_REASON = "Copied with the campaign"


def _planned_stage(campaign: Campaign, **fields) -> RolloutStage:
    """An unsaved planned stage of `campaign`: its send time from go-live, held if it would leak."""
    stage = RolloutStage(campaign=campaign, **fields)
    stage.send_at = stage.compute_send_at()
    _hold_if_leaking(stage, campaign)
    return stage


def copy_plan(source: Campaign, copy: Campaign) -> None:
    """core.copiers: the source's stages on the copy, each at the same offset from the copy's go-live.

    What was planned, not what happened: every copy is planned (or held if it would leak the
    embargoed details), with no sent state, deliveries or claims.
    """
    stages = list(source.stages.prefetch_related("audiences").order_by("send_at", "pk"))
    copies = [
        _planned_stage(
            copy,
            kind=stage.kind,
            offset_minutes=stage.offset_minutes,
            channels=list(stage.channels),
            subject=stage.subject,
            body=stage.body,
            requires_acknowledgement=stage.requires_acknowledgement,
        )
        for stage in stages
    ]
    created = bulk_create_with_history(copies, RolloutStage, default_change_reason=COPIED_PLAN_REASON)
    through = RolloutStage.audiences.through
    through.objects.bulk_create(
        through(rolloutstage_id=new.pk, audience_id=audience.pk)
        for stage, new in zip(stages, created, strict=True)
        for audience in stage.audiences.all()
    )
