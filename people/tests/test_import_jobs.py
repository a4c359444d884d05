"""Importing employees from the web: the upload queues a job, a worker imports it, the page follows it."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from campaignhub.celery import app as celery_app
from conftest import make_user
from people import import_jobs, roles
from people.models import EmployeeProfile, ImportJob

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,department,team,location,role,manager_email,time_zone"
BOSS = "lena.boss@bank.example"


def people_csv(n: int, *, bad_line_at: int | None = None) -> str:
    """n people managed by Lena, whose row comes last (so her reports wait for her); optionally one
    row with a bad time zone at physical line `bad_line_at`."""
    rows = [
        f"person{i}@bank.example,P{i},Person,Sales,North,London,Adviser,{BOSS},Europe/London"
        for i in range(n)
    ]
    if bad_line_at:
        rows[bad_line_at - 2] = rows[bad_line_at - 2].replace("Europe/London", "Mars/Olympus")
    rows.append(f"{BOSS},Lena,Boss,Sales,North,London,Manager,,Europe/London")
    return "\n".join([HEADER, *rows]) + "\n"


def upload(text: str | bytes, name: str = "people.csv") -> io.BytesIO:
    f = io.BytesIO(text.encode() if isinstance(text, str) else text)
    f.name = name
    return f


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def eager_celery():
    """Enqueued tasks run in this process, at once (the real task, the real import)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False


@pytest.fixture
def other_ic(db):
    return make_user("ivy", group=roles.IC, first_name="Ivy")


def queued_job(owner, media, text: str, name: str = "people.csv") -> ImportJob:
    return import_jobs.start(owner, upload_file(text, name), enqueue=lambda job_id: None)


