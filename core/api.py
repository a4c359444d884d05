"""What every app's JSON API shares: the documented error bodies and the 401 challenge.

Decorate each endpoint with `documented({200: TheSerializer}, 403, 404, request=...)`: its success
responses, the error codes it can answer with their bodies, 401 always (every endpoint needs a
signed-in user or a token) with its `WWW-Authenticate` header; other keywords go to `extend_schema`.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words for a person.")


# DRF's field errors: each bad field names its messages; a list of objects has one per item.
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or `non_field_errors`) → messages; for a list of objects, one error object per item.",
    "additionalProperties": {"type": "array", "items": {}},
}

_DESCRIPTIONS = {
    400: "Bad input.",
    401: "Not signed in, or a bad token. The `WWW-Authenticate: Token` header says how to sign in.",
    403: "Signed in, but your role may not do this (or, for a session, the CSRF token is missing).",
    404: "No such object among those you may see.",
}

# The 401 challenge header, documented on every endpoint through extend_schema(parameters=...).
WWW_AUTHENTICATE = OpenApiParameter(
    "WWW-Authenticate",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[401],
    description="`Token`: send `Authorization: Token <key>`, or sign in with a session.",
)


def errors(*codes: int, bad_input=FIELD_ERRORS) -> dict[int, OpenApiResponse]:
    """The error responses an endpoint gives: 401 always, plus the codes named."""
    responses = {}
    for code in sorted({401, *codes}):
        body = bad_input if code == 400 else ErrorSerializer
        responses[code] = OpenApiResponse(body, description=_DESCRIPTIONS[code])
    return responses


def documented(ok: dict, *error_codes: int, bad_input=FIELD_ERRORS, **kwargs):
    """extend_schema with the success responses, the errors (401 always) and the 401 challenge."""
    return extend_schema(
        responses={**ok, **errors(*error_codes, bad_input=bad_input)},
        parameters=[WWW_AUTHENTICATE, *kwargs.pop("parameters", [])],
        **kwargs,
    )
