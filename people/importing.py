"""Import employees from CSV: create or update users and their profiles, report bad rows by line.

Used by `manage.py import_employees`, the IC upload page and the demo seed. Good rows are imported
even when others fail; a manager may appear later in the same file. Importing the same file twice
changes nothing the second time.

A bulk operation that streams, in memory that does not grow with the file: the first pass reads the
file and checks each row on its own, writing each good row's line, email and manager to a temporary
table of this connection (`_Scratch`); duplicates and unknown managers are then found in SQL. The
second pass reads the file again and saves BATCH_SIZE rows at a time in a fixed number of statements
per batch (which of its lines are good, their managers' ids, the existing accounts; insert the new
users, their group memberships and profiles; update what changed). A manager further down the file
is filled in at the end from another temporary table, in one UPDATE per batch of such rows. Python
holds one batch of rows at a time, and the errors.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from core.time_zones import time_zone_names
from people import roles
from people.models import EmployeeProfile

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "department",
    "team",
    "location",
    "role",
    "manager_email",
    "time_zone",
)
USER_FIELDS = ("first_name", "last_name")
PROFILE_FIELDS = ("department", "team", "location", "role", "time_zone")
USERNAME_MAX = User._meta.get_field("username").max_length
BATCH_SIZE = 2000  # rows saved per round of statements; memory per batch, not per file


def unusable_password() -> str:
    """What make_password(None) stores ("!" and 40 random characters), from one os.urandom call
    instead of 40 random.choice calls: a third of the import's time at 100,000 rows."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def summary(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.errors:
            text += f", {len(self.errors)} failed"
        return text


@dataclass
class _Row:
    line: int
    values: dict[str, str]

    @property
    def email(self) -> str:
        return self.values["email"]

    @property
    def manager_email(self) -> str:
        return self.values["manager_email"]


Progress = Callable[[int, int, "ImportReport"], None]  # (rows done, rows in the file, report so far)


def import_employees(
    lines: Iterable[str], *, batch_size: int = BATCH_SIZE, progress: Progress | None = None
) -> ImportReport:
    """Import CSV text (an open text file or a list of lines, header first).

    Each batch is saved in its own transaction, and `progress` (if given) is called inside it, after
    the batch is saved: what it records commits with the rows it counts. A run stopped half-way
    leaves whole batches; running the same file again completes it (the import is idempotent).
    """
    report = ImportReport()
    read_again = _rereadable(lines)
    reader = _reader(read_again())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(RowError(1, f"missing column(s): {', '.join(missing)}"))
        return report

    scratch = _Scratch()
    total = _validate(_rows(reader), scratch, report, batch_size)
    _find_duplicates(scratch, report)
    _resolve_managers(scratch, report, batch_size)
    if progress is not None:
        progress(0, total, report)
    _save(_rows(_reader(read_again())), scratch, report, batch_size, _counted(progress, total))
    scratch.drop()
    report.errors.sort(key=lambda e: e.line)
    return report


def _counted(progress: Progress | None, total: int) -> Callable[[int, ImportReport], None]:
    def report_progress(done: int, report: ImportReport) -> None:
        if progress is not None:
            progress(done, total, report)

    return report_progress


def _rereadable(lines: Iterable[str]):
    """A function giving the lines from the top each time: a seekable file goes back to where it
    started (so a big file is never held in memory); anything else is kept as a list."""
    seekable = getattr(lines, "seekable", None)
    if seekable is not None and seekable():
        start = lines.tell()

        def from_start():
            lines.seek(start)
            return lines

        return from_start
    kept = list(lines)
    return lambda: kept


def _reader(lines: Iterable[str]) -> csv.DictReader:
    reader = csv.DictReader(lines)
    reader.fieldnames = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    return reader


def _rows(reader: csv.DictReader) -> Iterator[_Row]:
    """The file's non-blank rows, trimmed, emails in lower case, with their physical line numbers."""
    for raw in reader:
        values = {c: (raw.get(c) or "").strip() for c in COLUMNS}
        if not any(values.values()):
            continue  # blank line
        values["email"] = values["email"].lower()
        values["manager_email"] = values["manager_email"].lower()
        yield _Row(reader.line_num, values)  # the row's (last) physical line; the header is line 1


