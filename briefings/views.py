"""Briefing pages: list, schedule/edit, detail with RSVP, pack views, attendance, feedback, calendars."""

from __future__ import annotations

import csv
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from briefings import ics, notices, tasks
from briefings.forms import (
    AnswerForm,
    AttendanceForm,
    BriefingForm,
    CancelForm,
    DeliveredForm,
    FeedbackForm,
    PackForm,
    RsvpForm,
)
from briefings.models import CALENDAR_FIELDS, Briefing, CalendarFeed, Feedback, Invitation
from campaigns.models import Campaign
from people import roles
from rollout import sending
from rollout.models import Delivery


# --- authorisation helpers -------------------------------------------------------------------
def _get_briefing_for_user(
    request: HttpRequest, pk: int, *, manage: bool = False, run: bool = False
) -> Briefing:
    """The briefing if this person may see it (404 otherwise); 403 if they may not manage/run it."""
    briefing = (
        Briefing.objects.visible_to(request.user)
        .select_related("campaign", "presenter", "invitation_stage")
        .filter(pk=pk)
        .first()
    )
    if briefing is None:
        briefing = _invite_late_joiner(request.user, pk)
    if briefing is None:
        raise Http404("No such briefing.")
    if manage and not briefing.can_manage(request.user):
        raise PermissionDenied("Only internal communications manage briefings.")
    if run and not briefing.can_run(request.user):
        raise PermissionDenied("Only the presenter of this briefing (or IC) can do that.")
    return briefing


def _invite_late_joiner(user, pk: int) -> Briefing | None:
    """Someone who got the invitation stage without an invitation row (they joined an audience after
    "invite audiences", and the engine sent them the latest stage): invite them now."""
    if not user.is_authenticated:
        return None
    briefing = (
        Briefing.objects.scheduled()
        .select_related("campaign", "presenter", "invitation_stage")
        .filter(pk=pk, invitation_stage__deliveries__recipient=user)
        .first()
    )
    if briefing is not None:
        Invitation.objects.get_or_create(
            briefing=briefing, user=user, defaults={"notified_sequence": briefing.sequence}
        )
    return briefing


def _get_campaign_for_user(request: HttpRequest, pk: int, *, schedule: bool = False) -> Campaign:
    """A campaign whose briefings this person manages (IC) or whose feedback they read (its marketing)."""
    if not roles.can_manage_campaigns(request.user):
        raise PermissionDenied("This page is for marketing and internal communications.")
    if schedule and not roles.is_ic(request.user):
        raise PermissionDenied("Only internal communications schedule briefings.")
    campaign = get_object_or_404(Campaign, pk=pk)
    if not Campaign.objects.visible_to(request.user).filter(pk=pk).exists():
        raise PermissionDenied("This campaign belongs to another team.")
    return campaign


def _my_invitation(briefing: Briefing, user) -> Invitation | None:
    return Invitation.objects.filter(briefing=briefing, user=user).first()


# --- list and detail -------------------------------------------------------------------------
@login_required
def briefing_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = Invitation.objects.filter(briefing=OuterRef("pk"), user=user)
    briefings = (
        Briefing.objects.visible_to(user)
        .select_related("campaign", "presenter")
        .prefetch_related("audiences")
        .with_counts()
        .annotate(
            my_rsvp=Subquery(mine.values("rsvp")[:1]),
            my_waitlisted=Subquery(mine.values("is_waitlisted")[:1]),
            my_attended_at=Subquery(mine.values("attended_at")[:1]),
        )
        .order_by("starts_at", "pk")
    )
    show = request.GET.get("show", "upcoming")
    if show != "all":
        briefings = briefings.filter(ends_at__gte=timezone.now())
    return render(
        request,
        "briefings/briefing_list.html",
        {
            "briefings": briefings,
            "show": show,
            "sees_counts": roles.can_manage_campaigns(user) or roles.is_presenter(user),
        },
    )


