"""The notification centre (CONTRACT /notifications/): list, open, mark read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications.models import Notification

PAGE_SIZE = 20


def _get_notification_for_user(request: HttpRequest, pk: int) -> Notification:
    """Only the recipient's own notification; anyone else's is 404, as if it did not exist."""
    notification = Notification.objects.for_user(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.for_user(request.user).newest_first()
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and goes to the item it is about."""
    notification = _get_notification_for_user(request, pk)
    notification.mark_read()
    return redirect(notification.url)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    _get_notification_for_user(request, pk).mark_read()
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = Notification.mark_all_read(request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notification_list")


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    return f"/notifications/?page={page}" if page.isdigit() else "/notifications/"
