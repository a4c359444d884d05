"""Duplicate a campaign, or start a new one from an earlier campaign: a new draft with the same content.

Copied: concept, details, objectives, external channels, teams, key messages, impacts (audience, level
and texts), the assets it shows (linked from the library, never copied as files), the embargo at the
same offset before go-live, and through core.copiers what higher apps plan (rollout: the stages,
shifted to keep their offset from the new go-live). Never copied: status, review comment, approvals,
history, deliveries, briefings, RSVPs, sent state, explainers. The copy is a draft owned by whoever
duplicated it, and drafts never dispatch (RolloutStage.objects.due).
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from campaigns.models import Asset, AssetReuse, Campaign, Impact, KeyMessage
from core import copiers
from people import roles
from people.models import user_zone

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
EARLIER_CAMPAIGNS_SHOWN = 20


class DuplicateForm(forms.Form):
    title = forms.CharField(label="Title of the new campaign", max_length=200)
    go_live_at = forms.DateTimeField(label="Go-live", widget=DATETIME_INPUT)

    def __init__(self, *args, source: Campaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        zone = user_zone(user).key
        self.fields["go_live_at"].help_text = (
            f"Date and time in your time zone ({zone}). The embargo and every rollout stage keep "
            "their distance from go-live."
        )
        self.initial.setdefault("title", f"Copy of {source.title}"[:200])
        if source.go_live_at > timezone.now():
            self.initial.setdefault("go_live_at", timezone.localtime(source.go_live_at))

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the new campaign a title.")
        return title

    def clean_go_live_at(self) -> datetime:
        go_live_at = self.cleaned_data["go_live_at"].replace(second=0, microsecond=0)
        if go_live_at < timezone.now():
            raise forms.ValidationError("Go-live must be in the future.")
        return go_live_at


@transaction.atomic
def duplicate(source: Campaign, user, *, title: str, go_live_at: datetime) -> Campaign:
    """A new draft of `source` for `user`, going live at `go_live_at` (see the module's docstring)."""
    embargo_before = source.go_live_at - source.embargo_until
    copy = Campaign(
        title=title,
        owner=user,
        status=Campaign.Status.DRAFT,
        concept=source.concept,
        details=source.details,
        objectives=source.objectives,
        go_live_at=go_live_at,
        is_go_live_tentative=source.is_go_live_tentative,
        embargo_until=go_live_at - embargo_before,
        time_zone=user_zone(user).key,
        external_channels=list(source.external_channels),
    )
    copy._duplicated_from = source  # rollout.plan: no default plan, the copier brings the source's
    copy._change_reason = f"Duplicated from “{source.title}”"
    copy.save()
    copy.teams.set(source.teams.all())
    KeyMessage.objects.bulk_create(
        KeyMessage(campaign=copy, position=m.position, text=m.text) for m in source.key_messages.all()
    )
    Impact.objects.bulk_create(
        Impact(
            campaign=copy,
            audience_id=i.audience_id,
            level=i.level,
            what_changes=i.what_changes,
            what_to_do=i.what_to_do,
        )
        for i in source.impacts.all()
    )
    # The library shares assets between campaigns: the copy shows the same ones, no new upload.
    shown = Asset.objects.filter(Q(campaign=source) | Q(reuses__campaign=source)).distinct()
    AssetReuse.objects.bulk_create(
        AssetReuse(asset_id=pk, campaign=copy, added_by=user) for pk in shown.values_list("pk", flat=True)
    )
    copiers.copy_all(source, copy)
    return copy


def _source_for(request: HttpRequest, pk: int) -> Campaign:
    """The campaign to copy: only those who may see its embargoed details and edit it (403/404)."""
    source = Campaign.objects.select_related("owner").for_user(request.user, pk)
    if not source.can_edit(request.user):
        raise PermissionDenied("You may not duplicate this campaign.")
    return source


@login_required
def campaign_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source_for(request, pk)
    form = DuplicateForm(request.POST or None, source=source, user=request.user)
    if request.method == "POST" and form.is_valid():
        copy = duplicate(source, request.user, **form.cleaned_data)
        messages.success(
            request, f"Duplicated from “{source.title}” as a draft. Check the dates, then submit it to IC."
        )
        return redirect(copy)
    return render(request, "campaigns/campaign_duplicate.html", {"form": form, "source": source})


@login_required
def start_from_earlier(request: HttpRequest) -> HttpResponse:
    """Start a new campaign from an earlier one: the campaigns this person may edit, newest first."""
    if not roles.can_manage_campaigns(request.user):
        raise PermissionDenied("Campaign management is for marketing and internal communications.")
    q = request.GET.get("q", "").strip()[:200]
    campaigns = Campaign.objects.visible_to(request.user).order_by("-go_live_at", "-pk")
    if q:
        campaigns = campaigns.filter(title__icontains=q)
    shown = list(campaigns[: EARLIER_CAMPAIGNS_SHOWN + 1])
    return render(
        request,
        "campaigns/start_from_earlier.html",
        {
            "campaigns": shown[:EARLIER_CAMPAIGNS_SHOWN],
            "more": len(shown) > EARLIER_CAMPAIGNS_SHOWN,
            "q": q,
        },
    )