class _Scratch:
    """What the import must remember about every row, kept in the database rather than in memory.

    Temporary tables of this connection (PostgreSQL and SQLite alike): `rows` holds each good row's
    line, email and manager; `managers` the managers who had an account before the import (by email);
    `late` the profiles whose manager is further down the file. Other connections never see them, so
    two imports at once do not meet; they are dropped at the end (or with the connection).
    """

    ROWS = "people_import_rows"
    MANAGERS = "people_import_managers"
    LATE = "people_import_late"

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            for table in (self.ROWS, self.MANAGERS, self.LATE):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")  # left by an import that failed
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.ROWS} "
                "(line integer PRIMARY KEY, email text NOT NULL, manager text NOT NULL)"
            )
            cursor.execute(f"CREATE INDEX {self.ROWS}_email ON {self.ROWS} (email)")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.MANAGERS} (email text PRIMARY KEY, user_id bigint NOT NULL)"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.LATE} (profile_id bigint PRIMARY KEY, manager text NOT NULL)"
            )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in (self.ROWS, self.MANAGERS, self.LATE):
                cursor.execute(f"DROP TABLE {table}")

    def insert(self, table: str, columns: str, values: list[tuple]) -> None:
        if not values:
            return
        marks = ", ".join(["%s"] * len(values[0]))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([f"({marks})"] * len(values)),
                [v for row in values for v in row],
            )

    def query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.fetchall()

    def execute(self, sql: str, params: Iterable = ()) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))

    def manager_ids(self, emails: set[str]) -> dict[str, int]:
        """Managers' user ids by email: accounts from before the import, then ones it created (whose
        username is the email). Two queries, however many managers."""
        if not emails:
            return {}
        marks = ", ".join(["%s"] * len(emails))
        found = dict(
            self.query(f"SELECT email, user_id FROM {self.MANAGERS} WHERE email IN ({marks})", emails)
        )
        rest = emails - found.keys()
        found.update(User.objects.filter(username__in=rest).values_list("username", "pk"))
        return found


INSERT_ROWS = 500  # rows per multi-row INSERT into the scratch tables (SQLite allows 32,766 values)


def _validate(rows: Iterable[_Row], scratch: _Scratch, report: ImportReport, batch_size: int) -> int:
    """First pass: check each row on its own; keep the good ones' keys in the scratch table. Returns
    how many rows the file holds."""
    zones = time_zone_names()  # read once for the whole file
    total = 0
    good: list[tuple[int, str, str]] = []
    for row in rows:
        total += 1
        problem = _row_problem(row.values, zones)
        if problem:
            report.errors.append(RowError(row.line, problem))
            continue
        good.append((row.line, row.email, row.manager_email))
        if len(good) >= INSERT_ROWS:
            scratch.insert(scratch.ROWS, "line, email, manager", good)
            good = []
    scratch.insert(scratch.ROWS, "line, email, manager", good)
    scratch.execute(f"ANALYZE {scratch.ROWS}")  # autovacuum never sees temporary tables: plan on real sizes
    return total


def _find_duplicates(scratch: _Scratch, report: ImportReport) -> None:
    """A row repeating an email of an earlier good row is an error, named after the first line."""
    rows = scratch.ROWS
    duplicates = scratch.query(
        f"SELECT r.line, r.email, MIN(f.line) FROM {rows} r JOIN {rows} f ON f.email = r.email AND f.line < r.line "
        "GROUP BY r.line, r.email"
    )
    for line, email, first in duplicates:
        report.errors.append(RowError(line, f"duplicate email {email} (first on line {first})"))
    if duplicates:
        scratch.execute(
            f"DELETE FROM {rows} WHERE EXISTS "
            f"(SELECT 1 FROM {rows} f WHERE f.email = {rows}.email AND f.line < {rows}.line)"
        )