def _detail_context(request: HttpRequest, briefing: Briefing, rsvp_form: RsvpForm | None = None) -> dict:
    user = request.user
    invitation = _my_invitation(briefing, user)
    position = None
    if invitation and invitation.is_waitlisted:
        position = (
            briefing.invitations.filter(is_waitlisted=True)
            .filter(
                Q(waitlisted_at__lt=invitation.waitlisted_at)
                | Q(waitlisted_at=invitation.waitlisted_at, pk__lt=invitation.pk)
            )
            .count()
            + 1
        )
    can_see_pack = briefing.can_see_pack(user)
    counts = (
        Briefing.objects.filter(pk=briefing.pk)
        .with_counts()
        .values("invited_count", "accepted_count", "waiting_count", "attended_count")[0]
    )
    return {
        "briefing": briefing,
        "campaign": briefing.campaign,
        "invitation": invitation,
        "waitlist_position": position,
        "rsvp_form": rsvp_form
        or RsvpForm(briefing=briefing, initial={"answer": invitation.rsvp} if invitation else None),
        "accepts_rsvp": briefing.accepts_rsvp(),
        # Employees read the embargoed details only once the embargo lifts; pack readers see them in the pack.
        "show_details": can_see_pack or not briefing.campaign.is_embargoed(),
        "can_see_pack": can_see_pack,
        "can_manage": briefing.can_manage(user),
        "can_open_campaign": roles.is_ic(user) or (roles.is_marketing(user) and can_see_pack),
        "can_run": briefing.can_run(user),
        "can_give_feedback": bool(invitation and invitation.has_attended),
        "counts": counts,
        "audiences": briefing.audiences.all(),
        "zone_differs": briefing.time_zone != str(timezone.get_current_timezone()),
    }


@login_required
def briefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk)
    return render(request, "briefings/briefing_detail.html", _detail_context(request, briefing))


@login_required
@require_POST
def briefing_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk)
    invitation = _my_invitation(briefing, request.user)
    if invitation is None:
        raise PermissionDenied("Only invitees answer.")
    form = RsvpForm(request.POST, briefing=briefing)
    if not form.is_valid():
        return render(request, "briefings/briefing_detail.html", _detail_context(request, briefing, form))
    promoted = invitation.respond(form.cleaned_data["answer"])
    for moved in promoted:
        transaction.on_commit(lambda pk=moved.pk: tasks.send_seat_notice.delay(pk))
    if invitation.is_waitlisted:
        messages.warning(
            request, "The briefing is full: you are on the waiting list and will hear if a seat frees up."
        )
    else:
        messages.success(request, f"Thanks: your answer is “{invitation.get_rsvp_display()}”.")
    return redirect(briefing)


@login_required
@require_GET
def briefing_ics(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk)
    response = HttpResponse(
        ics.briefing_calendar(briefing, attendee=request.user), content_type=ics.CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="briefing-{briefing.pk}.ics"'
    return response


# --- scheduling ------------------------------------------------------------------------------
def _apply(briefing: Briefing, data: dict) -> None:
    for field in (
        "title",
        "time_zone",
        "starts_at",
        "ends_at",
        "place",
        "online_url",
        "presenter",
        "capacity",
    ):
        setattr(briefing, field, data[field])


def _warn(request: HttpRequest, briefing: Briefing) -> None:
    for warning in briefing.scheduling_warnings():
        messages.warning(request, f"Saved, but note: {warning}")


@login_required
def briefing_new(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk, schedule=True)
    if request.method == "POST":
        form = BriefingForm(request.POST, campaign=campaign)
        if form.is_valid():
            briefing = Briefing(campaign=campaign)
            _apply(briefing, form.cleaned_data)
            briefing.copy_pack_from_campaign()
            with transaction.atomic():
                briefing.save()
                briefing.audiences.set(form.cleaned_data["audiences"])
            messages.success(request, f"Briefing “{briefing.title}” scheduled.")
            _warn(request, briefing)
            if "another" in request.POST:
                return redirect(f"{request.path}?from={briefing.pk}")
            return redirect(briefing)
    else:
        form = BriefingForm(campaign=campaign, initial=_new_initial(request, campaign))
    return render(
        request, "briefings/briefing_form.html", {"form": form, "campaign": campaign, "briefing": None}
    )


def _new_initial(request: HttpRequest, campaign: Campaign) -> dict:
    """Copy the previous session (Save and add another), else one hour at go-live for the impacted audiences."""
    source = Briefing.objects.filter(campaign=campaign, pk=request.GET.get("from") or 0).first()
    if source is not None:
        initial = BriefingForm.initial_for(source)
        initial["title"] = source.title
        return initial
    zone = timezone.get_current_timezone()
    start = campaign.go_live_at.astimezone(zone).replace(tzinfo=None)
    return {
        "title": f"{campaign.title}: team briefing",
        "time_zone": str(zone),
        "starts_at": start,
        "ends_at": start + timezone.timedelta(hours=1),
        "audiences": [i.audience_id for i in campaign.impacts.all()],
    }


@login_required
def briefing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk, manage=True)
    if briefing.is_cancelled:
        messages.error(request, "A cancelled briefing cannot be edited.")
        return redirect(briefing)
    if request.method == "POST":
        form = BriefingForm(request.POST, campaign=briefing.campaign, briefing=briefing)
        if form.is_valid():
            before = {f: getattr(briefing, f) for f in CALENDAR_FIELDS}
            _apply(briefing, form.cleaned_data)
            changed = any(getattr(briefing, f) != before[f] for f in CALENDAR_FIELDS)
            with transaction.atomic():
                if changed:
                    briefing.sequence = F("sequence") + 1
                briefing.save()
                briefing.refresh_from_db(fields=["sequence"])
                briefing.audiences.set(form.cleaned_data["audiences"])
                promoted = briefing.fill_seats_from_waiting_list()
                for moved in promoted:
                    transaction.on_commit(lambda pk=moved.pk: tasks.send_seat_notice.delay(pk))
                if changed and briefing.invitations.exists():
                    transaction.on_commit(
                        lambda: tasks.send_briefing_notice.delay(briefing.pk, notices.UPDATE)
                    )
            messages.success(
                request, "Briefing updated." + (" Invitees get the new calendar entry." if changed else "")
            )
            _warn(request, briefing)
            return redirect(briefing)
    else:
        form = BriefingForm(
            campaign=briefing.campaign, briefing=briefing, initial=BriefingForm.initial_for(briefing)
        )
    return render(
        request,
        "briefings/briefing_form.html",
        {"form": form, "campaign": briefing.campaign, "briefing": briefing},
    )


