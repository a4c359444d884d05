"""The asset library's pages in Chromium: axe, phone width, the picker's filter box, screenshots.

Screenshots land in /tmp/shots/assets/ (desktop 1280 px and phone 390 px) for review.
"""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing
from campaigns.models import Asset, Campaign
from conftest import add_impact, make_campaign
from explainers.models import Explainer
from people.models import MarcomTeam
from tests.browser.conftest import BROWSER, axe_problems, sign_in

pytestmark = BROWSER

SHOTS = Path("/tmp/shots/assets")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-colour PNG, made by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def library(marketing, other_marketing, ic, sales, settings, tmp_path):
    """Two campaigns' material: Mia's embargoed launch and a live campaign's released assets, one reused."""
    settings.MEDIA_ROOT = tmp_path
    content, design = (
        MarcomTeam.objects.get(slug="content"),
        MarcomTeam.objects.get_or_create(slug="design", defaults={"name": "Design"})[0],
    )
    launch = make_campaign(marketing, title="Family Savings", status=Campaign.Status.APPROVED)
    launch.teams.add(content)
    add_impact(launch, sales)
    past = timezone.now() - timedelta(days=5)
    live = make_campaign(
        other_marketing, title="Faster Payments", go_live_at=past, status=Campaign.Status.LIVE
    )
    add_impact(live, sales)
    Explainer.objects.create(campaign=live, slug=live.slug, publishes_at_embargo=True)
    poster = Asset(
        campaign=launch,
        kind=Asset.Kind.IMAGE,
        caption="Family Savings key visual",
        description="The hero image for posters, web banners and the intranet story. Use it as is; do not crop the family.",
        team=design,
        uploaded_by=marketing,
    )
    poster.file.save("family-savings-key-visual.png", ContentFile(png(320, 180, (32, 96, 160))), save=True)
    poster.set_tags(["key visual", "poster", "spring-2027"])
    assets = [poster]
    for i, (caption, url, team, tags) in enumerate(
        [
            ("Launch film", "https://vimeo.com/1", content, ["film"]),
            ("Rate card", "https://example.com/rates.pdf", content, ["rates", "sales"]),
            ("Press release", "https://example.com/press", None, ["press"]),
            ("Brand guidelines", "https://example.com/brand", design, ["brand", "logo"]),
            ("Payments logo", "https://cdn.example.com/payments-logo.png", design, ["logo"]),
            ("Customer FAQ deck", "https://example.com/faq.pptx", None, []),
        ]
    ):
        campaign = launch if i < 3 else live
        asset = Asset.objects.create(
            campaign=campaign, kind=Asset.kind_for_url(url), url=url, caption=caption, team=team
        )
        asset.set_tags(tags)
        assets.append(asset)
    assets[4].reuse_in(launch, marketing)  # brand guidelines, reused on the launch
    starts = timezone.now() + timedelta(days=2)
    briefing = Briefing.objects.create(
        campaign=live, title="Faster Payments briefing", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    briefing.pack_assets.add(poster)
    return {"launch": launch, "live": live, "poster": poster, "reused": assets[4], "briefing": briefing}


def pages(library) -> list[tuple[str, str, str]]:
    """(username, screenshot name, path)."""
    return [
        ("mia", "library", reverse("asset_library")),
        ("mia", "library-filtered", reverse("asset_library") + "?q=logo&kind=link"),
        ("mia", "library-bad-filter", reverse("asset_library") + "?kind=hologram"),
        ("mia", "asset-embargoed", reverse("asset_detail", args=[library["poster"].pk])),
        ("mia", "asset-released", reverse("asset_detail", args=[library["reused"].pk])),
        ("mia", "campaign-form-picker", reverse("campaign_edit", args=[library["launch"].pk])),
        ("mia", "campaign-page", reverse("campaign_detail", args=[library["launch"].pk])),
        ("ian", "library-ic", reverse("asset_library")),
        ("ian", "explainer-picker", reverse("explainer_edit", args=[library["live"].pk])),
        ("ian", "pack-picker", reverse("briefing_pack_edit", args=[library["briefing"].pk])),
    ]


def test_library_pages_pass_axe_and_fit_a_phone(browser, live_server, library):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for viewport_name, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        signed_in = None
        for username, name, path in pages(library):
            if username != signed_in:
                context.clear_cookies()
                sign_in(page, live_server.url, username)
                signed_in = username
            page.goto(live_server.url + path)
            problems += [f"{p} ({viewport_name})" for p in axe_problems(page)]
            if page.locator("h1").count() != 1:
                problems.append(f"{path}: expected one h1")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"{path}: scrolls sideways by {overflow}px at {viewport['width']}px")
            page.screenshot(path=str(SHOTS / f"{name}-{viewport_name}.png"), full_page=True)
        context.close()
    assert problems == [], "\n".join(problems)


def test_picker_filter_box_narrows_the_list_and_keeps_ticked_assets(page, live_server, library):
    for i in range(4):  # enough options for the filter box to appear
        Asset.objects.create(
            campaign=library["launch"], kind="link", url=f"https://x.example/{i}", caption=f"Banner {i}"
        )
    sign_in(page, live_server.url, "ian")
    page.goto(live_server.url + reverse("explainer_edit", args=[library["live"].pk]))
    picker = page.locator("[data-asset-picker]")
    picker.get_by_label("Rate card — Family Savings (Link)").check()
    page.get_by_label("Filter the list").fill("film")
    visible = picker.locator(".picker-list li:visible")
    assert visible.all_inner_texts() == [
        "Launch film — Family Savings (Video link)",
        "Rate card — Family Savings (Link)",  # ticked: stays in view
    ]
    assert picker.locator("[aria-live]").inner_text() == "2 of 8 shown"
