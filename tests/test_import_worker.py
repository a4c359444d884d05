"""A real Celery worker imports an uploaded employee CSV: the web's job reaches done on its own."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_user
from people import import_jobs, roles
from people.models import EmployeeProfile, ImportJob
from people.tasks import enqueue_import
from tests.conftest import EMAIL_QUEUE, wait_for

pytestmark = pytest.mark.worker

HEADER = "email,first_name,last_name,department,team,location,role,manager_email,time_zone"


def test_worker_on_the_default_queue_imports_an_uploaded_file(celery_processes, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ic = make_user("ian", group=roles.IC)
    rows = [
        f"p{i}@bank.example,P{i},Person,Sales,North,London,Adviser,boss@bank.example,UTC" for i in range(30)
    ]
    rows.insert(5, "not-an-email,X,Y,Sales,North,London,Adviser,,UTC")  # line 7
    rows.append("boss@bank.example,Bo,Boss,Sales,North,London,Manager,,UTC")
    upload = SimpleUploadedFile("people.csv", "\n".join([HEADER, *rows]).encode() + b"\n")
    celery_processes.worker("w1", queues=(EMAIL_QUEUE,))  # the Procfile's `worker`, not the tick's
    job = import_jobs.start(ic, upload, enqueue=enqueue_import)  # no transaction here: published at once
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE,
        timeout=60,
        what="the import job done",
    )
    job.refresh_from_db()
    assert (job.rows_total, job.rows_done, job.created, job.error_count) == (32, 32, 31, 1)
    assert [str(e) for e in job.row_errors.all()] == ["line 7: bad email “not-an-email”"]
    assert EmployeeProfile.objects.filter(manager__username="boss@bank.example").count() == 30
    assert User.objects.filter(username__endswith="@bank.example").count() == 31
    assert not job.file  # deleted once imported
