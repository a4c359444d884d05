"""Django admin: every model of campaigns and briefings is registered and its pages open."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from campaigns.models import Asset, KeyMessage
from rollout.models import Delivery

pytestmark = pytest.mark.django_db


def _models():
    return [
        m
        for app in ("campaigns", "briefings")
        for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical")
    ]


def test_every_model_is_in_the_admin():
    missing = [m.__name__ for m in _models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_admin_changelist_and_add_pages_open(client_for, superuser, campaign, model):
    client = client_for(superuser)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    expected_add = 403 if model is Delivery else 200
    assert client.get(reverse(f"{prefix}_add")).status_code == expected_add


def test_campaign_admin_shows_inlines_and_history(client_for, superuser, campaign):
    KeyMessage.objects.create(campaign=campaign, position=1, text="Lower rates")
    Asset.objects.create(campaign=campaign, kind="link", url="https://example.com", caption="Page")
    client = client_for(superuser)
    html = client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()
    assert "Lower rates" in html and "Page" in html
    assert client.get(reverse("admin:campaigns_campaign_history", args=[campaign.pk])).status_code == 200


def test_employee_can_not_open_the_admin(client_for, employee):
    response = client_for(employee).get("/admin/")
    assert response.status_code == 302
