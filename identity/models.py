"""identity's tables. Each part keeps its models in its own block."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from people.models import Audience

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


# --- SCIM provisioning (identity/scim.py) ----------------------------------------------------


class ScimToken(models.Model):
    """A bearer token an identity provider presents to /scim/v2/; only its SHA-256 digest is kept.

    The token is 32 random bytes, so a fast digest is enough (nothing to brute-force, unlike a
    password); the plain token is shown once, when an admin issues it.
    """

    PREFIX = "chscim_"

    name = models.CharField(max_length=100, help_text="Who uses it, e.g. “Entra ID production”.")
    digest = models.CharField(
        max_length=64, unique=True, editable=False
    )  # the auth check looks it up by this
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "SCIM token"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def new_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @classmethod
    def holder_of(cls, token: str) -> ScimToken | None:
        """The issued token with this value, or None; marks it used (at most once a minute)."""
        found = cls.objects.filter(digest=cls.digest_of(token)).first()
        if found is not None:
            now = timezone.now()
            recently = now - timedelta(minutes=1)
            cls.objects.filter(pk=found.pk).filter(
                models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lt=recently)
            ).update(last_used_at=now)
        return found


class ScimUser(models.Model):
    """What the identity provider knows a person by beside their SCIM id (the user's pk)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="scim"
    )
    external_id = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)  # meta.lastModified

    class Meta:
        verbose_name = "SCIM-provisioned person"

    def __str__(self) -> str:
        return f"SCIM record of {self.user}"


class ScimGroup(models.Model):
    """A list audience whose members the identity provider keeps (a SCIM group; its id is the audience's pk)."""

    audience = models.OneToOneField(
        Audience, primary_key=True, on_delete=models.CASCADE, related_name="scim_group"
    )
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SCIM group"

    def __str__(self) -> str:
        return f"SCIM group {self.audience}"
