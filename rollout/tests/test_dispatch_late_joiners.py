"""Late joiners are found from what changed (the database's change rows), however they joined, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, Impact
from conftest import add_impact, make_user
from people.importing import import_employees
from people.models import Audience, EmployeeProfile
from rollout.models import Delivery, MembershipChange, RolloutStage
from rollout.tests.engine import GO_LIVE, make_running_campaign, tick

pytestmark = pytest.mark.django_db

Kind = RolloutStage.Kind
EARLY = GO_LIVE - timedelta(days=14)
LATER = EARLY + timedelta(minutes=1)


def kinds_for(user: User) -> list[tuple[str, str]]:
    return sorted(Delivery.objects.filter(recipient=user).values_list("stage__kind", "channel"))


WARNED = [(Kind.EARLY_WARNING, "email"), (Kind.EARLY_WARNING, "in_app")]


def test_someone_moved_into_the_audience_gets_the_latest_stage_once(running, employee):
    tick(EARLY)
    finance = make_user("fin", department="Finance")
    EmployeeProfile.objects.filter(user=finance).update(department="Sales")  # a bulk write, no save()
    assert tick(LATER).late_deliveries == 2
    assert kinds_for(finance) == WARNED
    assert tick(LATER + timedelta(minutes=1)).late_deliveries == 0
    assert not MembershipChange.objects.exists()  # each tick takes what changed and clears it


def test_people_imported_from_csv_get_the_latest_stage(running, employee):
    tick(EARLY)
    header = "email,first_name,last_name,department,team,location,role,manager_email,time_zone"
    report = import_employees([header, "ana@example.com,Ana,New,Sales,,,,,", "bo@example.com,Bo,New,IT,,,,,"])
    assert report.created == 2
    tick(LATER)
    assert kinds_for(User.objects.get(email="ana@example.com")) == WARNED
    assert kinds_for(User.objects.get(email="bo@example.com")) == []


def test_someone_added_to_a_list_audience_gets_the_latest_stage(marketing, employee):
    champions = Audience.objects.create(name="Champions", kind=Audience.Kind.LIST)
    champions.members.add(employee)
    make_running_campaign(marketing, champions)
    tick(EARLY)
    newcomer = make_user("nia", department="IT")
    champions.members.add(newcomer)
    tick(LATER)
    assert kinds_for(newcomer) == WARNED


def test_a_switched_off_account_switched_back_on_gets_the_latest_stage(running, employee, salesforce):
    (away,) = salesforce(1)
    User.objects.filter(pk=away.pk).update(is_active=False)
    tick(EARLY)
    assert kinds_for(away) == []
    User.objects.filter(pk=away.pk).update(is_active=True)
    tick(LATER)
    assert kinds_for(away) == WARNED


def test_everyone_a_redefined_audience_now_holds_gets_the_latest_stage(running, sales, employee, employee_ny):
    tick(EARLY)
    sales.department = "Sales, Support"
    sales.save()
    tick(LATER)
    assert kinds_for(employee_ny) == WARNED


def test_an_audience_given_to_a_running_campaign_gets_its_latest_stage(
    running, employee, employee_ny, support
):
    tick(EARLY)
    add_impact(running, support, Impact.Level.MEDIUM)
    tick(LATER)
    assert kinds_for(employee_ny) == WARNED


def test_someone_who_joins_while_the_campaign_is_paused_gets_it_when_it_resumes(
    running, employee, salesforce
):
    tick(EARLY)
    running.paused_at = EARLY
    running.save(update_fields=["paused_at"])
    (late,) = salesforce(1)
    tick(LATER)  # takes the change while the campaign is paused
    assert kinds_for(late) == []
    running.paused_at = None
    running.save(update_fields=["paused_at"])
    tick(LATER + timedelta(minutes=1))
    assert kinds_for(late) == WARNED


def test_someone_who_joins_while_the_campaign_is_back_in_review_gets_it_once_approved(
    running, employee, salesforce
):
    tick(EARLY)
    running.status = Campaign.Status.SUBMITTED
    running.save(update_fields=["status"])
    (late,) = salesforce(1)
    tick(LATER)
    assert kinds_for(late) == []
    running.status = Campaign.Status.APPROVED
    running.save(update_fields=["status"])
    tick(LATER + timedelta(minutes=1))
    assert kinds_for(late) == WARNED


def test_a_stage_sent_before_changes_were_recorded_is_checked_in_full_once(running, employee, salesforce):
    tick(EARLY)
    (late,) = salesforce(1)
    MembershipChange.objects.all().delete()  # as if the change happened before this feature existed
    RolloutStage.objects.update(joiners_checked_at=None)  # what the migration leaves on sent stages
    assert tick(LATER).late_deliveries == 2
    assert kinds_for(late) == WARNED
    assert RolloutStage.objects.get(kind=Kind.EARLY_WARNING).joiners_checked_at == LATER


def test_an_idle_tick_reads_no_audience_however_many_campaigns_run(marketing, sales, employee, salesforce):
    salesforce(20)
    for n in range(3):
        make_running_campaign(marketing, sales, title=f"Campaign {n}")
    tick(EARLY)
    tick(LATER)  # the first tick's own changes are taken here
    with CaptureQueriesContext(connection) as idle:
        assert tick(LATER + timedelta(minutes=1)).late_deliveries == 0
    read = " ".join(q["sql"] for q in idle.captured_queries)
    assert "campaigns_employeeprofile" not in read
    assert "auth_user" not in read
