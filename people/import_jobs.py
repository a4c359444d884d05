"""Employee imports as background jobs: store the upload, run it in a worker, record its progress.

The web view calls `start` (the file is saved, the job queued, the task enqueued after commit); the
Celery task calls `run`, which claims the job with compare-and-set, streams the stored file through
people.importing in batches and writes rows_done and the counts in each batch's transaction. A job
whose worker died (no batch saved for IMPORT_STALE_SECONDS) may be claimed again, by `run_again`
or by the broker redelivering its message; the import being idempotent makes that safe.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from people.importing import BATCH_SIZE, ImportReport, import_employees
from people.models import ImportJob, ImportRowError

log = logging.getLogger(__name__)
ERRORS_PER_INSERT = 2000


class Superseded(Exception):
    """Another worker has taken this job over (ours was judged stalled): stop without writing more."""


def start(user, upload: UploadedFile, enqueue: Callable[[int], None]) -> ImportJob:
    """Save the upload privately, queue a job for it and hand its id to `enqueue` after commit."""
    with transaction.atomic():
        job = ImportJob(created_by=user, file_name=upload.name[-255:])
        job.file.save(upload.name, upload, save=False)
        job.save()
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def run_again(job: ImportJob, enqueue: Callable[[int], None], now=None) -> bool:
    """Queue a failed or stalled job again (from the top); False if it is not in such a state."""
    now = now or timezone.now()
    with transaction.atomic():
        requeued = (
            ImportJob.objects.filter(pk=job.pk)
            .filter(_failed_or_stalled(now))
            .exclude(file="")
            .update(status=ImportJob.Status.QUEUED, failure="", finished_at=None, heartbeat_at=None)
            == 1
        )
        if requeued:
            transaction.on_commit(lambda: enqueue(job.pk))
    return requeued


def _failed_or_stalled(now) -> Q:
    return Q(status=ImportJob.Status.FAILED) | Q(
        status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - ImportJob.stale_after()
    )


def run(job_id: int, now=None, *, batch_size: int = BATCH_SIZE) -> ImportJob | None:
    """Import a queued (or abandoned) job's file in this process; None if someone else has it."""
    now = now or timezone.now()
    claimed = (
        ImportJob.objects.claimable(now)
        .filter(pk=job_id)
        .update(
            status=ImportJob.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            rows_total=None,
            rows_done=0,
            created=0,
            updated=0,
            unchanged=0,
            error_count=0,
            failure="",
        )
        == 1
    )
    if not claimed:
        log.info("import job %s: not claimable (gone, running elsewhere or finished)", job_id)
        return None
    job = ImportJob.objects.get(pk=job_id)
    ImportRowError.objects.filter(job=job).delete()  # what an earlier, interrupted run recorded
    try:
        with job.file.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            report = import_employees(text, batch_size=batch_size, progress=progress_recorder(job))
    except Superseded:
        log.warning("import job %s: taken over by another worker; stopping", job_id)
        return None
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id, started_at=job.started_at).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), failure=_failure_text(exc)
        )
        return ImportJob.objects.get(pk=job_id)
    return _finish(job, report)


def _failure_text(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "The file is not UTF-8 text; save it as “CSV UTF-8” and upload it again."
    if isinstance(exc, OSError):
        return "The uploaded file could not be read; upload it again."
    return (
        "The import stopped on an unexpected error; run it again, or ask an administrator to check the log."
    )


def progress_recorder(job: ImportJob) -> Callable[[int, int, ImportReport], None]:
    """Progress callback: runs inside each batch's transaction, so the counts commit with the rows."""

    def record(done: int, total: int, report: ImportReport) -> None:
        owned = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, started_at=job.started_at
        ).update(
            rows_total=total,
            rows_done=done,
            heartbeat_at=timezone.now(),
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            error_count=len(report.errors),
        )
        if not owned:
            raise Superseded(job.pk)

    return record


def _finish(job: ImportJob, report: ImportReport) -> ImportJob:
    with transaction.atomic():
        for start in range(0, len(report.errors), ERRORS_PER_INSERT):
            ImportRowError.objects.bulk_create(
                ImportRowError(job=job, line=e.line, message=e.message)
                for e in report.errors[start : start + ERRORS_PER_INSERT]
            )
        done = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, started_at=job.started_at
        ).update(
            status=ImportJob.Status.DONE,
            finished_at=timezone.now(),
            rows_total=Coalesce(F("rows_total"), Value(0)),  # None only when the header was wrong
            rows_done=Coalesce(F("rows_total"), Value(0)),
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            error_count=len(report.errors),
        )
        if not done:
            transaction.set_rollback(True)
            return ImportJob.objects.get(pk=job.pk)
    job.refresh_from_db()
    job.file.delete(save=False)  # the employees' data is in the database now; keep no copy of it
    ImportJob.objects.filter(pk=job.pk).update(file="")
    job.file = ""
    log.info("import job %s done: %s", job.pk, report.summary())
    return job
