"""The asset library: search and filter the organisation's assets, and one asset with where it is used."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from campaigns.asset_uses import uses_of
from campaigns.forms import AssetDetailsForm, AssetFilterForm
from campaigns.models import Asset
from people import roles

PAGE_SIZE = 24


@login_required
def asset_library(request: HttpRequest) -> HttpResponse:
    if not roles.can_manage_campaigns(request.user):
        raise PermissionDenied("The asset library is for marketing and internal communications.")
    visible = Asset.objects.visible_to(request.user)
    form = AssetFilterForm(request.GET or None, assets=visible)
    assets = visible
    if form.is_bound and form.is_valid():
        assets = form.filter(visible)
    elif form.is_bound:
        assets = visible.none()
    page = Paginator(assets.for_library().order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()}
    return render(request, "campaigns/asset_library.html", context, status=400 if form.errors else 200)


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = Asset.objects.for_user(request.user, pk)
    can_edit = asset.can_edit(request.user)
    form = AssetDetailsForm(instance=asset) if can_edit else None
    if request.method == "POST":
        asset = Asset.objects.for_user(request.user, pk, edit=True)
        form = AssetDetailsForm(request.POST, instance=asset)
        if form.is_valid():
            with transaction.atomic():
                form.save()
                asset.set_tags(form.cleaned_data["tag_names"])
            messages.success(request, "Asset saved.")
            return redirect(asset)
    context = {
        "asset": asset,
        "form": form,
        "tags": asset.tags.all(),
        "uses": uses_of(asset),
        "now": timezone.now(),
    }
    return render(
        request, "campaigns/asset_detail.html", context, status=400 if form and form.errors else 200
    )
