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


def numbered_rows(n, *, start=0, manager=""):
    return [
        f"person{i}@bank.example,P{i},Person,Sales,North,London,Adviser,{manager},Europe/London"
        for i in range(start, start + n)
    ]


def test_manager_further_down_the_file_in_a_later_batch_is_linked(tmp_path):
    """Batches of 2: the manager's row is saved two batches after the rows that name her."""
    rows = numbered_rows(4, manager="lena.boss@bank.example")
    path = write_csv(tmp_path, *rows, GOOD[0])
    with open(path, encoding="utf-8-sig", newline="") as f:
        report = import_employees(f, batch_size=2)
    assert report.summary() == "5 created, 0 updated, 0 unchanged"
    lena = User.objects.get(username="lena.boss@bank.example")
    assert set(EmployeeProfile.objects.filter(manager=lena).values_list("user__username", flat=True)) == {
        f"person{i}@bank.example" for i in range(4)
    }


def test_reimporting_in_batches_reports_every_row_unchanged(tmp_path):
    path = write_csv(tmp_path, *numbered_rows(5, manager="lena.boss@bank.example"), GOOD[0])
    with open(path, encoding="utf-8-sig", newline="") as f:
        import_employees(f, batch_size=2)
    with open(path, encoding="utf-8-sig", newline="") as f:
        report = import_employees(f, batch_size=2)
    assert report.summary() == "0 created, 0 updated, 6 unchanged"


def test_errors_keep_their_line_numbers_across_batches(tmp_path):
    rows = numbered_rows(5)
    rows[3] = "person3@bank.example,P3,Person,Sales,North,London,Adviser,,Mars/Olympus"  # line 5
    path = write_csv(tmp_path, *rows, rows[0])  # line 7 repeats line 2
    with open(path, encoding="utf-8-sig", newline="") as f:
        report = import_employees(f, batch_size=2)
    assert [str(e) for e in report.errors] == [
        "line 5: unknown time zone “Mars/Olympus” (use an IANA name such as Europe/London)",
        "line 7: duplicate email person0@bank.example (first on line 2)",
    ]
    assert report.summary() == "4 created, 0 updated, 0 unchanged, 2 failed"


# An import costs a fixed number of statements, plus a fixed number per batch whatever it holds.
# Fixed: create the scratch tables (temporary; leftovers dropped first) and drop them at the end;
# keep the good rows (one INSERT per 500), ANALYZE them, find duplicates and unknown managers; the Employee
# group; the last (empty) page of people waiting for a manager further down the file.
SCRATCH = 3 + 4 + 3
FIXED = SCRATCH + 4 + 1 + 1
NO_MANAGERS = 1  # the first page of distinct managers is empty
EXISTING_MANAGER = 4  # a page of managers: found by username, recorded; the next page is empty
NEW_MANAGER = 4  # a page: looked for by username, then by email (not found); the next page is empty
# Per batch: a savepoint and its release inside the test's transaction, which of its lines are good;
# find the existing accounts (two queries); insert users, memberships, profiles.
WINDOW = 2 + 1
BATCH = 5
WAITING = 2 + 1  # a batch naming a manager not saved yet: looked for (two queries), noted as waiting
LATE_PAGE = 4  # per batch of people waiting for a manager: read, the managers' ids (two), one UPDATE


@pytest.mark.parametrize("n", [3, 40])
def test_importing_new_people_costs_the_same_queries_for_a_small_and_a_large_batch(
    tmp_path, n, django_assert_num_queries
):
    path = write_csv(tmp_path, *numbered_rows(n, manager="boss@bank.example"), name=f"new{n}.csv")
    User.objects.create_user("boss@bank.example", email="boss@bank.example")
    # ... plus the boss's id, from the managers recorded before the batches
    with django_assert_num_queries(FIXED + EXISTING_MANAGER + WINDOW + BATCH + 1):
        report = run_import(path)
    assert report.created == n


@pytest.mark.parametrize("n", [3, 40])
def test_updating_people_costs_the_same_queries_for_a_small_and_a_large_batch(
    tmp_path, n, django_assert_num_queries
):
    run_import(write_csv(tmp_path, *numbered_rows(n), name="first.csv"))
    moved = [r.replace("London,Adviser", "Leeds,Lead").replace(",P", ",Q") for r in numbered_rows(n)]
    path = write_csv(tmp_path, *moved, name="moved.csv")
    # No managers to look up; one batch: find (all by username), update users, update profiles
    with django_assert_num_queries(FIXED + NO_MANAGERS + WINDOW + 3):
        report = run_import(path)
    assert report.summary() == f"0 created, {n} updated, 0 unchanged"


def test_each_batch_adds_the_same_fixed_number_of_queries(tmp_path, django_assert_num_queries):
    path = write_csv(tmp_path, *numbered_rows(10), GOOD[0], GOOD[1])  # 12 rows: 3 batches of 5
    with (
        open(path, encoding="utf-8-sig", newline="") as f,
        django_assert_num_queries(FIXED + NEW_MANAGER + 3 * (WINDOW + BATCH)),
    ):
        report = import_employees(f, batch_size=5)
    assert report.created == 12


def test_a_manager_later_in_the_file_costs_one_update_per_batch_of_such_rows(
    tmp_path, django_assert_num_queries
):
    rows = numbered_rows(10, manager="lena.boss@bank.example")
    path = write_csv(tmp_path, *rows, GOOD[0])  # 3 batches (5, 5, 1); 10 people wait for Lena: 2 pages
    with (
        open(path, encoding="utf-8-sig", newline="") as f,
        django_assert_num_queries(FIXED + NEW_MANAGER + 3 * (WINDOW + BATCH) + 2 * WAITING + 2 * LATE_PAGE),
    ):
        report = import_employees(f, batch_size=5)
    assert report.created == 11
    assert EmployeeProfile.objects.filter(manager__username="lena.boss@bank.example").count() == 10