def _row_problem(values: dict[str, str], zones: frozenset[str]) -> str:
    email = values["email"]
    if not email:
        return "email is missing"
    try:
        validate_email(email)
    except ValidationError:
        return f"bad email “{email}”"
    if len(email) > USERNAME_MAX:
        return f"email is longer than {USERNAME_MAX} characters"
    if values["time_zone"] and values["time_zone"] not in zones:
        return f"unknown time zone “{values['time_zone']}” (use an IANA name such as Europe/London)"
    if values["manager_email"] == email:
        return "an employee cannot be their own manager"
    return ""


def _existing_users(emails: set[str]) -> dict[str, User]:
    """Users matching these emails by email or username, case-insensitively, in one or two queries.

    First by username exactly, on its unique index (an earlier import made each username the
    lower-case email: a re-import finds everyone here); only the rest by lower-cased email or
    username, a scan of the user table, so it is not repeated for people already found.
    """
    found: dict[str, User] = {
        user.username: user for user in User.objects.filter(username__in=emails).select_related("profile")
    }
    rest = emails - found.keys()
    if not rest:
        return found
    users = (
        User.objects.annotate(email_l=Lower("email"), username_l=Lower("username"))
        .filter(Q(email_l__in=rest) | Q(username_l__in=rest))
        .select_related("profile")
        .order_by("pk")
    )
    for user in users:
        # Prefer the account whose username is the email (the one an earlier import created).
        for key in (user.username_l, user.email_l):
            if key in rest and (key not in found or found[key].username.lower() != key):
                found[key] = user
    return found


def _resolve_managers(scratch: _Scratch, report: ImportReport, batch_size: int) -> None:
    """Record the managers who already have an account; drop the rows whose manager is neither such
    an account nor a good row of this file (and the rows that named a dropped row as manager)."""
    after = ""
    while True:  # the distinct managers, a batch at a time in email order
        managers = [
            m
            for (m,) in scratch.query(
                f"SELECT DISTINCT manager FROM {scratch.ROWS} WHERE manager > %s ORDER BY manager LIMIT %s",
                [after, batch_size],
            )
        ]
        if not managers:
            break
        found = _existing_users(set(managers))
        scratch.insert(scratch.MANAGERS, "email, user_id", [(e, u.pk) for e, u in found.items()])
        after = managers[-1]
    rows = scratch.ROWS
    unknown = (
        f"{rows}.manager <> '' AND NOT EXISTS (SELECT 1 FROM {rows} m WHERE m.email = {rows}.manager) "
        f"AND NOT EXISTS (SELECT 1 FROM {scratch.MANAGERS} x WHERE x.email = {rows}.manager)"
    )
    while dropped := scratch.query(f"SELECT line, manager FROM {rows} WHERE {unknown}"):
        for line, manager in dropped:
            report.errors.append(RowError(line, f"unknown manager {manager}"))
        scratch.execute(f"DELETE FROM {rows} WHERE {unknown}")  # and look again: they may have managed others


def _save(
    rows: Iterable[_Row],
    scratch: _Scratch,
    report: ImportReport,
    batch_size: int,
    progress: Callable[[int, ImportReport], None],
) -> None:
    """Second pass: save the good rows batch by batch (a transaction each, with the progress made),
    then the managers that came later in the file."""
    employee_group_id = Group.objects.get(name=roles.EMPLOYEE).pk
    window: list[_Row] = []
    seen = 0
    for row in rows:
        seen += 1
        window.append(row)
        if len(window) >= batch_size:
            with transaction.atomic():
                _save_batch(_good_rows(window, scratch), scratch, employee_group_id, report)
                progress(seen, report)
            window = []
    with transaction.atomic():
        if window:
            _save_batch(_good_rows(window, scratch), scratch, employee_group_id, report)
        _link_late_managers(scratch, batch_size)
        progress(seen, report)


