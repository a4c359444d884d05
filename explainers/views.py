"""What employees see: the inbox of announcements and the campaign explainers (plus IC's editor).

Embargo rule for every page here: before `campaign.embargo_until` an employee sees at most the
concept and the date more detail follows; the explainer body and `details` only from then on.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from explainers.faq import extra_faq
from explainers.forms import (
    AnswerForm,
    ExplainerForm,
    HelpfulForm,
    QuestionForm,
    ScenarioFormSet,
    VariantsForm,
)
from explainers.models import (
    Explainer,
    ExplainerQuestion,
    ExplainerRead,
    ExplainerVariant,
    explainer_assets,
    relevant_campaigns,
)
from people import roles
from people.models import Audience, EmployeeProfile
from rollout.composer import render_stage
from rollout.models import Delivery

INBOX_PAGE_SIZE = 50


# --- inbox ----------------------------------------------------------------------------------
def inbox_deliveries(user):
    """A person's in-app announcements, newest first, with what rendering needs joined in."""
    return Delivery.objects.in_app_for(user).select_related("stage__campaign__explainer").newest_first()


def _get_emailed_delivery(request: HttpRequest, pk: int) -> Delivery | None:
    """My sent email delivery with this id (emails link to /inbox/<their id>/), else None."""
    return (
        Delivery.objects.filter(
            pk=pk, recipient=request.user, channel=EmployeeProfile.Channel.EMAIL, status=Delivery.Status.SENT
        )
        .select_related("stage__campaign__explainer")
        .first()
    )


def _get_delivery_for_user(request: HttpRequest, pk: int) -> Delivery:
    """One of my in-app announcements; anyone else's (or an unsent one) is a 404."""
    return get_object_or_404(inbox_deliveries(request.user), pk=pk)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_deliveries(request.user), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    items = [(d, render_stage(d.stage, request.user, at=now, delivery=d)) for d in page]
    return render(request, "explainers/inbox.html", {"page": page, "items": items})


@login_required
def inbox_item(request: HttpRequest, pk: int) -> HttpResponse:
    email = _get_emailed_delivery(request, pk)
    if email is not None:
        # An email links to its own delivery; show the in-app copy when there is one.
        sibling = inbox_deliveries(request.user).filter(stage_id=email.stage_id).first()
        if sibling is not None:
            return redirect(sibling)
        delivery = email
    else:
        delivery = _get_delivery_for_user(request, pk)
    delivery.mark_read()
    message = render_stage(delivery.stage, request.user, at=timezone.now(), delivery=delivery)
    return render(request, "explainers/inbox_item.html", {"delivery": delivery, "message": message})


@login_required
@require_POST
def inbox_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _get_emailed_delivery(request, pk) or _get_delivery_for_user(request, pk)
    try:
        recorded = delivery.acknowledge()
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if recorded:
            messages.success(request, "Thank you: your acknowledgement is recorded.")
        else:
            messages.info(request, "You had already acknowledged this.")
    return redirect(delivery)


# --- explainers for employees ---------------------------------------------------------------
def _get_campaign_by_slug(slug: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("explainer")
        .filter(slug=slug)
        .exclude(status=Campaign.Status.CANCELLED)
        .first()
    )
    if campaign is None:
        explainer = Explainer.objects.select_related("campaign").filter(slug=slug).first()
        if explainer is None or explainer.campaign.status == Campaign.Status.CANCELLED:
            raise Http404("No such explainer.")
        campaign = explainer.campaign
    return campaign


def explainer_of(campaign: Campaign) -> Explainer | None:
    try:
        return campaign.explainer
    except Explainer.DoesNotExist:
        return None


def _get_explainer_for_user(request: HttpRequest, slug: str) -> tuple[Campaign, Explainer | None, str]:
    """The campaign behind /explainers/<slug>/ and how this person may see it: full, preview, teaser.

    Published: anyone signed in reads it in full. Not yet: its managers get a preview; someone
    warned (or in an affected audience of an approved campaign) the teaser; everyone else a 404,
    so the page does not even confirm the campaign exists.
    """
    campaign = _get_campaign_by_slug(slug)
    explainer = explainer_of(campaign)
    if explainer is not None and explainer.is_published():
        return campaign, explainer, "full"
    if Campaign.objects.visible_to(request.user).filter(pk=campaign.pk).exists():
        return campaign, explainer, "preview"
    relevant = relevant_campaigns(request.user, Audience.ids_for(request.user))
    if relevant.filter(pk=campaign.pk).exists():
        return campaign, explainer, "teaser"
    raise Http404("No such explainer.")


