"""The dispatch engine: one tick claims due stages in the database and fans them out.

The database holds the schedule and every claim (shared/RELIABILITY.md): beat only ticks, a tick is
harmless to run twice or concurrently, and work whose claim went stale (no heartbeat) is taken
again by a later tick, so a SIGKILLed worker loses nothing.

- A stage is claimed with SELECT … FOR UPDATE SKIP LOCKED inside a transaction (PostgreSQL); on
  SQLite the IMMEDIATE transaction (settings) takes the write lock up front, which serialises ticks.
- Every recipient gets a Delivery row before anything is sent, by one INSERT … SELECT … ON CONFLICT
  DO NOTHING per channel and range of user ids (the database resolves the audience; no Python object
  per person): on the (stage, recipient, channel) unique key a second insert is a no-op.
- In-app deliveries are those rows (status sent). Email rows start pending and go out in chunks,
  one task and one SMTP connection per chunk; each row is marked sent right after the server
  accepted it, so a kill duplicates at most the one message in flight, with the same Message-ID
  (rollout/mailer.py sends a chunk).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from itertools import groupby
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from campaigns.models import Campaign
from core.aggregates import parse_ids
from people.models import Audience, EmployeeProfile
from rollout import composer
from rollout.heartbeat import stage_heartbeat
from rollout.models import Delivery, MembershipChange, RolloutStage
from rollout.plan import leak_reason

log = logging.getLogger(__name__)

Enqueue = Callable[[list[int]], None]  # hands one chunk of email delivery ids to a worker
User = get_user_model()

EMAIL = EmployeeProfile.Channel.EMAIL.value
IN_APP = EmployeeProfile.Channel.IN_APP.value
RUNNING = [Campaign.Status.APPROVED, Campaign.Status.LIVE]
WAITING = [Delivery.Status.PENDING, Delivery.Status.SENDING]


# Errors worth another attempt; anything else is a bug and is raised.
def chunk_size() -> int:
    return settings.DISPATCH_CHUNK_SIZE


def stale_after() -> timedelta:
    return timedelta(seconds=settings.DISPATCH_STALE_SECONDS)


@dataclass
class TickReport:
    went_live: int = 0
    claimed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    reclaimed: list[int] = field(default_factory=list)
    late_deliveries: int = 0
    released: int = 0
    chunks: int = 0
    completed: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"claimed {len(self.claimed)}, skipped {len(self.skipped)}, held {len(self.held)}, "
            f"re-claimed {len(self.reclaimed)}, late joiners {self.late_deliveries}, "
            f"stale deliveries released {self.released}, email chunks {self.chunks}, "
            f"completed {len(self.completed)}, went live {self.went_live}"
        )


# --- the tick -------------------------------------------------------------------------------------


def dispatch_due(now: datetime | None = None, *, enqueue: Enqueue) -> TickReport:
    """One tick: claim due stages, resolve recipients, queue email chunks, finish stages that are done.

    `enqueue(delivery_ids)` hands one email chunk to a worker (rollout.tasks), or sends it here (tests,
    `manage.py dispatch_due` without --queue) with rollout.mailer.send_email_chunk.
    """
    now = now or timezone.now()
    report = TickReport()
    report.went_live = mark_live(now)
    report.claimed = claim_due_stages(now, report)
    report.reclaimed = reclaim_stale_stages(now)
    for stage_id in report.claimed + report.reclaimed:
        resolve_recipients(stage_id, now)
    report.late_deliveries = deliver_to_late_joiners(now, fresh_stage_ids=report.claimed + report.reclaimed)
    report.released = release_stale_deliveries(now)
    report.chunks = queue_email_chunks(now, enqueue)
    report.completed = complete_finished_stages(now)
    if report.claimed or report.reclaimed or report.chunks or report.completed or report.skipped:
        log.info("dispatch tick at %s: %s", now.isoformat(), report)
    return report


def mark_live(now: datetime) -> int:
    """Approved campaigns whose go-live has passed become live (recorded in the change history)."""
    count = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.APPROVED, go_live_at__lte=now):
        campaign.status = Campaign.Status.LIVE
        campaign._change_reason = "Status → Live: go-live time reached"
        campaign.save(update_fields=["status", "updated_at"])
        count += 1
    return count


def claim_due_stages(now: datetime, report: TickReport) -> list[int]:
    """Claim the latest due stage of each campaign and audience; earlier due ones are skipped with the reason.

    An earlier due stage is skipped only when later due stages of the same campaign reach all of its
    audiences: two briefing invitations for different sessions (different audiences) both go out,
    while a backlog of stages to the same people collapses to the latest. A stage whose email was
    interrupted (a pause) counts as due too: its unsent rest is skipped the same way, or goes on.
    """
    claimed: list[int] = []
    with transaction.atomic():
        due = list(
            RolloutStage.objects.due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("campaign")
            .order_by("campaign_id", "send_at", "pk")
        )
        interrupted = interrupted_stages({stage.campaign_id for stage in due})
        changed = []
        for campaign_id, group in groupby(due, key=lambda s: s.campaign_id):
            group = sorted([*group, *interrupted.get(campaign_id, [])], key=lambda s: (s.send_at, s.pk))
            latest = group[-1]
            to_send, skipped = choose_due(group)
            for stage in skipped:
                if stage.state == RolloutStage.State.SENDING:
                    _skip_unsent_email(stage, latest)
                    continue
                stage.state = RolloutStage.State.SKIPPED
                stage.state_reason = (
                    f"Skipped: it was overdue together with {_later_stage(latest)} to the same people; "
                    "only the latest overdue stage is sent."
                )
                report.skipped.append(stage.pk)
                changed.append(stage)
            # An interrupted stage that is not skipped goes on: its waiting email is queued as usual.
            to_send = [stage for stage in to_send if stage.state == RolloutStage.State.PLANNED]
            for stage in to_send:
                reason = hold_reason(stage, now)
                if reason:
                    stage.state, stage.state_reason = RolloutStage.State.HELD, reason
                    report.held.append(stage.pk)
                else:
                    stage.state, stage.state_reason = RolloutStage.State.SENDING, ""
                    stage.claimed_at = stage.heartbeat_at = now
                    claimed.append(stage.pk)
                changed.append(stage)
        if changed:
            RolloutStage.objects.bulk_update(changed, ["state", "state_reason", "claimed_at", "heartbeat_at"])
    return claimed


def choose_due(
    due: list[RolloutStage], audience_ids: Callable[[RolloutStage], set[int]] | None = None
) -> tuple[list[RolloutStage], list[RolloutStage]]:
    """The overdue rule, for one campaign's due stages (oldest first): (to send, skipped).

    The latest is sent; an earlier one is skipped when the later ones reach all its audiences. Stages
    interrupted mid-send (state sending) take part like the others: sent means their waiting email goes
    on, skipped means it is dropped. The confirmation pages (rollout.sending) and the timeline use this
    too, so they say what a tick does.
    """
    audience_ids = audience_ids or _audience_ids
    *earlier, latest = due
    to_send, skipped = [latest], []
    covered = audience_ids(latest) if earlier else set()
    for stage in reversed(earlier):
        ids = audience_ids(stage)
        if ids <= covered:
            skipped.append(stage)
        else:
            to_send.append(stage)
            covered |= ids
    return to_send, skipped


def hold_reason(stage: RolloutStage, now: datetime) -> str:
    """Why a due stage is held rather than sent now (it would reveal embargoed details), or ""."""
    reason = leak_reason(stage, stage.campaign)
    if reason or (composer.stage_reveals_details(stage) and stage.campaign.is_embargoed(now)):
        return reason or "Held: embargoed."
    return ""


def _later_stage(stage: RolloutStage) -> str:
    return f"the later “{stage.get_kind_display()}” stage (due {stage.send_at:%d %b %Y %H:%M} UTC)"


def interrupted_stages(campaign_ids: set[int]) -> dict[int, list[RolloutStage]]:
    """Stages of these campaigns still sending with email waiting (e.g. paused mid-way), by campaign."""
    if not campaign_ids:
        return {}
    stages = (
        RolloutStage.objects.filter(
            campaign_id__in=campaign_ids,
            state=RolloutStage.State.SENDING,
            recipients_resolved_at__isnull=False,
        )
        .filter(Exists(Delivery.objects.filter(stage=OuterRef("pk"), status=Delivery.Status.PENDING)))
        .select_related("campaign")
    )
    by_campaign: dict[int, list[RolloutStage]] = {}
    for stage in stages:
        by_campaign.setdefault(stage.campaign_id, []).append(stage)
    return by_campaign


def _skip_unsent_email(stage: RolloutStage, latest: RolloutStage) -> None:
    """Skip, visibly, the waiting email of an interrupted stage: a later due stage reaches the same people.

    Only pending rows: a row a chunk is sending right now is in flight and is recorded as it ends.
    The stage itself completes in this tick (complete_finished_stages) and keeps the reason.
    """
    skipped = Delivery.objects.filter(stage=stage, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED,
        claimed_at=None,
        last_error=f"Skipped: {_later_stage(latest)} reaches this person; only the latest overdue stage is sent.",
    )
    reason = (
        f"{skipped} email(s) still waiting when {_later_stage(latest)} fell due to the same "
        "people were skipped; only the latest overdue stage is sent."
    )
    RolloutStage.objects.filter(pk=stage.pk, state=RolloutStage.State.SENDING).update(state_reason=reason)
    log.info("stage %s: %d waiting email(s) skipped for the later stage %s", stage.pk, skipped, latest.pk)


def _audience_ids(stage: RolloutStage) -> set[int]:
    return {audience.pk for audience in stage.target_audiences()}


def reclaim_stale_stages(now: datetime) -> list[int]:
    """SENDING stages whose recipient resolution stopped (no heartbeat) are taken over by this tick."""
    stale = RolloutStage.objects.filter(
        state=RolloutStage.State.SENDING,
        recipients_resolved_at__isnull=True,
        heartbeat_at__lt=now - stale_after(),
    ).values_list("pk", "heartbeat_at")
    return [pk for pk, heartbeat_at in list(stale) if take_over_stale_stage(pk, heartbeat_at, now)]


def take_over_stale_stage(pk: int, seen_heartbeat_at: datetime, now: datetime) -> bool:
    """Compare-and-set on the heartbeat this tick saw: of two ticks that saw it, exactly one wins."""
    if RolloutStage.objects.filter(pk=pk, heartbeat_at=seen_heartbeat_at).update(heartbeat_at=now) != 1:
        return False
    log.warning("stage %s: resolution went stale (last heartbeat %s); re-claimed", pk, seen_heartbeat_at)
    return True


# --- recipients and delivery rows ---------------------------------------------------------------


def channels_for(stage_channels: Iterable[str], preferred: list | None, email: str) -> list[str]:
    """The stage's channels this person wants (all of them if they want none); email needs an address.

    The rule in words; the fan-out applies it in SQL (wanting), and a test holds the two together.
    """
    stage_channels = list(stage_channels)
    wanted = [c for c in stage_channels if not preferred or c in preferred] or stage_channels
    return [c for c in wanted if c != EMAIL or email]


def wanting(people, channel: str, stage_channels: Iterable[str]):
    """Those of these people who get this channel of a stage sent on stage_channels (channels_for, in SQL).

    A person gets a channel they prefer, or every channel of the stage when they prefer none of its
    channels (nothing set, or only channels the stage does not use). Preferences are matched as
    JSON text ('"in_app"'), which PostgreSQL and SQLite write alike.
    """
    if channel == EMAIL:
        people = people.exclude(email="")
    others = [c for c in stage_channels if c != channel]
    if not others:  # the only channel of the stage: everyone gets it, whatever they prefer
        return people
    prefers = {c: Q(preferred__contains=json.dumps(c)) for c in stage_channels}
    prefers_another = reduce(or_, (prefers[c] for c in others))
    return people.annotate(preferred=Cast("profile__preferred_channels", TextField())).filter(
        Q(preferred__isnull=True) | prefers[channel] | ~prefers_another
    )


def insert_batch_size() -> int:
    return settings.DISPATCH_INSERT_BATCH


def _insert_deliveries(stage: RolloutStage, recipients, now: datetime, *, missing_only: bool = False) -> int:
    """Insert this stage's delivery rows for these people; existing rows are left alone.

    One INSERT … SELECT per channel and range of DISPATCH_INSERT_BATCH user ids, with a heartbeat
    after each range: the database resolves the people, nothing per person comes into Python, and a
    tick that dies mid-way leaves whole ranges that the re-claiming tick skips by the unique key.
    missing_only (late joiners: most people already have their rows) leaves out, per channel, the
    people who have that row before the insert looks at them.
    """
    bounds = recipients.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return 0
    inserted = 0
    for start in range(bounds["first"], bounds["last"] + 1, insert_batch_size()):
        # No DISTINCT or semi-join: audience filters do not repeat a person (rules join the one-to-one
        # profile, lists test membership with EXISTS), and a repeat would be a conflict, skipped.
        people = recipients.filter(pk__gte=start, pk__lt=start + insert_batch_size())
        for channel in stage.channels:
            wanted = wanting(people, channel, stage.channels)
            if missing_only:
                wanted = _without_their_row(wanted, stage.pk, channel)
            inserted += Delivery.objects.insert_for(stage.pk, channel, wanted, now)
        RolloutStage.objects.filter(pk=stage.pk).update(heartbeat_at=now)
    return inserted


def _without_their_row(people, stage_id: int, channel: str):
    """These people less those who already have this stage's row on this channel: one index probe each.

    On PostgreSQL the NOT EXISTS carries OFFSET 0, which keeps the planner from turning it into an
    anti-join. Right after a fan-out the statistics still say the stage has no rows, and the
    anti-join it then chose was a nested loop over every row of the stage for each person checked:
    quadratic (1.7 s for 5,000 late joiners against a 20,000-person stage, 14 s for the 20,000
    membership changes of an import; minutes at 100,000). A probe per person stays linear whatever
    the statistics say. SQLite keeps Django's Exists (it has no OFFSET without LIMIT).
    """
    if connection.vendor != "postgresql":
        has_it = Delivery.objects.filter(stage_id=stage_id, channel=channel, recipient=OuterRef("pk"))
        return people.exclude(Exists(has_it))
    quote = connection.ops.quote_name
    person = f"{quote(User._meta.db_table)}.{quote(User._meta.pk.column)}"
    return people.extra(
        where=[
            f"NOT EXISTS (SELECT 1 FROM {quote(Delivery._meta.db_table)} has_it WHERE has_it.stage_id = %s "
            f"AND has_it.channel = %s AND has_it.recipient_id = {person} OFFSET 0)"
        ],
        params=[stage_id, channel],
    )


def resolve_recipients(stage_id: int, now: datetime) -> None:
    """Create every delivery row of a claimed stage (recipients resolved now), then mark it resolved."""
    try:
        stage = RolloutStage.objects.select_related("campaign").get(pk=stage_id)
    except RolloutStage.DoesNotExist:
        return
    if stage.state != RolloutStage.State.SENDING:
        return
    with stage_heartbeat(stage.pk):  # a huge audience may take longer than the stale time
        count = _insert_deliveries(stage, stage.recipients(), now)
    RolloutStage.objects.filter(pk=stage.pk, state=RolloutStage.State.SENDING).update(
        recipients_resolved_at=now, heartbeat_at=now, joiners_checked_at=now
    )
    log.info("stage %s: %d delivery row(s) for %s", stage.pk, count, stage.channels)


JOINER_CHANGES_PER_BATCH = 5000  # change rows taken (and deleted) per transaction


def deliver_to_late_joiners(now: datetime, *, fresh_stage_ids: Iterable[int] = ()) -> int:
    """People who joined an audience after a stage went out get the latest stage sent to it, once.

    Found from what changed, not by re-reading every live audience each tick: the database records
    whose memberships may have changed in MembershipChange (rollout/models.py), and each tick takes
    those rows, checks only those people (or redefined audiences) against the stages that top up
    audiences now, and deletes the rows in the same transaction. A stage that could not take part
    while changes were taken (paused, not running, embargoed again, superseded) loses its check mark
    and is checked in full once it tops up again: rare, and once. An idle tick reads the running
    stages and an empty change table, however many people their audiences hold.
    Stages resolved in this very tick (fresh_stage_ids) were checked by their resolution.
    """
    fresh_stage_ids = set(fresh_stage_ids)
    topping_up = stages_topping_up(now)
    count = 0
    for stage, audiences in topping_up.items():
        if stage.joiners_checked_at is None and stage.pk not in fresh_stage_ids:
            count += _insert_deliveries(stage, Audience.users_in(audiences), now, missing_only=True)
            RolloutStage.objects.filter(pk=stage.pk).update(joiners_checked_at=now)
    while True:
        with transaction.atomic():
            changes = list(
                MembershipChange.objects.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "user_id", "audience_id")[:JOINER_CHANGES_PER_BATCH]
            )
            if not changes:
                return count
            count += _deliver_for_changes(topping_up, changes, now)
            MembershipChange.objects.filter(pk__in=[pk for pk, _, _ in changes]).delete()
        if len(changes) < JOINER_CHANGES_PER_BATCH:
            return count


def _deliver_for_changes(topping_up: dict[RolloutStage, list[Audience]], changes: list, now: datetime) -> int:
    """Check the people (and audiences) these change rows name against the stages topping up now."""
    user_ids = {user_id for _, user_id, _ in changes if user_id is not None}
    redefined = {audience_id for _, _, audience_id in changes if audience_id is not None}
    count = 0
    for stage, audiences in topping_up.items():
        whole = [a for a in audiences if a.pk in redefined]
        if whole:  # a redefined audience: all its members are checked
            newcomers = Audience.users_in(whole) | Audience.users_in(audiences).filter(pk__in=user_ids)
        elif user_ids:
            newcomers = Audience.users_in(audiences).filter(pk__in=user_ids)
        else:
            continue
        count += _insert_deliveries(stage, newcomers, now, missing_only=True)
    # Stages that could not take part in this check are checked in full when they top up again.
    RolloutStage.objects.filter(
        recipients_resolved_at__isnull=False, joiners_checked_at__isnull=False
    ).exclude(pk__in=[stage.pk for stage in topping_up]).update(joiners_checked_at=None)
    return count


def stages_topping_up(now: datetime) -> dict[RolloutStage, list[Audience]]:
    """{stage: its audiences it tops up}: for each running campaign and audience, the latest stage sent to it.

    A stage whose details are under embargo again (it was extended) tops up nobody until it lifts,
    and still counts as the latest for its audiences: nobody gets an older stage instead.
    """
    stages = list(
        RolloutStage.objects.filter(
            campaign__status__in=RUNNING,
            campaign__paused_at__isnull=True,
            recipients_resolved_at__isnull=False,
            state__in=[RolloutStage.State.SENT, RolloutStage.State.SENDING],
        )
        .select_related("campaign")
        .with_target_audience_ids()
        .order_by("campaign_id", "-send_at", "-pk")
    )
    targets = {stage.pk: parse_ids(stage.target_audience_ids) for stage in stages}
    audiences = Audience.objects.in_bulk(set().union(*targets.values())) if stages else {}
    topping_up: dict[RolloutStage, list[Audience]] = {}
    for _, group in groupby(stages, key=lambda s: s.campaign_id):
        covered: set[int] = set()
        for stage in group:  # newest first: each audience is topped up from its latest stage only
            fresh = sorted(targets[stage.pk] - covered)
            covered |= targets[stage.pk]
            held = composer.stage_reveals_details(stage) and stage.campaign.is_embargoed(now)
            if fresh and not held:
                topping_up[stage] = [audiences[pk] for pk in fresh if pk in audiences]
    return topping_up


# --- email ----------------------------------------------------------------------------------------


def release_stale_deliveries(now: datetime) -> int:
    """Email rows left 'sending' by a dead worker go back to pending (and will be sent again)."""
    return Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - stale_after()).update(
        status=Delivery.Status.PENDING,
        claimed_at=None,
        last_error="The worker sending this stopped before recording the result; sending again.",
    )


def queue_email_chunks(now: datetime, enqueue: Enqueue) -> int:
    """Hand pending, due, unclaimed email rows to workers, one chunk (task) per chunk_size rows."""
    chunks: list[list[int]] = []
    with transaction.atomic():
        rows = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=Delivery.Status.PENDING,
                channel=EMAIL,
                stage__campaign__status__in=RUNNING,
                stage__campaign__paused_at__isnull=True,
            )
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - stale_after()))
            .order_by("stage_id", "pk")
            .values_list("stage_id", "pk")
        )
        for _, group in groupby(rows, key=lambda row: row[0]):
            ids = [pk for _, pk in group]
            for start in range(0, len(ids), chunk_size()):
                chunk = ids[start : start + chunk_size()]
                Delivery.objects.filter(pk__in=chunk).update(claimed_at=now)
                chunks.append(chunk)
    for chunk in chunks:  # after commit: a worker must see the claims we just made
        enqueue(chunk)
    return len(chunks)


# --- finishing ------------------------------------------------------------------------------------


def complete_finished_stages(now: datetime, stage_ids: list[int] | None = None) -> list[int]:
    """SENDING stages with every row resolved and none waiting become SENT (or FAILED if none went)."""
    stages = RolloutStage.objects.filter(
        state=RolloutStage.State.SENDING, recipients_resolved_at__isnull=False
    ).annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status__in=WAITING)),
        sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        skipped=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.CANCELLED)),
    )
    if stage_ids is not None:
        stages = stages.filter(pk__in=stage_ids)
    done = []
    for stage in stages:
        if stage.waiting:
            continue
        all_failed = stage.failed and not stage.sent
        state = RolloutStage.State.FAILED if all_failed else RolloutStage.State.SENT
        if stage.skipped and not stage.sent and not stage.failed:
            state = RolloutStage.State.SKIPPED
        reasons = []
        if stage.failed:
            reasons.append(f"{stage.failed} of {stage.failed + stage.sent} deliveries failed.")
        if stage.skipped:
            reasons.append(stage.state_reason)  # set when its waiting rows were skipped
        if not (stage.sent or stage.failed or stage.skipped):
            reasons.append("Nobody was in the stage's audiences when it was sent.")
        reason = " ".join(reasons)[:300]
        if RolloutStage.objects.filter(pk=stage.pk, state=RolloutStage.State.SENDING).update(
            state=state, state_reason=reason, sent_at=now
        ):
            done.append(stage.pk)
    return done