def upload_file(text: str, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# --- the upload page ------------------------------------------------------------------------------


def test_upload_page_says_no_email_is_sent_and_the_size_limit(client_for, ic, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 7
    body = client_for(ic).get(reverse("audience_import")).content.decode()
    assert "The import sends no email and no invitation." in body
    assert "Files up to 7 MB." in body


def test_upload_queues_a_job_stores_the_file_privately_and_shows_its_page(
    client_for, ic, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:  # queued, not run: no worker here
        response = client_for(ic).post(reverse("audience_import"), {"file": upload(people_csv(3))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert len(callbacks) == 1  # the task is published only once the job is committed
    assert (job.created_by, job.file_name, job.status) == (ic, "people.csv", ImportJob.Status.QUEUED)
    stored = media / job.file.name
    assert stored.parent == media / "imports" and stored.name != "people.csv"
    assert stored.read_text() == people_csv(3)
    page = client_for(ic).get(job.get_absolute_url()).content.decode()
    assert "Waiting for a worker…" in page
    assert 'href="' + job.get_absolute_url() + '"' in page  # the no-script Refresh link
    assert "js/import_progress.js" in page
    assert not User.objects.filter(username__endswith="@bank.example").exists()


def test_upload_with_the_task_run_at_once_ends_on_the_result_page_with_line_numbered_errors(
    client_for, ic, media, eager_celery, django_capture_on_commit_callbacks
):
    client = client_for(ic)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audience_import"), {"file": upload(people_csv(4, bad_line_at=3))})
    job = ImportJob.objects.get()
    response = client.get(job.get_absolute_url())
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_total, job.rows_done, job.created, job.error_count) == (5, 5, 4, 1)
    body = response.content.decode()
    assert "Import finished" in body
    assert "Line 3: unknown time zone “Mars/Olympus”" in body
    assert reverse("import_job_errors", args=[job.pk]) in body
    assert "js/import_progress.js" not in body  # nothing left to poll
    assert not job.file and not list((media / "imports").iterdir())  # the data is in; no copy kept


def test_file_larger_than_the_setting_is_a_field_error_and_queues_nothing(client_for, ic, media, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    big = HEADER + "\n" + "x" * (1024 * 1024)
    response = client_for(ic).post(reverse("audience_import"), {"file": upload(big)})
    assert response.status_code == 200
    assert "The file is larger than 1 MB" in response.context["form"].errors["file"][0]
    assert 'href="#id_file"' in response.content.decode()  # the linked error summary
    assert not ImportJob.objects.exists()


def test_upload_that_is_not_utf8_is_a_field_error(client_for, ic, media):
    response = client_for(ic).post(
        reverse("audience_import"), {"file": upload("email\nzoë@x\n".encode("utf-16"))}
    )
    assert "not UTF-8" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()


def test_upload_without_the_columns_is_a_field_error(client_for, ic, media):
    response = client_for(ic).post(
        reverse("audience_import"), {"file": upload("email,first_name\na@b.example,A\n")}
    )
    assert "missing: last_name, department" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()


# --- progress ----------------------------------------------------------------------------------


def test_progress_json_gives_the_rows_done_of_the_total(client_for, ic, media):
    job = queued_job(ic, media, people_csv(2))
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=now, heartbeat_at=now, rows_total=100_000, rows_done=12_000
    )
    data = client_for(ic).get(reverse("import_job_progress", args=[job.pk])).json()
    assert data == {
        "status": "running",
        "rows_done": 12_000,
        "rows_total": 100_000,
        "text": "12,000 of 100,000 rows",
        "finished": False,
    }
    page = client_for(ic).get(job.get_absolute_url()).content.decode()
    assert 'max="100000" value="12000"' in page and "12,000 of 100,000 rows" in page


class WorkerDied(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no exception handler included."""


def test_a_job_running_without_progress_for_minutes_shows_failed_with_run_again(
    client_for, ic, media, settings, monkeypatch, eager_celery, django_capture_on_commit_callbacks
):
    """The worker dies after its first batch: the page says so, and running again completes the import."""
    job = queued_job(ic, media, people_csv(9))  # 10 rows: Lena last
    record = import_jobs.progress_recorder

    def dying_after_first_batch(job):
        inner = record(job)

        def observe(done, total, report):
            inner(done, total, report)
            if done > 5:  # in the second batch's transaction, which therefore never commits
                raise WorkerDied

        return observe

    started = timezone.now()
    monkeypatch.setattr(import_jobs, "progress_recorder", dying_after_first_batch)
    with time_machine.travel(started, tick=False), pytest.raises(WorkerDied):
        import_jobs.run(job.pk, batch_size=5)
    monkeypatch.setattr(import_jobs, "progress_recorder", record)
    assert User.objects.filter(username__startswith="person").count() == 5  # the first batch committed

    client = client_for(ic)
    with time_machine.travel(started + timedelta(seconds=settings.IMPORT_STALE_SECONDS - 10), tick=False):
        assert client.get(reverse("import_job_progress", args=[job.pk])).json()["finished"] is False
        assert "Run again" not in client.get(job.get_absolute_url()).content.decode()
    with time_machine.travel(started + timedelta(seconds=settings.IMPORT_STALE_SECONDS + 10), tick=False):
        assert client.get(reverse("import_job_progress", args=[job.pk])).json()["status"] == "failed"
        page = client.get(job.get_absolute_url()).content.decode()
        assert "stopped making progress at 5 of 10 rows" in page and "Run again" in page
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("import_job_run_again", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.rows_done == 10
    # The first five were saved before Lena existed; this run links them to her.
    assert job.summary() == "5 created, 5 updated, 0 unchanged"
    lena = User.objects.get(username=BOSS)
    assert EmployeeProfile.objects.filter(manager=lena).count() == 9  # the same as one clean run


def test_run_again_refuses_a_job_that_is_still_making_progress(client_for, ic, media):
    job = queued_job(ic, media, people_csv(2))
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=now, heartbeat_at=now)
    response = client_for(ic).post(reverse("import_job_run_again", args=[job.pk]), follow=True)
    assert "cannot be run again" in response.content.decode()
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.RUNNING


# --- the task, run in this process -----------------------------------------------------------------


def test_the_task_imports_in_batches_and_records_progress_after_each(ic, media, monkeypatch):
    job = queued_job(ic, media, people_csv(11, bad_line_at=4))  # 12 rows; 11 good; batches of 5
    recorded: list[tuple[int, int | None, int]] = []
    record = import_jobs.progress_recorder

    def watching(job):
        inner = record(job)

        def observe(done, total, report):
            inner(done, total, report)
            saved = ImportJob.objects.get(pk=job.pk)
            recorded.append((saved.rows_done, saved.rows_total, saved.created))

        return observe

    monkeypatch.setattr(import_jobs, "progress_recorder", watching)
    finished = import_jobs.run(job.pk, batch_size=5)
    assert recorded == [(0, 12, 0), (5, 12, 4), (10, 12, 9), (12, 12, 11)]  # 5 rows of the file a batch
    assert finished.status == ImportJob.Status.DONE and finished.finished_at is not None
    assert [str(e) for e in finished.row_errors.all()] == [
        "line 4: unknown time zone “Mars/Olympus” (use an IANA name such as Europe/London)"
    ]
    assert EmployeeProfile.objects.filter(manager__username=BOSS).count() == 10


def test_the_task_does_nothing_for_a_job_already_running_elsewhere(ic, media):
    job = queued_job(ic, media, people_csv(2))
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=now, heartbeat_at=now)
    assert import_jobs.run(job.pk) is None
    assert not User.objects.filter(username=BOSS).exists()


def test_a_file_that_cannot_be_read_fails_the_job_with_a_reason(ic, media):
    job = queued_job(ic, media, people_csv(2))
    (media / job.file.name).write_bytes("email\nzoë\n".encode("utf-16"))
    finished = import_jobs.run(job.pk)
    assert finished.status == ImportJob.Status.FAILED
    assert "not UTF-8" in finished.failure
    assert finished.can_run_again(timezone.now())


# --- the error report ------------------------------------------------------------------------------


def test_error_report_csv_lists_every_failed_line_and_defuses_formulas(client_for, ic, media):
    text = people_csv(2) + "=HYPERLINK(1),X,Y,,,,,,\n"
    job = queued_job(ic, media, text)
    import_jobs.run(job.pk)
    response = client_for(ic).get(reverse("import_job_errors", args=[job.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [["line", "problem"], ["5", "bad email “=hyperlink(1)”"]]


# --- who may see jobs ----------------------------------------------------------------------------


def test_marketing_cannot_upload_or_see_an_import(client_for, ic, marketing, media):
    job = queued_job(ic, media, people_csv(1))
    client = client_for(marketing)
    assert client.post(reverse("audience_import"), {"file": upload(people_csv(1))}).status_code == 403
    assert client.get(job.get_absolute_url()).status_code == 403
    assert client.get(reverse("import_job_progress", args=[job.pk])).status_code == 403
    assert client.get(reverse("import_job_errors", args=[job.pk])).status_code == 403


def test_employee_cannot_see_an_import(client_for, ic, employee, media):
    job = queued_job(ic, media, people_csv(1))
    assert client_for(employee).get(job.get_absolute_url()).status_code == 403


def test_another_ic_person_cannot_see_or_rerun_my_import(client_for, ic, other_ic, media):
    job = queued_job(ic, media, people_csv(1))
    ImportJob.objects.filter(pk=job.pk).update(status="failed")
    client = client_for(other_ic)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("import_job_progress", args=[job.pk])).status_code == 404
    assert client.post(reverse("import_job_run_again", args=[job.pk])).status_code == 404
    assert job.file_name not in client.get(reverse("audience_import")).content.decode()


def test_a_superuser_sees_everyones_imports(client_for, ic, media):
    job = queued_job(ic, media, people_csv(1), name="march.csv")
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    client = client_for(admin)
    assert client.get(job.get_absolute_url()).status_code == 200
    assert "march.csv" in client.get(reverse("audience_import")).content.decode()
