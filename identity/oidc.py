"""Single sign-on with OpenID Connect, on mozilla-django-oidc (authorization code + PKCE, state, nonce).

The library runs the flow; this module adds what it leaves out or leaves loose: the ID token's issuer,
audience and expiry are checked (the library checks only the signature and nonce), a person is
matched to their account by email whatever its case, someone unknown gets an Employee account from
the token's claims or is refused (OIDC_CREATE_UNKNOWN), and every refusal is a page that says why,
an audit line, and a failure django-axes counts (README "Single sign-on (OpenID Connect)").
"""

from __future__ import annotations

import logging

import jwt
import requests
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from core.time_zones import time_zone_names
from people import roles
from people.models import EmployeeProfile

log = logging.getLogger(__name__)

# Axes records a refusal under the person's username when the provider vouched for who they are;
# a refusal before that (a forged or tampered callback) is recorded under this name.
UNVERIFIED = "(single sign-on, unverified)"

# The claims an Employee profile is built from when someone unknown signs in for the first time.
PROFILE_CLAIMS = {
    "department": "department",
    "team": "team",
    "location": "location",
    "role": "job_title",
}
MANAGER_CLAIM = "manager_email"
TIME_ZONE_CLAIM = "zoneinfo"  # a standard OpenID Connect claim (scope "profile")


class SignInRefused(Exception):
    """A single sign-on we turn down: `reason` picks the words on the page, `who` names the person
    when the provider vouched for them."""

    # reason: (heading, explanation, HTTP status)
    PAGES = {
        "provider_error": (
            "The sign-in service did not sign you in",
            "It answered: {detail}. Try again, or ask your IT help desk if it keeps happening.",
            403,
        ),
        "state": (
            "This sign-in has expired",
            "It was already used, or it was started in another browser or tab. Start again from the sign-in page.",
            400,
        ),
        "bad_token": (
            "The sign-in could not be verified",
            "The proof of identity from the sign-in service did not check out, so nobody was signed in. Start again from the sign-in page.",
            403,
        ),
        "wrong_nonce": (
            "The sign-in could not be verified",
            "The proof of identity belongs to a different sign-in, so nobody was signed in. Start again from the sign-in page.",
            403,
        ),
        "wrong_issuer": (
            "The sign-in came from the wrong service",
            "The proof of identity was not issued by {provider}, so nobody was signed in.",
            403,
        ),
        "wrong_audience": (
            "The sign-in was meant for another application",
            "The proof of identity was not issued for CampaignHub, so nobody was signed in.",
            403,
        ),
        "expired": (
            "The sign-in took too long",
            "The proof of identity from the sign-in service had expired. Start again from the sign-in page.",
            403,
        ),
        "no_email": (
            "Your company account has no email address",
            "CampaignHub finds your account by email. Ask your IT help desk to add one.",
            403,
        ),
        "email_unverified": (
            "Your email address is not verified",
            "The sign-in service says {detail} is not verified yet, so it cannot open a CampaignHub account.",
            403,
        ),
        "unknown_person": (
            "You do not have a CampaignHub account yet",
            "Nobody with the email {detail} is set up in CampaignHub. Ask your internal communications team to add you.",
            403,
        ),
        "ambiguous": (
            "Two accounts share your email",
            "More than one CampaignHub account uses {detail}, so we cannot tell which is yours. Ask an administrator to merge them.",
            403,
        ),
        "inactive": (
            "Your CampaignHub account is switched off",
            "Ask your internal communications team if you should have access.",
            403,
        ),
        "unreachable": (
            "The sign-in service did not answer",
            "Try again in a minute. Signing in with a password or an emailed link still works.",
            502,
        ),
    }

    def __init__(self, reason: str, detail: str = "", *, who: str | None = None):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.who = who


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs in a person the provider vouched for; refuses everything else with a SignInRefused."""

    def authenticate(self, request: HttpRequest | None, **kwargs):
        if request is None or "nonce" not in kwargs:
            return None  # not our callback (a password sign-in asks every backend)
        try:
            user = super().authenticate(request, **kwargs)
        except requests.HTTPError as exc:
            # The token endpoint refused the code (used twice, PKCE verifier wrong, client secret wrong).
            raise SignInRefused("provider_error", _token_error(exc)) from exc
        except requests.RequestException as exc:
            raise SignInRefused("unreachable", str(exc)) from exc
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            # An unreadable token, or a key the provider's JWKS does not hold.
            raise SignInRefused("bad_token", str(exc)) from exc
        if user is None:
            raise SignInRefused("bad_token", "the provider's answer had no ID token")
        return user

    def retrieve_matching_jwk(self, token) -> jwt.PyJWK:
        """The provider's published key for this token: by `kid`, or its only signing key when the
        token names none (OpenID Connect Core 10.1 lets a provider with one key leave `kid` out)."""
        header = jwt.get_unverified_header(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig" and key.get("alg", header.get("alg")) == header.get("alg")
        ]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SignInRefused(
                "bad_token", f"{len(keys)} published keys match the token's kid {header.get('kid')!r}"
            )
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs) -> dict:
        """The ID token's signature against the provider's JWKS, then its issuer, audience, expiry and nonce."""
        key = self.OIDC_RP_IDP_SIGN_KEY or self.retrieve_matching_jwk(token)
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise SignInRefused("expired", str(exc)) from exc
        except jwt.InvalidIssuerError as exc:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
            raise SignInRefused("wrong_issuer", f"issuer {issuer!r}") from exc
        except jwt.InvalidAudienceError as exc:
            raise SignInRefused("wrong_audience", str(exc)) from exc
        except jwt.PyJWTError as exc:
            raise SignInRefused("bad_token", str(exc)) from exc
        if payload.get("nonce") != kwargs.get("nonce"):
            raise SignInRefused("wrong_nonce", "the ID token's nonce is not this sign-in's")
        return payload

    def get_userinfo(self, access_token, id_token, payload) -> dict:
        """The ID token's claims, topped up from the userinfo endpoint when there is one."""
        claims = dict(payload)
        if not self.OIDC_OP_USER_ENDPOINT:
            return claims
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload["sub"]:
            # OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
            raise SignInRefused("bad_token", "userinfo is about another subject")
        claims.update(info)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = str(claims.get("email") or "").strip()
        if not email:
            raise SignInRefused("no_email", f"subject {claims.get('sub')!r}")
        if claims.get("email_verified") is False:
            # Matching an unverified address would hand an imported employee's account to whoever typed it.
            raise SignInRefused("email_unverified", email, who=email)
        matches = list(User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).order_by("pk"))
        if len(matches) > 1:
            raise SignInRefused("ambiguous", email, who=email)
        if matches:
            user = matches[0]
        elif settings.OIDC_CREATE_UNKNOWN:
            user = create_employee(email, claims)
            log.info("SSO created employee user=%s email=%s", user.pk, email)
        else:
            raise SignInRefused("unknown_person", email, who=email)
        if not user.is_active:
            raise SignInRefused("inactive", email, who=user.get_username())
        if not AxesProxyHandler.is_allowed(self.request, {"username": user.get_username()}):
            # The password lockout holds whatever door the person comes through.
            raise SignInRefused("locked_out", email, who=user.get_username())
        return user


