"""Every page and API response carries a strict Content-Security-Policy, and nothing needs inline code."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRICT_DIRECTIVES = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}
# An inline <script> (one without src; JSON data blocks are not run), an on*= handler, a style attribute.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b", re.I
)


def assert_strict_policy(response) -> None:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    assert {part.strip() for part in header.split(";")} >= STRICT_DIRECTIVES
    assert "unsafe" not in header


def page_templates() -> list[Path]:
    """Templates rendered in a browser; email bodies are read by mail clients, where CSP does not apply."""
    found = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    return sorted(p for p in found if "email" not in p.relative_to(ROOT).parts and ".venv" not in p.parts)


def test_it_sends_the_policy_on_a_signed_in_page(client_for, marketing, campaign):
    response = client_for(marketing).get(campaign.get_absolute_url())
    assert response.status_code == 200
    assert_strict_policy(response)


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_it_sends_the_policy_on_the_login_pages(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_strict_policy(response)


def test_it_sends_the_policy_on_a_not_found_page(client_for, marketing):
    response = client_for(marketing).get("/no-such-page/")
    assert response.status_code == 404
    assert_strict_policy(response)


def test_it_sends_the_policy_on_an_api_response(client_for, marketing, campaign):
    response = client_for(marketing).get("/api/v1/campaigns/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_strict_policy(response)


def test_api_docs_load_their_start_script_from_a_url_not_inline(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_strict_policy(page)
    html = page.content.decode()
    assert not INLINE_CODE.search(html), INLINE_CODE.search(html)
    script_src = re.findall(r'<script src="([^"]+)"', html)[-1].replace("&amp;", "&")
    script = client.get(script_src)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_no_page_template_has_inline_script_style_or_event_handlers():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in page_templates()
        for match in INLINE_CODE.finditer(path.read_text())
    ]
    assert page_templates(), "no templates found"
    assert offenders == []
