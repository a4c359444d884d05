"""A real OpenID Connect provider for the tests: oidc-provider-mock on 127.0.0.1, a random port, a thread.

Two additions sit in front of it as WSGI middleware, because the mock leaves them out:
- it checks PKCE (RFC 7636, S256): a token request whose code_verifier does not hash to the
  authorization request's code_challenge is refused with `invalid_grant`, as a real provider does;
- it can be told to hand out a different ID token (`provider.id_token = fn(genuine, claims) -> str`),
  signed with its own key, the one its JWKS publishes (`provider.sign`), or with one it does not
  publish (`provider.sign_unpublished`), so the tests can play a provider that misbehaves or an attacker.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import flask
import jwt
import oidc_provider_mock
import requests
import werkzeug.serving
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "campaignhub-tests"
CLIENT_SECRET = "campaignhub-tests-secret"


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


@dataclass
class Provider:
    issuer: str
    signing_key: bytes = b""  # the mock's own private key (PEM), read from it once it runs
    unpublished_key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    id_token: Callable[[str, dict], str] | None = None  # (genuine token, its claims) -> token
    challenges: dict[str, str] = field(default_factory=dict)  # authorization code -> code_challenge
    token_requests: list[dict[str, str]] = field(default_factory=list)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.issuer}/oauth2/authorize"

    def settings(self, **overrides) -> dict:
        """Django settings for signing in with this provider (for override_settings)."""
        from django.conf import settings

        values = {
            "OIDC_ENABLED": True,
            "OIDC_ISSUER": self.issuer,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": "Acme",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.authorization_endpoint,
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/oauth2/token",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
            "OIDC_CREATE_UNKNOWN": False,
            "AUTHENTICATION_BACKENDS": [*settings.AUTHENTICATION_BACKENDS, "identity.oidc.OIDCBackend"],
        }
        values.update(overrides)
        return values

    def add_person(self, sub: str, **claims) -> None:
        """Someone who can sign in at the provider; their claims go into the ID token and userinfo."""
        requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.signing_key, algorithm="RS256")

    def sign_unpublished(self, claims: dict) -> str:
        return jwt.encode(claims, self.unpublished_key, algorithm="RS256")

    # --- WSGI middleware in front of the mock ----------------------------------------------
    def wrap(self, app):
        def middleware(environ, start_response):
            path = environ["PATH_INFO"]
            if path == "/oauth2/authorize":
                return self._authorize(app, environ, start_response)
            if path == "/oauth2/token":
                return self._token(app, environ, start_response)
            return app(environ, start_response)

        return middleware

    def _authorize(self, app, environ, start_response):
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.authorize_requests.append(query)

        def remember_code(status, headers, exc_info=None):
            location = dict(headers).get("Location", "")
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            if code and query.get("code_challenge"):
                self.challenges[code] = query["code_challenge"]
            return start_response(status, headers, exc_info)

        return app(environ, remember_code)

    def _token(self, app, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        self.token_requests.append(form)
        challenge = self.challenges.pop(form.get("code", ""), None)
        if challenge is not None and _s256(form.get("code_verifier", "")) != challenge:
            return _json(
                start_response,
                "400 Bad Request",
                {"error": "invalid_grant", "error_description": "PKCE verification failed"},
            )
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return lambda data: None

        answer = b"".join(app(environ, capture))
        if self.id_token is None or not captured["status"].startswith("200"):
            start_response(captured["status"], captured["headers"])
            return [answer]
        token = json.loads(answer)
        genuine = jwt.decode(token["id_token"], options={"verify_signature": False})
        token["id_token"] = self.id_token(token["id_token"], genuine)
        return _json(start_response, "200 OK", token)


def _json(start_response, status: str, value: dict):
    data = json.dumps(value).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


@contextmanager
def running_provider() -> Iterator[Provider]:
    """The provider listening on 127.0.0.1 (a free port) until the block ends."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, app=None, threaded=True)
    provider = Provider(issuer=f"http://127.0.0.1:{server.server_port}")
    mock = oidc_provider_mock.app(require_nonce=True)

    @mock.before_request
    def keep_signing_key():
        provider.signing_key = flask.g.oidc_provider_mock_storage.jwk.as_pem(is_private=True)

    server.app = provider.wrap(mock)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).raise_for_status()
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
