"""A stage body is user text rendered as a template: it prints placeholders and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from rollout import composer
from rollout.models import RolloutStage
from rollout.tests.engine import GO_LIVE
from rollout.tests.test_rollout_views import stage_data

pytestmark = pytest.mark.django_db

REACHING_BODY = (
    "{{ recipient.password }}|{{ user.password }}|{{ stage.campaign.details }}|{{ campaign.details }}"
    "|{{ settings.SECRET_KEY }}|{{ request.user.password }}"
    "|{% if recipient.password %}has a password{% endif %}"
)


def stored_stage(campaign, body: str) -> RolloutStage:
    """A stage saved without the form (as the admin or an old row could), go-live before the embargo."""
    return RolloutStage.objects.create(
        campaign=campaign, offset_minutes=-60, channels=["in_app"], subject="Hi", body=body
    )


def test_it_leaks_no_password_embargoed_details_or_settings_through_object_lookups(
    running, employee, settings
):
    text = composer.render_stage(
        stored_stage(running, REACHING_BODY), employee, at=GO_LIVE - timedelta(hours=1)
    ).text
    assert employee.password not in text
    assert running.details not in text
    assert settings.SECRET_KEY not in text
    assert "has a password" not in text


@pytest.mark.parametrize(
    "body",
    [
        "{% debug %}",
        "{% load static %}{% static 'css/app.css' %}",
        "{% include 'base.html' %}",
        "{% url 'inbox' %}",
        "{% autoescape off %}{{ concept }}{% endautoescape %}",
        "{{ concept|safe }}",
        "{% now 'Y' %}",
    ],
)
def test_it_refuses_to_render_tags_and_filters_beyond_the_stage_allow_list(running, employee, body):
    with pytest.raises(composer.TemplateSyntaxError):
        composer.render_stage(stored_stage(running, body), employee)


def test_debug_in_a_stage_body_is_a_field_error(client_for, ic, running):
    response = client_for(ic).post(
        reverse("stage_add", args=[running.pk]), stage_data(body="Hello {% debug %}")
    )
    assert response.status_code == 200
    assert "{% debug %} is not allowed in a stage" in response.context["form"].errors["body"][0]
    assert not running.stages.filter(kind=RolloutStage.Kind.CUSTOM).exists()


def test_safe_filter_in_a_stage_body_is_a_field_error(client_for, ic, running):
    response = client_for(ic).post(
        reverse("stage_add", args=[running.pk]), stage_data(body="{{ concept|safe }}")
    )
    assert "The filter |safe is not allowed in a stage" in response.context["form"].errors["body"][0]


def test_object_lookup_in_a_condition_is_an_unknown_placeholder(client_for, ic, running):
    response = client_for(ic).post(
        reverse("stage_add", args=[running.pk]),
        stage_data(body="{% if recipient.password %}x{% endif %}"),
    )
    assert "Unknown placeholder: {{ recipient.password }}" in response.context["form"].errors["body"][0]


def test_conditions_comments_and_text_filters_on_placeholders_are_accepted(client_for, ic, running):
    body = (
        "{# note to self #}{% comment %}draft{% endcomment %}Hello {{ first_name|capfirst }},\n"
        '{% if concept and first_name != "x" %}{{ concept|truncatewords:20 }}{% else %}-{% endif %}'
    )
    response = client_for(ic).post(reverse("stage_add", args=[running.pk]), stage_data(body=body))
    assert response.status_code == 302


def test_admin_refuses_a_stage_body_the_composer_would_refuse(running):
    from rollout.admin import RolloutStageAdminForm

    stage = running.stages.first()
    data = {f: getattr(stage, f) for f in ("kind", "offset_minutes", "subject", "state", "state_reason")}
    data.update(campaign=running.pk, channels='["in_app"]', body="{% load static %}Hi", audiences=[])
    form = RolloutStageAdminForm(data, instance=stage)
    assert not form.is_valid()
    assert "load" in str(form.errors["body"])


@pytest.mark.django_db
def test_a_stored_body_the_composer_refuses_is_recorded_on_each_email_not_left_sending(running):
    """A text saved past the forms (an old row) is recorded on its delivery, never a stuck chunk."""
    from rollout import dispatch, mailer
    from rollout.models import Delivery

    bad = running.stages.order_by("send_at").first()
    RolloutStage.objects.filter(pk=bad.pk).update(body="{% load static %}Hello")
    chunks = []
    dispatch.dispatch_due(bad.send_at, enqueue=chunks.append)
    for chunk in chunks:
        mailer.send_email_chunk(chunk, now=bad.send_at)

    failed = Delivery.objects.filter(stage=bad, channel="email")
    assert failed.exists() and all("load" in d.last_error and d.attempts == 1 for d in failed)
    assert not failed.filter(status=Delivery.Status.SENDING).exists()  # retried later, then failed
