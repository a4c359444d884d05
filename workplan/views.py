"""The workplan pages: a campaign's workplan, its brief, adding and editing deliverables (with the
duplicate check before saving), sharing another team's deliverable, and My work.

Who may see them: IC, and marketing people who may see the campaign (Campaign.objects.for_user);
employees and presenters get 403. Who may change a workstream: workstream.can_edit / can_edit_team.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from people import roles
from people.models import MarcomTeam
from workplan import board, duplicates, history
from workplan.forms import BriefForm, ChannelFormSet, DeliverableForm, ObjectiveFormSet
from workplan.models import CampaignBrief, Deliverable, Workstream, can_edit_team, team_ids_of

SAVE_ANYWAY = "different"


def sees_workplans(user) -> bool:
    return roles.can_manage_campaigns(user)


def _get_campaign_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> Campaign:
    campaign = Campaign.objects.for_user(request.user, pk)
    if edit and not campaign.is_editable:
        raise PermissionDenied("A closed or cancelled campaign can no longer be changed.")
    return campaign


def _get_deliverable_for_user(
    request: HttpRequest, campaign: Campaign, pk: int, *, edit: bool = False
) -> Deliverable:
    deliverable = get_object_or_404(
        Deliverable.objects.select_related("workstream__team"), pk=pk, workstream__campaign=campaign
    )
    if edit and not deliverable.workstream.can_edit(request.user):
        raise PermissionDenied("Only the team that owns this workstream may change it.")
    return deliverable


def workplan_panel(request: HttpRequest, campaign: Campaign) -> dict | None:
    """The campaign page's link to the workplan (no queries: the page's count is pinned)."""
    if not sees_workplans(request.user):
        return None
    return {"url": reverse("workplan", args=[campaign.pk])}


@login_required
def workplan(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk)
    plan = board.board_for(campaign, request.user)
    return render(request, "workplan/workplan.html", {"campaign": campaign, "board": plan})


def _editable_teams(request: HttpRequest, campaign: Campaign) -> list[tuple[str, str]]:
    teams = (
        MarcomTeam.objects.filter(pk__in=team_ids_of(request.user))
        if roles.is_marketing(request.user)
        else []
    )
    choices = [(str(t.pk), t.name) for t in teams]
    if roles.is_ic(request.user):
        choices.append(("ic", "Internal communications"))
    return choices


def _draft(form: DeliverableForm, campaign: Campaign) -> duplicates.Draft:
    data = form.cleaned_data
    probe = Deliverable(offset_days=data["offset_days"])
    return duplicates.Draft(
        data["title"],
        data.get("description", ""),
        data["type"],
        data["channel"],
        probe.compute_due_at(campaign),
    )


def _deliverable_form(
    request: HttpRequest, campaign: Campaign, deliverable: Deliverable | None
) -> HttpResponse:
    teams = _editable_teams(request, campaign)
    if deliverable is None and not teams:
        raise PermissionDenied("You are on no team that can plan work here.")
    initial = {"team": request.GET.get("team", ""), "owner": request.user.pk} if deliverable is None else {}
    form = DeliverableForm(
        request.POST or None, instance=deliverable, campaign=campaign, teams=teams, initial=initial
    )
    matches = []
    if request.method == "POST" and form.is_valid():
        team_id = form.team_id() if deliverable is None else deliverable.workstream.team_id
        if not can_edit_team(request.user, team_id):
            raise PermissionDenied("Only the team that owns this workstream may change it.")
        if form.cleaned_data.get("decision") != SAVE_ANYWAY:
            matches = duplicates.duplicates_for(
                _draft(form, campaign),
                campaign,
                team_id,
                request.user,
                exclude_pk=deliverable and deliverable.pk,
            )
        if not matches:
            with transaction.atomic():
                saved = form.save(commit=False)
                if deliverable is None:
                    saved.workstream = Workstream.for_team(
                        campaign, None if team_id is None else MarcomTeam.objects.get(pk=team_id)
                    )
                saved.save()
                form.save_m2m()
            messages.success(request, f"Saved “{saved.title}”, due {saved.offset_label}.")
            return redirect("workplan", campaign.pk)
    return render(
        request,
        "workplan/deliverable_form.html",
        {
            "campaign": campaign,
            "form": form,
            "deliverable": deliverable,
            "matches": matches,
            "save_anyway": SAVE_ANYWAY,
            "team_name": dict(teams).get(form.cleaned_data.get("team"), "") if matches else "",
        },
    )


@login_required
def deliverable_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk, edit=True)
    return _deliverable_form(request, campaign, None)


@login_required
def deliverable_edit(request: HttpRequest, pk: int, deliverable_pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk, edit=request.method == "POST")
    deliverable = _get_deliverable_for_user(request, campaign, deliverable_pk)
    if not deliverable.workstream.can_edit(request.user) or not campaign.is_editable:
        if request.method == "POST":
            raise PermissionDenied("Only the team that owns this workstream may change it.")
        return render(
            request, "workplan/deliverable_detail.html", {"campaign": campaign, "deliverable": deliverable}
        )
    return _deliverable_form(request, campaign, deliverable)


@login_required
@require_POST
def deliverable_share(request: HttpRequest, pk: int, deliverable_pk: int) -> HttpResponse:
    """ "Same work: share it": the person's team joins the existing deliverable instead of making a copy."""
    campaign = _get_campaign_for_user(request, pk, edit=True)
    deliverable = _get_deliverable_for_user(request, campaign, deliverable_pk)
    team = get_object_or_404(MarcomTeam, pk=request.POST.get("team") or 0)
    if not can_edit_team(request.user, team.pk):
        raise PermissionDenied("You can only share work with your own team.")
    deliverable.share_with(team)
    messages.success(request, f"{team.name} now shares “{deliverable.title}” with {deliverable.team_name}.")
    return redirect("workplan", campaign.pk)


