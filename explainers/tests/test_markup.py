"""Explainer markdown is rendered, then sanitised by nh3: nothing executable survives."""

import pytest

from core.markup import render_markdown

NASTY = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<p style="background:url(javascript:alert(1))" onclick="x()">t</p>',
    '<iframe src="https://evil.example"></iframe>',
    "<svg><script>alert(1)</script></svg>",
    '<object data="x.swf"></object><embed src="x.swf">',
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    '<form action="https://evil.example"><input name="p"></form>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<!-- <script>alert(1)</script> -->",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)"></style></mglyph></table></mtext></math>',
]


@pytest.mark.parametrize("source", NASTY)
def test_nothing_executable_survives(source):
    html = render_markdown(source).lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "vbscript:", "data:", "<iframe", "style=",
                "<object", "<embed", "<form", "<input", "<style", "<svg", "<math"):  # fmt: skip
        assert bad not in html, (source, html)


def test_links_get_rel_noopener():
    html = render_markdown("[Rates](https://example.com/rates)")
    assert 'href="https://example.com/rates"' in html
    assert 'rel="noopener noreferrer"' in html


def test_markdown_formatting_is_kept():
    html = render_markdown("**bold** and *it*\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<li>one</li>" in html


def test_headings_are_demoted_below_the_page_sections():
    html = render_markdown("# Big\n\n## Smaller")
    assert "<h3>Big</h3>" in html
    assert "<h4>Smaller</h4>" in html
    assert "<h1" not in html


def test_images_keep_alt_text():
    assert 'alt="Poster"' in render_markdown("![Poster](https://example.com/p.png)")


def test_empty_source_renders_nothing():
    assert render_markdown("") == ""


def test_an_authors_biggest_heading_becomes_the_base_level():
    html = render_markdown("## Question?\n\nAnswer\n\n### Detail")
    assert "<h3>Question?</h3>" in html
    assert "<h4>Detail</h4>" in html
