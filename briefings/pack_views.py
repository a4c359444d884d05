"""The briefing pack: read, print, presenter view, edit and release."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from briefings.forms import PackForm
from briefings.models import Briefing, pack_assets
from briefings.views import _get_briefing_for_user


# --- the pack --------------------------------------------------------------------------------
def _get_pack_for_user(request: HttpRequest, pk: int) -> Briefing:
    briefing = _get_briefing_for_user(request, pk)
    if not briefing.can_see_pack(request.user):
        if briefing.presenter_id == request.user.pk:
            when = timezone.localtime(briefing.pack_release_time).strftime("%d %b %Y, %H:%M")
            raise PermissionDenied(f"The pack is released to you on {when}.")
        raise PermissionDenied("The briefing pack is for its presenter, IC and the campaign's marketing.")
    return briefing


def _pack_context(briefing: Briefing, user) -> dict:
    return {
        "briefing": briefing,
        "campaign": briefing.campaign,
        "key_messages": briefing.key_message_list(),
        "faq": briefing.faq_items(),
        "assets": pack_assets(briefing, user),
    }


@login_required
def pack(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_pack_for_user(request, pk)
    context = _pack_context(briefing, request.user) | {"can_manage": briefing.can_manage(request.user)}
    return render(request, "briefings/pack.html", context)


@login_required
def pack_print(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_pack_for_user(request, pk)
    return render(request, "briefings/pack_print.html", _pack_context(briefing, request.user))


@login_required
def presenter_view(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_pack_for_user(request, pk)
    context = _pack_context(briefing, request.user) | {
        "counts": Briefing.objects.filter(pk=briefing.pk)
        .with_counts()
        .values("invited_count", "accepted_count", "waiting_count")[0],
        "can_run": briefing.can_run(request.user),
    }
    return render(request, "briefings/presenter.html", context)


@login_required
def pack_edit(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk, manage=True)
    old_release = briefing.pack_release_at
    if request.method == "POST":
        form = PackForm(request.POST, instance=briefing)
        if form.is_valid():
            release_at = form.cleaned_data["pack_release_at"]
            briefing = form.save(commit=False)
            briefing.pack_release_at = old_release
            briefing.save(
                update_fields=["why", "expected", "background", "key_messages", "faq", "speaker_notes"]
            )
            form.save_m2m()
            if release_at != old_release:
                briefing.set_pack_release(release_at, request.user)
            messages.success(request, "Pack saved.")
            return redirect("briefing_pack", briefing.pk)
    else:
        form = PackForm(instance=briefing)
    return render(request, "briefings/pack_form.html", {"form": form, "briefing": briefing})


@login_required
@require_POST
def pack_release(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk, manage=True)
    if briefing.is_pack_released():
        messages.info(request, "The pack is already released to the presenter.")
    else:
        briefing.set_pack_release(timezone.now(), request.user)
        messages.success(request, "Pack released to the presenter now; the campaign history records it.")
    return redirect("briefing_pack", briefing.pk)
