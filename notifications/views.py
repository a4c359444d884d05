"""The notification centre (CONTRACT /notifications/): list, open, mark read, and one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from identity.account import CHANNELS, IN_APP_ONLY
from notifications.emails import UNSUBSCRIBE_SALT
from notifications.models import Notification
from people.models import EmployeeProfile

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


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session; the signed token is the proof
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From a List-Unsubscribe link: switch this person to "in CampaignHub only" (the Account page's choice)."""
    try:
        user_pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise Http404("This unsubscribe link is not valid.") from exc
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        raise Http404("This unsubscribe link is not valid.")
    done = request.method == "POST"
    if done:
        profile, _ = EmployeeProfile.objects.get_or_create(user=user)
        profile.preferred_channels = CHANNELS[IN_APP_ONLY]
        profile.save(update_fields=["preferred_channels"])
    return render(request, "notifications/unsubscribe.html", {"done": done, "person": user})
