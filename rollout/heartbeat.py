"""Heartbeats: long-running work keeps its claim fresh, so a later tick re-claims only dead work.

A tick takes back email rows (and stage resolutions) whose claim is older than
DISPATCH_STALE_SECONDS (60 s by default): that is how a SIGKILLed worker's chunk is sent again
within a minute (shared/RELIABILITY.md). A healthy chunk may run much longer than that (a slow
relay, one message blocked for EMAIL_TIMEOUT per SMTP command, many retries), so while it runs a
thread refreshes its claim every quarter of the stale time, whatever the sending thread is blocked
on. The thread lives and dies with the process: a killed worker stops beating, and its claim goes
stale one minute later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from rollout.models import Delivery, RolloutStage

log = logging.getLogger(__name__)


def beat_every() -> float:
    """Seconds between beats: four beats fit in the stale time, so one late beat is no harm."""
    return max(settings.DISPATCH_STALE_SECONDS / 4, 1.0)


class Heartbeat:
    """Run `beat(now)` every beat_every() seconds on a thread while the `with` block runs."""

    def __init__(self, beat: Callable[[datetime], object], what: str, every: float | None = None) -> None:
        self._beat = beat
        self.what = what
        self.every = every if every is not None else beat_every()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {what}", daemon=True)

    def beat(self) -> None:
        self._beat(timezone.now())

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                try:
                    self.beat()
                except Exception:
                    # The next beat tries again; three misses in a row and the work may be taken over.
                    log.exception("heartbeat of %s failed", self.what)
        finally:
            connection.close()  # this thread's own connection


def chunk_heartbeat(delivery_ids: list[int], every: float | None = None) -> Heartbeat:
    """Keep fresh the claim of this chunk's rows that are being sent (status sending)."""

    def beat(now: datetime) -> None:
        Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.SENDING).update(claimed_at=now)

    return Heartbeat(
        beat, f"email chunk of {len(delivery_ids)} from delivery {min(delivery_ids, default=None)}", every
    )


def stage_heartbeat(stage_id: int, every: float | None = None) -> Heartbeat:
    """Keep fresh the claim of a stage whose recipients are being resolved (however big the audience)."""

    def beat(now: datetime) -> None:
        RolloutStage.objects.filter(
            pk=stage_id, state=RolloutStage.State.SENDING, recipients_resolved_at__isnull=True
        ).update(heartbeat_at=now)

    return Heartbeat(beat, f"stage {stage_id}", every)