def _token_error(exc: requests.HTTPError) -> str:
    response = exc.response
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("error_description") or body.get("error") or f"HTTP {response.status_code}")


@transaction.atomic
def create_employee(email: str, claims: dict) -> User:
    """An Employee account and profile from the token's claims (what the provider sent; blanks otherwise)."""
    email = email.lower()
    user = User(
        username=email,
        email=email,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=roles.EMPLOYEE))
    profile = {field: str(claims.get(claim) or "")[:100] for field, claim in PROFILE_CLAIMS.items()}
    zone = str(claims.get(TIME_ZONE_CLAIM) or "")
    profile["time_zone"] = zone if zone in time_zone_names() else ""
    manager_email = str(claims.get(MANAGER_CLAIM) or "").strip()
    if manager_email:
        profile["manager"] = User.objects.filter(email__iexact=manager_email).order_by("pk").first()
    EmployeeProfile.objects.create(user=user, **profile)
    return user


def refused(request: HttpRequest, refusal: SignInRefused) -> HttpResponse:
    """The page for a refused sign-in, after an audit line and a failure django-axes counts."""
    log.warning(
        "SSO sign-in refused reason=%s who=%s ip=%s detail=%s",
        refusal.reason,
        refusal.who or "-",
        request.META.get("REMOTE_ADDR"),
        refusal.detail,
    )
    credentials = {"username": refusal.who or UNVERIFIED}
    if refusal.reason == "locked_out":
        # Not counted again: like a password tried during the lockout, it would only extend it.
        return get_lockout_response(request, None, credentials)
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    heading, text, status = SignInRefused.PAGES[refusal.reason]
    context = {
        "heading": heading,
        "text": text.format(detail=refusal.detail, provider=settings.OIDC_PROVIDER_NAME),
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }
    return render(request, "identity/oidc_refused.html", context, status=status)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here; every way it can go wrong ends on a page that says so."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except SignInRefused as refusal:
            return refused(request, refusal)
        except SuspiciousOperation as exc:  # the state is not one this browser started
            return refused(request, SignInRefused("state", str(exc)))

    def login_failure(self):
        request = self.request
        if request.GET.get("error"):
            detail = request.GET.get("error_description") or request.GET["error"]
            return refused(request, SignInRefused("provider_error", detail[:200]))
        return refused(request, SignInRefused("state", "no sign-in was started in this browser"))


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge; keeps `next`."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)