def explainer_context(
    campaign: Campaign, explainer: Explainer, audience_ids: set[int] | None, *, is_preview: bool = False
) -> dict:
    """What the full explainer shows; audience_ids=None shows every audience's variant (IC preview)."""
    variants, scenarios = [], []
    if explainer.pk:  # an explainer IC has not started yet previews empty
        qs = explainer.variants.select_related("audience").order_by("audience__name")
        if audience_ids is not None:
            qs = qs.filter(audience__in=audience_ids)
        variants, scenarios = list(qs), list(explainer.scenarios.all())
    # Only released assets; a preview shows those released by the time the explainer publishes.
    released_at = timezone.now()
    if is_preview:
        released_at = max(released_at, explainer.publishes_on() or campaign.embargo_until)
    assets = list(explainer_assets(campaign, explainer, released_at=released_at))
    return {
        "campaign": campaign,
        "explainer": explainer,
        "variants": variants,
        "scenarios": scenarios,
        "images": [a for a in assets if a.kind == a.Kind.IMAGE],
        "links": [a for a in assets if a.kind != a.Kind.IMAGE],
        "extra_faq": extra_faq(campaign),
        "key_messages": campaign.ordered_key_messages(),
        "now": timezone.now(),
    }


@login_required
def explainer_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    campaigns = (
        relevant_campaigns(request.user, Audience.ids_for(request.user))
        .select_related("explainer")
        .order_by("-go_live_at", "pk")
    )
    live, upcoming = [], []
    for campaign in campaigns:
        explainer = explainer_of(campaign)
        if explainer is not None and explainer.is_published(now):
            live.append(campaign)
        else:
            upcoming.append(campaign)
    upcoming.reverse()  # soonest first
    return render(request, "explainers/explainer_list.html", {"live": live, "upcoming": upcoming})


@login_required
def explainer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, explainer, mode = _get_explainer_for_user(request, slug)
    if mode == "teaser" or explainer is None:
        return render(
            request,
            "explainers/explainer_teaser.html",
            {"campaign": campaign, "is_preview": mode == "preview"},
        )
    if mode == "preview":
        return redirect("explainer_preview", pk=campaign.pk)
    read, _ = ExplainerRead.objects.get_or_create(explainer=explainer, user=request.user)
    context = explainer_context(campaign, explainer, Audience.ids_for(request.user))
    context.update(
        {
            "read": read,
            "helpful_form": HelpfulForm(initial={"is_helpful": _yes_no(read.is_helpful)}),
            "question_form": QuestionForm(),
        }
    )
    return render(request, "explainers/explainer_detail.html", context)


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _get_published_explainer(request: HttpRequest, slug: str) -> Explainer:
    """Responses (helpful, questions) are taken on published explainers only."""
    _campaign, explainer, mode = _get_explainer_for_user(request, slug)
    if mode != "full" or explainer is None:
        raise Http404("This explainer is not published yet.")
    return explainer


@login_required
@require_POST
def explainer_helpful(request: HttpRequest, slug: str) -> HttpResponse:
    explainer = _get_published_explainer(request, slug)
    form = HelpfulForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose yes or no.")
        return redirect(explainer)
    read, _ = ExplainerRead.objects.get_or_create(explainer=explainer, user=request.user)
    read.is_helpful = form.cleaned_data["is_helpful"]
    read.save(update_fields=["is_helpful"])
    messages.success(request, "Thank you for your feedback.")
    return redirect(explainer.get_absolute_url() + "#feedback-h")


@login_required
@require_POST
def explainer_progress(request: HttpRequest, slug: str) -> HttpResponse:
    """How far down the explainer the reader got (percent); only ever increases."""
    explainer = _get_published_explainer(request, slug)
    try:
        progress = max(0, min(100, int(request.POST.get("progress", ""))))
    except ValueError:
        return HttpResponse("progress must be a whole number from 0 to 100", status=400)
    ExplainerRead.objects.get_or_create(explainer=explainer, user=request.user)
    ExplainerRead.objects.filter(explainer=explainer, user=request.user, progress__lt=progress).update(
        progress=progress
    )
    return HttpResponse(status=204)


