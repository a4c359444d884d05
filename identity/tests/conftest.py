"""identity's test fixtures: sign-in links, password reset, the account page; SCIM's live in scim_helpers."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlparse

import pytest

from identity.tests.scim_helpers import scim  # noqa: F401  (SCIM: the bearer-token client)


@pytest.fixture(autouse=True)
def fresh_throttle_counts(settings):
    """The request limiter counts in Django's cache (Redis in CI, shared with the broker): each test
    gets keys of its own through a prefix, instead of a flush that would empty the broker too."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


def link_path_in(message) -> str:
    """The path of the one sign-in (or reset) link in an email's plain-text body."""
    urls = re.findall(r"https?://\S+", message.body)
    assert len(urls) == 1, message.body
    return urlparse(urls[0]).path


def ask_for_link(client, email: str, *, next_url: str = "", address: str = "127.0.0.1"):
    return client.post("/accounts/login/link/", {"email": email, "next": next_url}, REMOTE_ADDR=address)
