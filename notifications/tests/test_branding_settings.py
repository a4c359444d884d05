"""ORG_NAME and ORG_COLOR: checked at start, like every setting."""

import pytest

from tests.test_settings import run_manage


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "1f4fbf"])
def test_a_bad_org_colour_stops_the_start(colour):
    result = run_manage("check", DEBUG="true", ORG_COLOR=colour)
    assert result.returncode != 0
    assert "ORG_COLOR must be a colour like #1f4fbf" in result.stderr


def test_a_good_org_name_and_colour_start(settings):
    result = run_manage("check", DEBUG="true", ORG_NAME="Northwind Bank", ORG_COLOR="#0A7D4F")
    assert result.returncode == 0, result.stderr


def test_an_org_name_that_could_break_the_layout_stops_the_start():
    result = run_manage("check", DEBUG="true", ORG_NAME="<b>Evil</b>")
    assert "ORG_NAME must be 1-80 characters" in result.stderr


def test_the_header_text_reads_on_light_and_dark_colours(settings):
    from core.templatetags.branding import org_text_color

    settings.ORG_COLOR = "#ffd400"
    assert org_text_color() == "#111111"
    settings.ORG_COLOR = "#1f4fbf"
    assert org_text_color() == "#ffffff"