@login_required
@require_POST
def explainer_question(request: HttpRequest, slug: str) -> HttpResponse:
    explainer = _get_published_explainer(request, slug)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        read = ExplainerRead.objects.filter(explainer=explainer, user=request.user).first()
        context = explainer_context(explainer.campaign, explainer, Audience.ids_for(request.user))
        context.update(
            {
                "read": read,
                "helpful_form": HelpfulForm(initial={"is_helpful": _yes_no(read and read.is_helpful)}),
                "question_form": form,
            }
        )
        return render(request, "explainers/explainer_detail.html", context, status=400)
    ExplainerQuestion.ask(explainer, request.user, **form.cleaned_data)
    messages.success(request, "Your question has been sent to marketing and internal communications.")
    return redirect(explainer.get_absolute_url() + "#questions-h")


@login_required
@require_POST
def explainer_answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """The campaign's marketing team or IC answer an explainer question; the answer joins the FAQ."""
    campaign = Campaign.objects.for_user(request.user, pk)
    if not campaign.can_edit(request.user):
        raise PermissionDenied("Only the campaign's marketing team or IC answer questions.")
    question = get_object_or_404(ExplainerQuestion.objects.select_related("explainer"), pk=question_pk)
    if question.explainer.campaign_id != campaign.pk:
        raise Http404("No such question on this campaign.")
    question.explainer.campaign = campaign
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write an answer before saving it.")
        return redirect(campaign.get_absolute_url() + f"#question-{question.pk}")
    question.answer_with(form.cleaned_data["answer"], request.user)
    messages.success(request, "Answer saved: the person who asked is told, and it joins the explainer's FAQ.")
    return redirect(campaign.get_absolute_url() + f"#question-{question.pk}")


# --- the editor (IC) and its preview --------------------------------------------------------
@login_required
def explainer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = Campaign.objects.for_user(request.user, pk)
    if not roles.is_ic(request.user):
        return redirect("explainer_preview", pk=campaign.pk)
    # Unsaved until IC first saves it: opening the editor writes nothing.
    explainer = explainer_of(campaign) or Explainer(campaign=campaign, slug=campaign.slug)
    audiences = [i.audience for i in campaign.impacts.select_related("audience")]
    bodies = {v.audience_id: v.body for v in explainer.variants.all()} if explainer.pk else {}
    if request.method == "POST":
        form = ExplainerForm(request.POST, instance=explainer)
        variants_form = VariantsForm(request.POST, audiences=audiences)
        scenarios = ScenarioFormSet(request.POST, instance=explainer, prefix="scenarios")
        if form.is_valid() and variants_form.is_valid() and scenarios.is_valid():
            with transaction.atomic():
                explainer = form.save(commit=False)
                form.apply_publishing(explainer)
                explainer.save()
                form.save_m2m()
                _save_variants(explainer, variants_form.bodies())
                scenarios.save()
            messages.success(request, f"Explainer saved: {explainer.state_label.lower()}.")
            return redirect("explainer_edit", pk=campaign.pk)
    else:
        form = ExplainerForm(instance=explainer)
        variants_form = VariantsForm(audiences=audiences, initial_bodies=bodies)
        scenarios = ScenarioFormSet(instance=explainer, prefix="scenarios")
    return render(
        request,
        "explainers/explainer_edit.html",
        {
            "campaign": campaign,
            "explainer": explainer,
            "form": form,
            "variants_form": variants_form,
            "scenarios": scenarios,
            "audiences": audiences,
        },
    )


def _save_variants(explainer: Explainer, bodies: dict[int, str]) -> None:
    for audience_id, body in bodies.items():
        if body:
            ExplainerVariant.objects.update_or_create(
                explainer=explainer, audience_id=audience_id, defaults={"body": body}
            )
        else:
            ExplainerVariant.objects.filter(explainer=explainer, audience_id=audience_id).delete()


@login_required
def explainer_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The explainer as a member of one audience sees it (?audience=<id>), or with every variant."""
    campaign = Campaign.objects.for_user(request.user, pk)
    explainer = explainer_of(campaign) or Explainer(campaign=campaign, slug=campaign.slug)
    audiences = [i.audience for i in campaign.impacts.select_related("audience")]
    audience = None
    audience_ids = None
    raw = request.GET.get("audience", "")
    if raw:
        # Any audience, affected or not: IC checks what someone outside the impacts would see too.
        audience = Audience.objects.filter(pk=raw).first() if raw.isdigit() else None
        if audience is None:
            raise Http404("No such audience.")
        audience_ids = {audience.pk}
    context = explainer_context(campaign, explainer, audience_ids, is_preview=True)
    affected = {a.pk for a in audiences}
    choices = [(a, a.pk in affected) for a in Audience.objects.order_by("name")]
    context.update({"is_preview": True, "audience_choices": choices, "preview_audience": audience})
    return render(request, "explainers/explainer_detail.html", context)
