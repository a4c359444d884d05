"""Print the OIDC_* endpoint settings for an issuer, read from its discovery document.

Run once when setting single sign-on up (README "Single sign-on"); settings never fetch it
themselves, so starting the app makes no network call and does not depend on the provider being up.
"""

import requests
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Read ISSUER/.well-known/openid-configuration and print the OIDC_* lines for the environment."

    def add_arguments(self, parser):
        parser.add_argument("issuer", help="e.g. https://sso.example.com/realms/acme")
        parser.add_argument("--timeout", type=int, default=10)

    def handle(self, *args, issuer: str, timeout: int, **options):
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"Could not read {url}: {exc}") from exc
        if document.get("issuer") != issuer:
            # The ID token's `iss` must equal OIDC_ISSUER exactly (a trailing slash counts).
            raise CommandError(f"{url} names the issuer {document.get('issuer')!r}, not {issuer!r}.")
        lines = {
            "OIDC_ISSUER": issuer,
            "OIDC_AUTHORIZATION_ENDPOINT": document.get("authorization_endpoint", ""),
            "OIDC_TOKEN_ENDPOINT": document.get("token_endpoint", ""),
            "OIDC_JWKS_URI": document.get("jwks_uri", ""),
            "OIDC_USERINFO_ENDPOINT": document.get("userinfo_endpoint", ""),
        }
        missing = [name for name, value in lines.items() if not value and name != "OIDC_USERINFO_ENDPOINT"]
        if missing:
            raise CommandError(f"{url} gives no {', '.join(missing)}.")
        if "S256" not in document.get("code_challenge_methods_supported", ["S256"]):
            self.stderr.write("Warning: the provider does not list PKCE S256; CampaignHub always sends it.")
        for name, value in lines.items():
            self.stdout.write(f"{name}={value}")
