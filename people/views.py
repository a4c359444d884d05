"""Audience pages: marketing and IC see who each audience reaches; IC creates and edits them."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.panels import AUDIENCE, render_panels
from people import roles
from people.forms import AudienceForm, EmployeeImportForm
from people.importing import import_employees
from people.models import Audience

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


@login_required
def audience_import(request: HttpRequest) -> HttpResponse:
    """IC uploads the employee CSV; the page shows the same report as manage.py import_employees."""
    _require_editor(request)
    report = None
    if request.method == "POST":
        form = EmployeeImportForm(request.POST, request.FILES)
        if form.is_valid():
            report = import_employees(io.StringIO(form.text, newline=""))
    else:
        form = EmployeeImportForm()
    return render(request, "people/audience_import.html", {"form": form, "report": report})
