"""The account page (CONTRACT /account/): a person's own time zone and how announcements reach them."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.time_zones import time_zone_names
from people.models import EmployeeProfile

IN_APP_ONLY = "in_app"
IN_APP_AND_EMAIL = "in_app_and_email"
# What each answer stores in EmployeeProfile.preferred_channels (rollout.dispatch.channels_for reads
# it): empty means every channel a stage uses, the common case the dispatch fan-out skips decoding.
CHANNELS = {IN_APP_ONLY: [EmployeeProfile.Channel.IN_APP.value], IN_APP_AND_EMAIL: []}


LIKELY_SHOWN = 5


def zone_label(name: str) -> str:
    """ "America/Sao_Paulo" reads "America/Sao Paulo", so typing a city finds its zone."""
    return name.replace("_", " ")


def sorted_zones() -> list[tuple[str, str]]:
    return [(name, zone_label(name)) for name in sorted(time_zone_names())]


def likely_zones(profile: EmployeeProfile) -> list[str]:
    """The person's own zone, then the zones most common among people who share their location,
    team or department (one GROUP BY query); empty when there is nothing to go on."""
    likely = [profile.time_zone] if profile.time_zone else []
    near = Q()
    for field in ("location", "team", "department"):
        if value := getattr(profile, field):
            near |= Q(**{field: value})
    if near:
        common = (
            EmployeeProfile.objects.filter(near, user__is_active=True)
            .exclude(time_zone="")
            .values("time_zone")
            .annotate(people=Count("pk"))
            .order_by("-people", "time_zone")
            .values_list("time_zone", flat=True)[: LIKELY_SHOWN + 1]
        )
        likely += [zone for zone in common if zone not in likely]
    return [zone for zone in likely if zone in time_zone_names()][:LIKELY_SHOWN]


class AccountForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=sorted_zones,
        help_text="Times on every page and in emails are shown in it.",
    )
    announcements = forms.ChoiceField(
        label="How announcements reach you",
        choices=[(IN_APP_AND_EMAIL, "In CampaignHub and by email"), (IN_APP_ONLY, "In CampaignHub only")],
        widget=forms.RadioSelect,
        help_text="Notifications (the bell) follow the same choice.",
    )

    def __init__(self, *args, profile: EmployeeProfile, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        likely = likely_zones(profile)
        field = self.fields["time_zone"]
        if likely:
            field.choices = [
                ("Likely", [(zone, zone_label(zone)) for zone in likely]),
                ("All time zones", sorted_zones()),
            ]
        # static/js/time-zone-picker.js adds a filter box, and preselects the browser's zone for
        # someone who has not chosen one yet.
        field.widget.attrs.update(
            {"data-zone-picker": "", "data-zone-chosen": "1" if profile.time_zone else ""}
        )

    @staticmethod
    def initial_for(profile: EmployeeProfile) -> dict:
        wants_email = (
            not profile.preferred_channels or EmployeeProfile.Channel.EMAIL in profile.preferred_channels
        )
        return {
            "time_zone": profile.time_zone or settings.TIME_ZONE,
            "announcements": IN_APP_AND_EMAIL if wants_email else IN_APP_ONLY,
        }


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Edits only the signed-in person's own profile (made on first save if they have none)."""
    profile = EmployeeProfile.objects.filter(user=request.user).first() or EmployeeProfile(user=request.user)
    form = AccountForm(request.POST or None, initial=AccountForm.initial_for(profile), profile=profile)
    if request.method == "POST" and form.is_valid():
        profile.time_zone = form.cleaned_data["time_zone"]
        profile.preferred_channels = CHANNELS[form.cleaned_data["announcements"]]
        if profile.pk is None:
            profile.save()
        else:
            profile.save(update_fields=["time_zone", "preferred_channels"])
        messages.success(request, "Your account settings are saved.")
        return redirect("account")
    return render(request, "identity/account.html", {"form": form, "profile": profile})
