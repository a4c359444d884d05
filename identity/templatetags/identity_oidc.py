"""The "Sign in with …" button for the sign-in page; renders nothing when single sign-on is off."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("identity/oidc_button.html")
def oidc_sign_in_button(next_url: str = "") -> dict:
    if not settings.OIDC_ENABLED:
        return {"enabled": False}
    start = reverse("oidc_authentication_init")
    return {
        "enabled": True,
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "start_url": f"{start}?{urlencode({'next': next_url})}" if next_url else start,
    }