@login_required
@require_POST
def briefing_invite(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk, manage=True)
    if briefing.is_cancelled:
        messages.error(request, "A cancelled briefing cannot invite anyone.")
        return redirect(briefing)
    added, plan = sending.send_or_ask(
        briefing.campaign, briefing.invite_audiences, confirmed=bool(request.POST.get("confirm"))
    )
    if plan:  # a running campaign sends the invitation stage at the next tick: say so, and ask
        heading, button = "Invite the audiences and send now?", "Invite and send now"
        return sending.confirmation_page(
            request,
            briefing.campaign,
            plan,
            heading=heading,
            button=button,
            cancel_url=briefing.get_absolute_url(),
        )
    messages.success(
        request,
        f"{added} new invitee{'s' if added != 1 else ''}. The invitation goes out with the campaign's rollout "
        "(stage “Briefing invitation”), with a calendar file attached.",
    )
    return redirect(briefing)


@login_required
def briefing_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk, manage=True)
    if briefing.is_cancelled:
        return redirect(briefing)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            briefing.cancel(request.user)
            transaction.on_commit(lambda: tasks.send_briefing_notice.delay(briefing.pk, notices.CANCEL))
        messages.success(request, "Briefing cancelled. Invitees get a cancellation for their calendars.")
        return redirect(briefing)
    return render(request, "briefings/briefing_cancel.html", {"briefing": briefing, "form": form})


# --- the pack --------------------------------------------------------------------------------
def _get_pack_for_user(request: HttpRequest, pk: int) -> Briefing:
    briefing = _get_briefing_for_user(request, pk)
    if not briefing.can_see_pack(request.user):
        if briefing.presenter_id == request.user.pk:
            when = timezone.localtime(briefing.pack_release_time).strftime("%d %b %Y, %H:%M")
            raise PermissionDenied(f"The pack is released to you on {when}.")
        raise PermissionDenied("The briefing pack is for its presenter, IC and the campaign's marketing.")
    return briefing


def _pack_context(briefing: Briefing) -> dict:
    return {
        "briefing": briefing,
        "campaign": briefing.campaign,
        "key_messages": briefing.key_message_list(),
        "faq": briefing.faq_items(),
        "assets": briefing.campaign.assets.all(),
    }