@login_required
def brief(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk)
    the_brief = (
        CampaignBrief.objects.filter(campaign=campaign)
        .prefetch_related("objectives", "channels", "creatives")
        .first()
    )
    changes, last_seen = [], None
    if the_brief is not None:
        last_seen = the_brief.last_seen_by(request.user)
        changes = history.brief_entries(campaign, since=last_seen)[::-1] if last_seen else []
        the_brief.mark_seen(request.user)
    return render(
        request,
        "workplan/brief.html",
        {
            "campaign": campaign,
            "brief": the_brief,
            "changes": changes,
            "last_seen": last_seen,
            "can_edit": campaign.can_edit(request.user) and campaign.is_editable,
        },
    )


@login_required
def brief_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk, edit=True)
    if not campaign.can_edit(request.user):
        raise PermissionDenied("Only the campaign's owner, its teams and IC edit the brief.")
    the_brief = CampaignBrief.objects.filter(campaign=campaign).first() or CampaignBrief(campaign=campaign)
    data = request.POST or None
    form = BriefForm(data, instance=the_brief)
    objectives = ObjectiveFormSet(data, instance=the_brief, prefix="objectives")
    channels = ChannelFormSet(data, instance=the_brief, prefix="channels")
    if request.method == "POST" and form.is_valid() and objectives.is_valid() and channels.is_valid():
        with transaction.atomic():
            saved = form.save()
            objectives.instance = channels.instance = saved
            objectives.save()
            channels.save()
            saved.mark_seen(request.user)  # your own changes are not news to you
        messages.success(request, "Brief saved.")
        return redirect("brief", campaign.pk)
    return render(
        request,
        "workplan/brief_form.html",
        {"campaign": campaign, "form": form, "objectives": objectives, "channels": channels},
    )


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    if not sees_workplans(request.user):
        raise PermissionDenied("My work is for marketing and internal communications.")
    teams = list(MarcomTeam.objects.order_by("name"))
    team = None
    if request.GET.get("team"):
        team = next((t for t in teams if str(t.pk) == request.GET["team"]), None)
        if team is None:
            raise PermissionDenied("No such team.")
    deliverables = board.my_work(request.user, team)
    return render(
        request,
        "workplan/my_work.html",
        {
            "deliverables": deliverables,
            "team": team,
            "teams": teams,
            "my_team_ids": team_ids_of(request.user),
        },
    )
