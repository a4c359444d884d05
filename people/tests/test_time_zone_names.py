"""Time zones people choose or import are real IANA zones: never the system's "localtime" or "Factory"."""

import pytest
from django.core.exceptions import ValidationError

from people.importing import import_employees
from people.models import validate_time_zone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules"])
def test_it_refuses_system_names_that_are_not_zones(name):
    with pytest.raises(ValidationError):
        validate_time_zone(name)


def test_it_accepts_iana_zones():
    validate_time_zone("Europe/London")
    validate_time_zone("UTC")


def test_it_refuses_localtime_in_an_employee_import():
    rows = [
        "email,first_name,last_name,department,team,location,role,manager_email,time_zone",
        "lou@bank.example,Lou,Local,Sales,North,London,Adviser,,localtime",
    ]
    report = import_employees(rows)
    assert "unknown time zone “localtime”" in " ".join(str(e) for e in report.errors)
