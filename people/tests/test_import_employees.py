"""import_employees: real CSV files, errors by line number, idempotent re-import."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from people import roles
from people.importing import import_employees
from people.models import EmployeeProfile

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,department,team,location,role,manager_email,time_zone"
GOOD = [
    "lena.boss@bank.example,Lena,Boss,Sales,North,London,Manager,,Europe/London",
    "sam.seller@bank.example,Sam,Seller,Sales,North,London,Adviser,lena.boss@bank.example,Europe/London",
    "nia.agent@bank.example,Nia,Agent,Support,East,New York,Agent,,America/New_York",
]


def write_csv(tmp_path, *rows, header=HEADER, name="people.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run_import(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return import_employees(f)


def test_it_creates_users_with_profiles_and_employee_group(tmp_path):
    report = run_import(write_csv(tmp_path, *GOOD))
    assert report.summary() == "3 created, 0 updated, 0 unchanged"
    sam = User.objects.get(username="sam.seller@bank.example")
    assert sam.email == "sam.seller@bank.example"
    assert not sam.has_usable_password()
    assert list(sam.groups.values_list("name", flat=True)) == [roles.EMPLOYEE]
    assert (sam.profile.department, sam.profile.team, sam.profile.location, sam.profile.role) == (
        "Sales",
        "North",
        "London",
        "Adviser",
    )
    assert sam.profile.manager.username == "lena.boss@bank.example"
    assert sam.profile.time_zone == "Europe/London"


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_csv(tmp_path, *GOOD)
    run_import(path)
    before = list(EmployeeProfile.objects.order_by("pk").values())
    report = run_import(path)
    assert report.summary() == "0 created, 0 updated, 3 unchanged"
    assert list(EmployeeProfile.objects.order_by("pk").values()) == before
    assert User.objects.count() == 3


def test_changed_row_counts_as_updated(tmp_path):
    run_import(write_csv(tmp_path, *GOOD))
    moved = GOOD[2].replace("New York", "Singapore").replace("America/New_York", "Asia/Singapore")
    report = run_import(write_csv(tmp_path, GOOD[0], GOOD[1], moved, name="moved.csv"))
    assert report.summary() == "0 created, 1 updated, 2 unchanged"
    profile = EmployeeProfile.objects.get(user__username="nia.agent@bank.example")
    assert (profile.location, profile.time_zone) == ("Singapore", "Asia/Singapore")


def test_existing_account_is_matched_by_email_and_gets_a_profile(tmp_path):
    User.objects.create_user("kim", email="Kim@Bank.example")
    report = run_import(write_csv(tmp_path, "kim@bank.example,Kim,Lee,IT,Desk,Manchester,Engineer,,"))
    assert report.summary() == "0 created, 1 updated, 0 unchanged"
    assert User.objects.get(username="kim").profile.department == "IT"


def test_manager_may_appear_later_in_the_same_file(tmp_path):
    report = run_import(write_csv(tmp_path, GOOD[1], GOOD[0]))
    assert not report.has_errors
    sam = EmployeeProfile.objects.get(user__username="sam.seller@bank.example")
    assert sam.manager.username == "lena.boss@bank.example"


def test_manager_may_be_an_existing_user(tmp_path, ic):
    report = run_import(
        write_csv(tmp_path, f"new.hire@bank.example,New,Hire,Comms,,London,Writer,{ic.email.upper()},")
    )
    assert not report.has_errors
    assert EmployeeProfile.objects.get(user__username="new.hire@bank.example").manager == ic


def test_bad_rows_are_reported_by_line_and_good_rows_imported(tmp_path):
    path = write_csv(
        tmp_path,
        GOOD[0],  # line 2
        "not-an-email,Bad,Email,Sales,,London,,,",  # line 3
        "tz@bank.example,Tim,Zone,Sales,,London,,,Mars/Olympus",  # line 4
        "orphan@bank.example,Or,Phan,Sales,,London,,nobody@bank.example,",  # line 5
        "LENA.BOSS@bank.example,Lena,Again,Sales,,London,,,",  # line 6
        GOOD[2],  # line 7
    )
    report = run_import(path)
    assert [(e.line, e.message) for e in report.errors] == [
        (3, "bad email “not-an-email”"),
        (4, "unknown time zone “Mars/Olympus” (use an IANA name such as Europe/London)"),
        (5, "unknown manager nobody@bank.example"),
        (6, "duplicate email lena.boss@bank.example (first on line 2)"),
    ]
    assert report.summary() == "2 created, 0 updated, 0 unchanged, 4 failed"
    assert set(User.objects.values_list("username", flat=True)) == {
        "lena.boss@bank.example",
        "nia.agent@bank.example",
    }


def test_row_whose_manager_row_failed_is_reported_too(tmp_path):
    path = write_csv(
        tmp_path,
        "boss@bank.example,Bo,Ss,Sales,,London,,,Nowhere/City",  # line 2
        "report@bank.example,Re,Port,Sales,,London,,boss@bank.example,",  # line 3
    )
    report = run_import(path)
    assert [e.line for e in report.errors] == [2, 3]
    assert str(report.errors[1]) == "line 3: unknown manager boss@bank.example"
    assert not User.objects.exists()


def test_missing_column_is_an_error_for_the_header(tmp_path):
    header = HEADER.replace(",manager_email,time_zone", "")
    report = run_import(write_csv(tmp_path, "a@bank.example,A,B,Sales,,London,", header=header))
    assert [str(e) for e in report.errors] == ["line 1: missing column(s): manager_email, time_zone"]
    assert not User.objects.exists()


def test_blank_lines_are_ignored_and_line_numbers_stay_physical(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(f"{HEADER}\n{GOOD[0]}\n\n,,,,,,,,\nbad,x,y,,,,,,\n", encoding="utf-8")
    report = run_import(path)
    assert [e.line for e in report.errors] == [5]
    assert report.created == 1


def test_command_prints_summary_and_exits_zero_when_all_rows_are_good(tmp_path, capsys):
    call_command("import_employees", str(write_csv(tmp_path, *GOOD)))
    assert "3 created, 0 updated, 0 unchanged" in capsys.readouterr().out


def test_command_reports_lines_and_fails_when_a_row_is_bad(tmp_path, capsys):
    path = write_csv(tmp_path, GOOD[0], "bad@,A,B,,,,,,")
    with pytest.raises(CommandError, match="1 row\\(s\\) failed"):
        call_command("import_employees", str(path))
    captured = capsys.readouterr()
    assert f"{path}: line 3: bad email “bad@”" in captured.err
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in captured.out
    assert User.objects.filter(username="lena.boss@bank.example").exists()


def test_command_handles_a_byte_order_mark(tmp_path, capsys):
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER + "\n" + GOOD[0] + "\n").encode("utf-8"))
    call_command("import_employees", str(path))
    assert "1 created" in capsys.readouterr().out


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_employees", str(tmp_path / "nope.csv"))


def test_command_line_exit_code_is_non_zero_when_rows_fail(tmp_path):
    """The real CLI (a header-only failure, so the subprocess never writes to a database)."""
    path = write_csv(tmp_path, "a@bank.example", header="email")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_employees", str(path)],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "line 1: missing column(s): first_name" in result.stderr