@login_required
def pack(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_pack_for_user(request, pk)
    context = _pack_context(briefing) | {"can_manage": briefing.can_manage(request.user)}
    return render(request, "briefings/pack.html", context)


@login_required
def pack_print(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_pack_for_user(request, pk)
    return render(request, "briefings/pack_print.html", _pack_context(briefing))


@login_required
def presenter_view(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_pack_for_user(request, pk)
    context = _pack_context(briefing) | {
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


# --- feedback --------------------------------------------------------------------------------
@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = _get_briefing_for_user(request, pk)
    invitation = _my_invitation(briefing, request.user)
    if invitation is None or not invitation.has_attended:
        raise PermissionDenied("Feedback is for the people who attended this briefing.")
    existing = Feedback.mine(briefing, request.user)
    form = FeedbackForm(
        request.POST if request.method == "POST" else None, initial=FeedbackForm.initial_for(existing)
    )
    if request.method == "POST" and form.is_valid():
        Feedback.submit(briefing, request.user, **form.cleaned_data)
        messages.success(
            request,
            "Thank you: your feedback is saved."
            + (" You can change it any time." if existing is None else " We updated your earlier answer."),
        )
        return redirect(briefing)
    return render(
        request, "briefings/feedback_form.html", {"briefing": briefing, "form": form, "existing": existing}
    )


def _summary(campaign: Campaign) -> dict:
    rows = list(
        Feedback.objects.for_campaign(campaign)
        .select_related("briefing", "user", "answered_by")
        .order_by("briefing__starts_at", "submitted_on", "id")
    )
    per_briefing: dict[int, dict] = {}
    for f in rows:
        entry = per_briefing.setdefault(f.briefing_id, {"briefing": f.briefing, "count": 0, "total": 0})
        entry["count"] += 1
        entry["total"] += f.feeling
    for entry in per_briefing.values():
        entry["average"] = round(entry["total"] / entry["count"], 1)
    distribution = [(n, sum(1 for f in rows if f.feeling == n)) for n in range(1, 6)]
    return {
        "rows": rows,
        "count": len(rows),
        "average": round(sum(f.feeling for f in rows) / len(rows), 1) if rows else None,
        "per_briefing": list(per_briefing.values()),
        "distribution": distribution,
        "comments": [f for f in rows if f.support],
        "unanswered": [f for f in rows if f.question and not f.answer],
        "answered": [f for f in rows if f.question and f.answer],
    }


@login_required
def feedback_summary(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk)
    context = _summary(campaign) | {"campaign": campaign, "answer_forms": {}}
    return render(request, "briefings/feedback_summary.html", context)


def _csv_cell(value) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def feedback_csv(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, campaign_pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="feedback-{campaign.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "briefing",
            "briefing date",
            "submitted on",
            "feeling (1-5)",
            "how I can support it",
            "question",
            "answer",
            "respondent",
        ]
    )
    for f in _summary(campaign)["rows"]:
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    f.briefing.title,
                    timezone.localtime(f.briefing.starts_at).date(),
                    f.submitted_on,
                    f.feeling,
                    f.support,
                    f.question,
                    f.answer,
                    f.respondent_label,
                )
            ]
        )
    return response


@login_required
@require_POST
def feedback_answer(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    item = get_object_or_404(Feedback.objects.select_related("briefing__campaign"), pk=pk)
    campaign = _get_campaign_for_user(request, item.briefing.campaign_id)
    if not campaign.can_edit(request.user):
        raise PermissionDenied("Only the campaign's marketing team or IC answer questions.")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        context = _summary(campaign) | {"campaign": campaign, "answer_forms": {item.pk: form}}
        return render(request, "briefings/feedback_summary.html", context)
    item.answer = form.cleaned_data["answer"]
    item.answered_by = request.user
    item.answered_at = timezone.now()
    item.save(update_fields=["answer", "answered_by", "answered_at"])
    messages.success(request, "Answer saved; it can appear in the explainer's FAQ.")
    return redirect("feedback_summary", campaign.pk)


# --- calendars -------------------------------------------------------------------------------
@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = settings.SITE_URL + feed.get_absolute_url() if feed else None
    return render(request, "briefings/calendar_settings.html", {"feed": feed, "feed_url": url})


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    had = CalendarFeed.objects.filter(user=request.user).exists()
    CalendarFeed.regenerate(request.user)
    messages.success(
        request, "New calendar address created." + (" The old one no longer works." if had else "")
    )
    return redirect("calendar_settings")


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    CalendarFeed.revoke(request.user)
    messages.success(request, "Calendar feed turned off: the address no longer works.")
    return redirect("calendar_settings")


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's briefings and warned-of go-lives, by secret address: no session, 404 for any bad token."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    user = feed.user
    since = timezone.now() - timezone.timedelta(days=90)
    attending = Invitation.objects.filter(briefing=OuterRef("pk"), user=user).exclude(rsvp=Invitation.Rsvp.NO)
    briefings = (
        Briefing.objects.filter(Q(Exists(attending)) | Q(presenter=user), ends_at__gte=since)
        .select_related("campaign")
        .order_by("starts_at", "pk")
    )
    warned = Delivery.objects.filter(
        stage__campaign=OuterRef("pk"), recipient=user, status=Delivery.Status.SENT
    )
    campaigns = (
        Campaign.objects.filter(Exists(warned), go_live_at__gte=since)
        .exclude(status=Campaign.Status.CANCELLED)
        .order_by("go_live_at", "pk")
    )
    response = HttpResponse(ics.feed_calendar(user, briefings, campaigns), content_type=ics.CONTENT_TYPE)
    response["X-Robots-Tag"] = "noindex"
    return response


# Counts of a campaign's briefings for the coverage panel (registered in apps.py).
def campaign_briefings(campaign: Campaign):
    return (
        Briefing.objects.filter(campaign=campaign)
        .select_related("presenter")
        .with_counts()
        .order_by("starts_at", "pk")
    )
