"""Briefing pages: list, detail with RSVP and calendar file, scheduling, invitations, cancelling.

The pack, attendance, feedback and calendar feeds live in pack_views, attendance_views,
feedback_views and calendar_views; views that take an id find it through the two access helpers here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from briefings import ics, notices, tasks
from briefings.forms import BriefingForm, CancelForm, RsvpForm
from briefings.models import CALENDAR_FIELDS, Briefing, Invitation
from campaigns.models import Campaign
from core import events
from people import roles
from rollout import sending


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
        briefing = _announced_briefing(request.user, pk)
    if briefing is None:
        raise Http404("No such briefing.")
    if manage and not briefing.can_manage(request.user):
        raise PermissionDenied("Only internal communications manage briefings.")
    if run and not briefing.can_run(request.user):
        raise PermissionDenied("Only the presenter of this briefing (or IC) can do that.")
    return briefing


def _announced_briefing(user, pk: int) -> Briefing | None:
    """A briefing whose invitation stage reached this person without an invitation row (they joined an
    audience after "invite audiences"): they may open it, and their first answer invites them."""
    briefing = (
        Briefing.objects.scheduled()
        .select_related("campaign", "presenter", "invitation_stage")
        .filter(pk=pk)
        .first()
    )
    return briefing if briefing is not None and briefing.was_announced_to(user) else None


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
    invitation = briefing.invitation_for(user)
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
    invitation = briefing.invitation_for(request.user)
    if invitation is None:
        raise PermissionDenied("Only invitees answer.")
    form = RsvpForm(request.POST, briefing=briefing)
    if not form.is_valid():
        return render(request, "briefings/briefing_detail.html", _detail_context(request, briefing, form))
    if invitation.pk is None:  # announced to them by the engine: answering is what invites them
        invitation, _ = Invitation.objects.get_or_create(
            briefing=briefing, user=request.user, defaults={"notified_sequence": briefing.sequence}
        )
    promoted = invitation.respond(form.cleaned_data["answer"])
    for moved in promoted:
        transaction.on_commit(lambda pk=moved.pk: tasks.send_seat_notice.delay(pk))
    if invitation.is_waitlisted:
        messages.warning(
            request, "The briefing is full: you are on the waiting list and will hear if a seat frees up."
        )
    else:
        messages.success(
            request, f"Thanks: your answer for “{briefing.title}” is “{invitation.get_rsvp_display()}”."
        )
    if request.POST.get("next") == "home":  # the one-tap answer on the home page goes back there
        return redirect("home")
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
    campaign = Campaign.objects.for_user(request.user, campaign_pk, ic_only=True)
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
            presenter_before = briefing.presenter_id
            _apply(briefing, form.cleaned_data)
            changed = any(getattr(briefing, f) != before[f] for f in CALENDAR_FIELDS)
            with transaction.atomic():
                if changed:
                    briefing.sequence = F("sequence") + 1
                briefing.save()
                briefing.refresh_from_db(fields=["sequence"])
                briefing.audiences.set(form.cleaned_data["audiences"])
                briefing.refresh_invitation_stage()
                promoted = briefing.fill_seats_from_waiting_list()
                for moved in promoted:
                    transaction.on_commit(lambda pk=moved.pk: tasks.send_seat_notice.delay(pk))
                if briefing.presenter_id != presenter_before:
                    events.emit(
                        events.BRIEFING_CHANGED,
                        briefing=briefing,
                        actor=request.user,
                        change="assigned to you",
                    )
                elif changed:
                    events.emit(
                        events.BRIEFING_CHANGED, briefing=briefing, actor=request.user, change="changed"
                    )
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
