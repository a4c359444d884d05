"""Audience pages: marketing and IC see who each audience reaches; IC creates and edits them."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.panels import AUDIENCE, render_panels
from people import import_jobs, roles
from people.forms import AudienceForm, EmployeeImportForm
from people.models import Audience, ImportJob
from people.tasks import enqueue_import

SAMPLE_SIZE = 10
NOBODY_WARNING = (
    "This audience matches nobody yet. Check the spelling of each value against the employee "
    "directory, or import the employees first."
)


def _require_reader(request: HttpRequest) -> None:
    if not roles.can_manage_campaigns(request.user):
        raise PermissionDenied("Audiences are for marketing and internal communications.")


def _require_editor(request: HttpRequest) -> None:
    _require_reader(request)
    if not roles.is_ic(request.user):
        raise PermissionDenied("Only internal communications can change audiences.")


def _get_audience_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> Audience:
    """The audience if this person may see it (or change it, with edit=True); 403/404 otherwise."""
    if edit:
        _require_editor(request)
    else:
        _require_reader(request)
    return get_object_or_404(Audience, pk=pk)


@login_required
def audience_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    audiences = list(Audience.objects.annotate(campaign_count=Count("impacts")).order_by("name"))
    sizes = Audience.sizes(audiences)
    for audience in audiences:
        audience.member_count = sizes[audience.pk]
    return render(
        request,
        "people/audience_list.html",
        {"audiences": audiences, "can_edit": roles.is_ic(request.user)},
    )


@login_required
def audience_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audience = _get_audience_for_user(request, pk)
    size = audience.size
    return render(
        request,
        "people/audience_detail.html",
        {
            "audience": audience,
            "size": size,
            "sample": list(audience.sample(SAMPLE_SIZE)) if size else [],
            "panels": render_panels(request, audience, page=AUDIENCE),
            "can_edit": roles.is_ic(request.user),
            "nobody_warning": NOBODY_WARNING,
        },
    )


@login_required
def audience_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    return _audience_form(request, Audience())


@login_required
def audience_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _audience_form(request, _get_audience_for_user(request, pk, edit=True))


def _audience_form(request: HttpRequest, audience: Audience) -> HttpResponse:
    preview = None
    if request.method == "POST":
        form = AudienceForm(request.POST, instance=audience)
        if form.is_valid() and "preview" in request.POST:
            users = form.matching_users()
            preview = {
                "size": users.count(),
                "sample": list(
                    users.select_related("profile").order_by("last_name", "first_name", "pk")[:10]
                ),
            }
        elif form.is_valid():
            audience = form.save()
            audience.members.set(form.members if audience.kind == Audience.Kind.LIST else [])
            messages.success(request, f"Audience “{audience.name}” saved.")
            if audience.size == 0:
                messages.warning(request, NOBODY_WARNING)
            return redirect(audience)
    else:
        form = AudienceForm(instance=audience)
    return render(
        request,
        "people/audience_form.html",
        {"form": form, "audience": audience, "preview": preview, "nobody_warning": NOBODY_WARNING},
    )


IMPORT_ERRORS_SHOWN = 50  # the result page lists the first errors; the CSV report has them all
RECENT_IMPORTS_SHOWN = 10


@login_required
def audience_import(request: HttpRequest) -> HttpResponse:
    """IC uploads the employee CSV; a worker imports it while the job page shows the progress."""
    _require_editor(request)
    if request.method == "POST":
        form = EmployeeImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = import_jobs.start(request.user, form.cleaned_data["file"], enqueue=enqueue_import)
            return redirect(job)
    else:
        form = EmployeeImportForm()
    recent = ImportJob.objects.visible_to(request.user).select_related("created_by")[:RECENT_IMPORTS_SHOWN]
    return render(
        request,
        "people/audience_import.html",
        {"form": form, "recent": recent, "max_mb": form.max_mb(), "now": timezone.now()},
    )


def _get_import_job_for_user(request: HttpRequest, pk: int) -> ImportJob:
    """The job if this person started it (any job for a superuser); 403 for non-IC, 404 otherwise."""
    _require_editor(request)
    return get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_import_job_for_user(request, pk)
    now = timezone.now()
    errors = list(job.row_errors.all()[:IMPORT_ERRORS_SHOWN]) if job.status == ImportJob.Status.DONE else []
    return render(
        request,
        "people/import_job.html",
        {
            "job": job,
            "errors": errors,
            "finished": job.is_finished(now),
            "stalled": job.is_stalled(now),
            "can_run_again": job.can_run_again(now),
            "progress_text": progress_text(job),
        },
    )


@login_required
def import_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """What the job page's script polls: the counts, and whether to load the result page."""
    job = _get_import_job_for_user(request, pk)
    now = timezone.now()
    return JsonResponse(
        {
            "status": "failed" if job.is_stalled(now) else job.status,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "text": progress_text(job),
            "finished": job.is_finished(now),
        },
        headers={"Cache-Control": "no-store"},
    )


def progress_text(job: ImportJob) -> str:
    if job.rows_total is None:
        return "Checking the file…" if job.status == ImportJob.Status.RUNNING else "Waiting for a worker…"
    return f"{job.rows_done:,} of {job.rows_total:,} rows"


@login_required
def import_job_errors(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every row the job could not take, as CSV (line, problem), streamed in line order."""
    job = _get_import_job_for_user(request, pk)

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["line", "problem"])
        for line, message in job.row_errors.values_list("line", "message").iterator(chunk_size=2000):
            writer.writerow([line, _safe_cell(message)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


def _safe_cell(text: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula; the messages quote user input."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_POST
def import_job_run_again(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_import_job_for_user(request, pk)
    if import_jobs.run_again(job, enqueue=enqueue_import):
        messages.success(request, f"The import of “{job.file_name}” is queued again.")
    else:
        messages.warning(request, "This import is not stopped, so it cannot be run again.")
    return redirect(job)
