"""Celery tasks of the people app: thin wrappers over plain functions that tests call directly."""

from __future__ import annotations

from celery import shared_task

from people import import_jobs


def enqueue_import(job_id: int) -> None:
    """Publish the job to the default queue (the `worker` process), never the tick's queue."""
    run_import_job.delay(job_id)


# No autoretry: a failure is recorded on the job, whose page offers "Run again".
@shared_task(name="people.tasks.run_import_job")
def run_import_job(job_id: int) -> str:
    job = import_jobs.run(job_id)
    return job.status if job else "not claimed"
