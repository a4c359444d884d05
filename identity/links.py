"""Emailed sign-in links: issue and send them, throttle the asking, and sign in with one.

Asking is throttled per address and per client address with a fixed-window counter in Django's cache
(Redis when REDIS_URL is set; per process otherwise). The count is taken before looking the address
up, so a throttled answer says nothing about who has an account. Using a link goes through
`authenticate()`, so django-axes refuses a locked-out person and counts every refused link.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from identity.models import SignInLink

log = logging.getLogger(__name__)


def safe_next(request: HttpRequest, url: str) -> str:
    """`url` if it stays on this site, else "" (no open redirect through a sign-in)."""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else ""


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR, as django-axes uses it: behind a proxy this is the proxy (README "Sign-in links").
    return request.META.get("REMOTE_ADDR", "")


def within_limit(scope: str, email: str, request: HttpRequest) -> bool:
    """Count one request for emails of this `scope` to `email` from this client; False once over a limit."""
    window = settings.SIGN_IN_LINK_MINUTES * 60
    # The window is in the key (fixed windows by our clock, not the cache's), so every cache backend
    # (Redis, local memory) agrees on when a window ends; the timeout only cleans up.
    period = int(timezone.now().timestamp()) // window
    address_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    limits = [
        (f"identity:{scope}:email:{address_key}:{period}", settings.SIGN_IN_EMAILS_PER_ADDRESS),
        (f"identity:{scope}:ip:{client_address(request)}:{period}", settings.SIGN_IN_EMAILS_PER_CLIENT),
    ]
    allowed = True
    for key, limit in limits:
        cache.add(key, 0, timeout=window * 2)  # starts the window's count; no-op while it runs
        try:
            count = cache.incr(key)
        except ValueError:  # cleaned up between add and incr
            cache.set(key, 1, timeout=window * 2)
            count = 1
        allowed = allowed and count <= limit
    if not allowed:
        log.warning("identity: %s emails throttled for a request from %s", scope, client_address(request))
    return allowed


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("signin_link", args=[token])


def send_sign_in_links(email: str, next_url: str) -> int:
    """Email a fresh link to each active account with this address (any case); returns how many."""
    users = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
    sent = 0
    for user in users:
        link, token = SignInLink.issue(user, next_url)
        context = {
            "user": user,
            "url": link_url(token),
            "minutes": settings.SIGN_IN_LINK_MINUTES,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("identity/email/link_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject,
            render_to_string("identity/email/link_body.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
        message.attach_alternative(render_to_string("identity/email/link_body.html", context), "text/html")
        message.send()
        log.info("identity: sign-in link %s sent to user %s", link.pk, user.pk)
        sent += 1
    return sent


class SignInLinkBackend(BaseBackend):
    """Signs in the holder of an unused, unexpired link of an active person, and uses the link up.

    Listed after django-axes' backend, which refuses a locked-out person first; a None here makes
    Django send `user_login_failed`, which axes counts.
    """

    def authenticate(self, request, sign_in_token: str | None = None, **kwargs):
        if not sign_in_token:
            return None
        link = SignInLink.objects.for_token(sign_in_token)
        now = timezone.now()
        if link is None or link.refusal(now) is not None or not link.redeem(now):
            return None
        return link.user

    def get_user(self, user_id):
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
