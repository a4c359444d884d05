"""identity's tables."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# --- Emailed sign-in links (identity/links.py) -------------------------------------------------


def hash_token(token: str) -> str:
    """What the database keeps of a sign-in token: a leaked table cannot be used to sign in."""
    return hashlib.sha256(token.encode()).hexdigest()


class SignInLinkQuerySet(models.QuerySet):
    def for_token(self, token: str) -> SignInLink | None:
        return self.select_related("user").filter(token_hash=hash_token(token)).first()


class SignInLink(models.Model):
    """A single-use link emailed to a person; it signs them in once, within SIGN_IN_LINK_MINUTES."""

    class Refusal(models.TextChoices):
        USED = "used", "This sign-in link has already been used."
        EXPIRED = "expired", "This sign-in link has expired."
        INACTIVE = "inactive", "This account is no longer active."

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links")
    # 256 random bits: a fast hash is enough (nothing to brute-force), and it makes lookup one index probe.
    token_hash = models.CharField(max_length=64, unique=True)
    # Where to go after signing in; checked when the link is issued and again when it is used.
    next_url = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = SignInLinkQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Sign-in link for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"

    @classmethod
    def issue(cls, user, next_url: str = "") -> tuple[SignInLink, str]:
        """A new link for this person; returns it with the token, which is never stored."""
        token = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, token_hash=hash_token(token), next_url=next_url), token

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(minutes=settings.SIGN_IN_LINK_MINUTES)

    def refusal(self, at: datetime) -> SignInLink.Refusal | None:
        """Why this link may not sign anyone in at `at`, or None when it may."""
        if self.used_at is not None:
            return self.Refusal.USED
        if at >= self.expires_at:
            return self.Refusal.EXPIRED
        if not self.user.is_active:
            return self.Refusal.INACTIVE
        return None

    def redeem(self, at: datetime) -> bool:
        """Mark the link used; False when another request used it first (compare-and-set)."""
        return SignInLink.objects.filter(pk=self.pk, used_at=None).update(used_at=at) == 1
