"""Taking attendance and confirming a briefing was delivered (its presenter or IC)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from briefings import tasks
from briefings.forms import AttendanceForm, DeliveredForm
from briefings.models import Briefing
from briefings.views import _get_briefing_for_user


# --- attendance and delivery -----------------------------------------------------------------
@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk, run=True)
    invitations = list(
        briefing.invitations.select_related("user__profile").order_by(
            "user__first_name", "user__last_name", "pk"
        )
    )
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        invitations=invitations,
        initial={"attended": [str(i.pk) for i in invitations if i.has_attended]},
    )
    if request.method == "POST" and form.is_valid():
        ticked = {int(v) for v in form.cleaned_data["attended"]}
        now = timezone.now()
        with transaction.atomic():
            briefing.invitations.filter(pk__in=ticked, attended_at__isnull=True).update(attended_at=now)
            briefing.invitations.exclude(pk__in=ticked).update(attended_at=None)
            if briefing.status == Briefing.Status.DELIVERED:
                transaction.on_commit(lambda: tasks.send_feedback_requests.delay(briefing.pk))
        messages.success(request, f"Attendance saved: {len(ticked)} attended.")
        return redirect("briefing_attendance", briefing.pk)
    return render(
        request,
        "briefings/attendance.html",
        {
            "briefing": briefing,
            "form": form,
            "invitations": invitations,
            "delivered_form": DeliveredForm(briefing=briefing, initial={"notes": briefing.delivered_notes}),
        },
    )


@login_required
@require_POST
def delivered(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk, run=True)
    form = DeliveredForm(request.POST, briefing=briefing)
    if not form.is_valid():
        invitations = list(
            briefing.invitations.select_related("user__profile").order_by("user__first_name", "pk")
        )
        return render(
            request,
            "briefings/attendance.html",
            {
                "briefing": briefing,
                "form": AttendanceForm(
                    invitations=invitations,
                    initial={"attended": [str(i.pk) for i in invitations if i.has_attended]},
                ),
                "invitations": invitations,
                "delivered_form": form,
            },
        )
    with transaction.atomic():
        briefing.confirm_delivered(form.cleaned_data["notes"])
        transaction.on_commit(lambda: tasks.send_feedback_requests.delay(briefing.pk))
    messages.success(
        request, "Briefing marked as delivered. Attendees get an email asking for their feedback."
    )
    return redirect(briefing)
