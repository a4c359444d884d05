"""Emails about a briefing outside the engine's stages: updates, cancellations, a seat from the waiting list.

Each invitee's message carries the .ics (same UID, current SEQUENCE). `Invitation.notified_sequence`
is set right after each accepted message, so a retried task resumes with the people not yet told.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone

from briefings.ics import briefing_calendar
from briefings.models import Briefing, Invitation
from people.models import user_zone
from rollout.models import RolloutStage

log = logging.getLogger(__name__)

UPDATE = "update"
CANCEL = "cancel"
SEAT = "seat"
FEEDBACK = "feedback"
KINDS = (UPDATE, CANCEL, SEAT, FEEDBACK)


def build_message(briefing: Briefing, invitation: Invitation, kind: str) -> EmailMultiAlternatives:
    user = invitation.user
    method = "CANCEL" if kind == CANCEL else "REQUEST"
    context = {
        "briefing": briefing,
        "campaign": briefing.campaign,
        "user": user,
        "invitation": invitation,
        "url": settings.SITE_URL + briefing.get_absolute_url(),
    }
    with timezone.override(user_zone(user)):
        subject = render_to_string(f"briefings/emails/{kind}/subject.txt", context).strip()
        text = render_to_string(f"briefings/emails/{kind}/body.txt", context)
        html = render_to_string(f"briefings/emails/{kind}/body.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    if kind == FEEDBACK:
        return message  # nothing changes in the calendar
    message.attach(
        "briefing.ics",
        briefing_calendar(briefing, attendee=user, method=method).decode(),
        f"text/calendar; method={method}",
    )
    return message


def send_briefing_notice(briefing_id: int, kind: str) -> int:
    """Email every invitee not yet told about the briefing's current SEQUENCE; returns how many were sent."""
    briefing = Briefing.objects.select_related("campaign").filter(pk=briefing_id).first()
    if briefing is None:
        return 0
    invitations = (
        briefing.invitations.select_related("user__profile")
        .filter(notified_sequence__lt=briefing.sequence)
        .exclude(user__email="")
    )
    if kind == UPDATE:
        invitations = invitations.exclude(rsvp=Invitation.Rsvp.NO)
    sent = 0
    with get_connection() as connection:
        for invitation in invitations:
            if connection.send_messages([build_message(briefing, invitation, kind)]) != 1:
                log.warning(
                    "briefing %s %s notice to invitation %s not accepted", briefing.pk, kind, invitation.pk
                )
                continue
            Invitation.objects.filter(pk=invitation.pk, notified_sequence__lt=briefing.sequence).update(
                notified_sequence=briefing.sequence
            )
            sent += 1
    log.info("briefing %s: %s notice sent to %s invitees", briefing.pk, kind, sent)
    return sent


def send_seat_notice(invitation_id: int) -> int:
    """Tell someone they moved up from the waiting list."""
    invitation = (
        Invitation.objects.select_related("briefing__campaign", "user__profile")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.has_seat or not invitation.user.email:
        return 0
    return get_connection().send_messages([build_message(invitation.briefing, invitation, SEAT)])


def send_feedback_requests(briefing_id: int) -> int:
    """Ask each attendee of a delivered briefing for feedback, once each; returns how many were asked."""
    briefing = Briefing.objects.select_related("campaign").filter(pk=briefing_id).first()
    if briefing is None or briefing.status != Briefing.Status.DELIVERED:
        return 0
    invitations = briefing.invitations.select_related("user__profile").filter(
        attended_at__isnull=False, feedback_requested_at__isnull=True
    )
    sent = 0
    with get_connection() as connection:
        for invitation in invitations.exclude(user__email=""):
            if connection.send_messages([build_message(briefing, invitation, FEEDBACK)]) != 1:
                continue
            Invitation.objects.filter(pk=invitation.pk, feedback_requested_at__isnull=True).update(
                feedback_requested_at=timezone.now()
            )
            sent += 1
    return sent


def invitation_attachments(stage: RolloutStage, recipient) -> list[tuple[str, str, str]]:
    """Attachment provider for the engine: the .ics on each briefing-invitation email.

    A stage created by "invite audiences" carries its own briefing. The campaign-wide invitation
    stage of the default plan carries one file per scheduled briefing of that campaign the
    recipient is invited to (iTIP allows one event UID per REQUEST, hence one file each).
    """
    if stage.kind != RolloutStage.Kind.BRIEFING_INVITATION:
        return []
    own = Briefing.objects.select_related("campaign").filter(invitation_stage=stage).first()
    if own is not None:
        briefings = [] if own.is_cancelled else [own]
    else:
        briefings = list(
            Briefing.objects.scheduled()
            .filter(campaign_id=stage.campaign_id, invitations__user=recipient, starts_at__gt=timezone.now())
            .select_related("campaign")
            .exclude(invitations__user=recipient, invitations__rsvp=Invitation.Rsvp.NO)
            .order_by("starts_at", "pk")
        )
    return [
        (
            "briefing.ics" if len(briefings) == 1 else f"briefing-{b.pk}.ics",
            briefing_calendar(b, attendee=recipient, method="REQUEST").decode(),
            "text/calendar; method=REQUEST",
        )
        for b in briefings
    ]
