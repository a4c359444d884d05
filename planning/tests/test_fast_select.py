"""FastSelect renders exactly what forms.Select renders."""

from __future__ import annotations

import pytest
from django import forms

from planning.forms import FastSelect

CHOICES = [("", "Any"), ("1", "Tom & Jerry <b>"), ("Group", [("2", "Two"), ("3", 'Say "three"')])]


@pytest.mark.parametrize("value", [None, "", "1", "3"])
def test_fast_select_matches_the_stock_select(value):
    attrs = {"id": "id_x", "aria-describedby": "id_x_helptext", "required": True, "disabled": False}
    stock = forms.Select(choices=CHOICES).render("x", value, attrs=attrs)
    assert FastSelect(choices=CHOICES).render("x", value, attrs=attrs) == stock
