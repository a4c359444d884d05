"""Who may call /scim/v2/: a bearer token, never a browser session.

django-scim2 wraps every SCIM view in its AUTH_CHECK_MIDDLEWARE (settings.SCIM_SERVICE_PROVIDER);
its default lets any signed-in session through, so ours looks only at the Authorization header.
"""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_scim import constants
from django_scim.exceptions import AuthorizationError
from django_scim.middleware import SCIMAuthCheckMiddleware

from identity.models import ScimToken

log = logging.getLogger(__name__)


def bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def is_scim_token(token: str) -> bool:
    """SCIM_TOKEN (compared in constant time) or a token issued in the admin."""
    if not token:
        return False
    if settings.SCIM_TOKEN and hmac.compare_digest(token.encode(), settings.SCIM_TOKEN.encode()):
        return True
    return ScimToken.holder_of(token) is not None


def unauthorized(detail: str) -> HttpResponse:
    body = AuthorizationError(detail).to_dict()
    response = HttpResponse(json.dumps(body), status=401, content_type=constants.SCIM_CONTENT_TYPE)
    response["WWW-Authenticate"] = settings.SCIM_SERVICE_PROVIDER["WWW_AUTHENTICATE_HEADER"]
    return response


class ScimBearerTokenCheck(SCIMAuthCheckMiddleware):
    """401 with a SCIM error body unless the request carries a valid SCIM bearer token."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        token = bearer_token(request)
        if is_scim_token(token):
            return None
        reason = "a wrong bearer token" if token else "no bearer token"
        log.warning(
            "SCIM %s %s refused: %s (from %s)",
            request.method,
            request.path,
            reason,
            request.META.get("REMOTE_ADDR"),
        )
        return unauthorized(f"Sign in with the SCIM bearer token (the request had {reason}).")

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        return response  # django-scim2 would log every body (personal data) at DEBUG