def _good_rows(window: list[_Row], scratch: _Scratch) -> list[_Row]:
    """The rows of this stretch of the file that passed every check (one query)."""
    good = {
        line
        for (line,) in scratch.query(
            f"SELECT line FROM {scratch.ROWS} WHERE line >= %s AND line <= %s",
            [window[0].line, window[-1].line],
        )
    }
    return [row for row in window if row.line in good]


def _link_late_managers(scratch: _Scratch, batch_size: int) -> None:
    """Everyone is saved now: give the people whose manager came further down the file their manager."""
    after = 0
    while late := scratch.query(
        f"SELECT profile_id, manager FROM {scratch.LATE} WHERE profile_id > %s ORDER BY profile_id LIMIT %s",
        [after, batch_size],
    ):
        ids = scratch.manager_ids({manager for _, manager in late})
        EmployeeProfile.objects.bulk_update(
            [EmployeeProfile(pk=pk, manager_id=ids[manager]) for pk, manager in late], ["manager"]
        )
        after = late[-1][0]


def _save_batch(rows: list[_Row], scratch: _Scratch, employee_group_id: int, report: ImportReport) -> None:
    """One batch in a fixed number of statements, however many rows it holds."""
    if not rows:
        return
    users = _existing_users({r.email for r in rows})
    new_users: list[User] = []
    changed_users: list[User] = []
    for row in rows:
        user = users.get(row.email)
        if user is None:
            user = User(
                username=row.email,
                email=row.email,
                password=unusable_password(),  # imported people sign in by link or single sign-on
                **{f: row.values[f] for f in USER_FIELDS},
            )
            users[row.email] = user
            new_users.append(user)
            continue
        updates = {f: row.values[f] for f in USER_FIELDS if getattr(user, f) != row.values[f]}
        if user.email.lower() != row.email:
            updates["email"] = row.email
        if updates:
            for name, value in updates.items():
                setattr(user, name, value)
            changed_users.append(user)
    User.objects.bulk_create(new_users)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=employee_group_id) for u in new_users]
    )
    if changed_users:
        User.objects.bulk_update(changed_users, ["email", *USER_FIELDS])
    created = {u.pk for u in new_users}
    changed = {u.pk for u in changed_users}
    # Managers: in this batch, from before the import, or saved by an earlier batch; else later.
    needed = {r.manager_email for r in rows if r.manager_email}
    manager_ids = {m: users[m].pk for m in needed if m in users}
    manager_ids.update(scratch.manager_ids(needed - manager_ids.keys()))

    new_profiles: list[EmployeeProfile] = []
    changed_profiles: list[EmployeeProfile] = []
    late: list[tuple[EmployeeProfile, str]] = []
    for row in rows:
        user = users[row.email]
        wanted = {f: row.values[f] for f in PROFILE_FIELDS}
        wanted["manager_id"] = manager_ids.get(row.manager_email) if row.manager_email else None
        profile = None if user.pk in created else _profile_of(user)
        if profile is None:
            profile = EmployeeProfile(user=user, **wanted)
            new_profiles.append(profile)
            changed.add(user.pk)
        elif updates := {k: v for k, v in wanted.items() if getattr(profile, k) != v}:
            for name, value in updates.items():
                setattr(profile, name, value)
            changed_profiles.append(profile)
            changed.add(user.pk)
        if row.manager_email and wanted["manager_id"] is None:
            late.append((profile, row.manager_email))  # a new person further down the file
            changed.add(user.pk)
    EmployeeProfile.objects.bulk_create(new_profiles)
    if changed_profiles:
        EmployeeProfile.objects.bulk_update(changed_profiles, [*PROFILE_FIELDS, "manager"])
    for start in range(0, len(late), INSERT_ROWS):
        scratch.insert(
            scratch.LATE, "profile_id, manager", [(p.pk, m) for p, m in late[start : start + INSERT_ROWS]]
        )

    report.created += len(created)
    report.updated += len(changed - created)
    report.unchanged += len(rows) - len(changed | created)


def _profile_of(user: User) -> EmployeeProfile | None:
    try:
        return user.profile
    except EmployeeProfile.DoesNotExist:
        return None
