"""Pages of the emailed sign-in link: ask for one, the neutral answer, and using one."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from identity import links
from identity.models import SignInLink


class SignInLinkForm(forms.Form):
    email = forms.EmailField(
        label="Email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def throttled(request: HttpRequest) -> HttpResponse:
    context = {"minutes": settings.SIGN_IN_LINK_MINUTES}
    return render(request, "identity/link_throttled.html", context, status=429)


@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link; every valid address gets the same answer, account or not."""
    form = SignInLinkForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not links.within_limit("link", email, request):
            return throttled(request)
        links.send_sign_in_links(email, links.safe_next(request, form.cleaned_data["next"]))
        return redirect("signin_link_sent")
    context = {"form": form, "minutes": settings.SIGN_IN_LINK_MINUTES}
    return render(request, "identity/link_request.html", context)


def link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/link_sent.html", {"minutes": settings.SIGN_IN_LINK_MINUTES})


def refused(
    request: HttpRequest, reason: str, *, status: int, link: SignInLink | None = None
) -> HttpResponse:
    return render(request, "identity/link_refused.html", {"reason": reason, "link": link}, status=status)


NOT_VALID = "This sign-in link is not valid. It may have been mistyped or cut short."
STATUS = {
    SignInLink.Refusal.USED: 410,
    SignInLink.Refusal.EXPIRED: 410,
    SignInLink.Refusal.INACTIVE: 403,
}


@never_cache
@require_http_methods(["GET", "POST"])
def use_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks "Sign in as …?" (mail scanners fetch links; a fetch must not sign in); POST signs in."""
    link = SignInLink.objects.for_token(token)
    if link is None and request.method == "GET":
        return refused(request, NOT_VALID, status=404)
    if link is not None and request.user.is_authenticated and request.user != link.user:
        reason = (
            f"This sign-in link is for {link.user.get_full_name() or link.user.get_username()}, "
            f"but you are signed in as {request.user.get_full_name() or request.user.get_username()}. "
            "Sign out first, then open the link again."
        )
        return refused(request, reason, status=403, link=link)
    if link is not None and (refusal := link.refusal(timezone.now())) is not None and request.method == "GET":
        return refused(request, refusal.label, status=STATUS[refusal], link=link)
    if request.method == "GET":
        return render(request, "identity/link_confirm.html", {"link": link})

    # Axes counts a refused link against the person it was for (or "" for a token that matches
    # nobody) from this address, and refuses a locked-out pair before the link is looked at.
    username = link.user.get_username() if link else ""
    user = authenticate(request, username=username, sign_in_token=token)
    if user is None:
        if link is None:
            return refused(request, NOT_VALID, status=404)
        link.refresh_from_db(fields=["used_at"])
        refusal = link.refusal(timezone.now()) or SignInLink.Refusal.USED
        return refused(request, refusal.label, status=STATUS[refusal], link=link)
    login(request, user)
    return redirect(links.safe_next(request, link.next_url) or resolve_url(settings.LOGIN_REDIRECT_URL))
