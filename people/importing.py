"""Import employees from CSV: create or update users and their profiles, report bad rows by line.

Used by `manage.py import_employees`, the IC upload page and the demo seed. Good rows are imported
even when others fail; a manager may appear later in the same file. Importing the same file twice
changes nothing the second time.

A bulk operation that streams: the first pass reads the file and validates every row in memory,
keeping only each good row's email and manager (so duplicates and managers can be checked); the
second pass reads it again and saves BATCH_SIZE rows at a time in a fixed number of statements per
batch (find the existing accounts, insert the new users, their group memberships and profiles,
update what changed), so neither time per row nor memory grows with the file. A manager created
later in the file is filled in at the end, in one UPDATE per batch of such rows.
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
from django.db import transaction
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

    good, total = _validate(_rows(reader), report)
    manager_ids = _resolve_managers(good, report, batch_size)
    if progress is not None:
        progress(0, total, report)
    _save(_rows(_reader(read_again())), good, manager_ids, report, batch_size, _counted(progress, total))
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


def _validate(rows: Iterable[_Row], report: ImportReport) -> tuple[dict[str, tuple[int, str]], int]:
    """First pass: check every row in memory; the good rows' (line, manager email) by email, and
    how many rows the file holds."""
    zones = time_zone_names()  # read once for the whole file
    good: dict[str, tuple[int, str]] = {}
    total = 0
    for row in rows:
        total += 1
        problem = _row_problem(row.values, zones)
        if not problem and row.email in good:
            problem = f"duplicate email {row.email} (first on line {good[row.email][0]})"
        if problem:
            report.errors.append(RowError(row.line, problem))
            continue
        good[row.email] = (row.line, row.manager_email)
    return good, total


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


def _resolve_managers(
    good: dict[str, tuple[int, str]], report: ImportReport, batch_size: int
) -> dict[str, int]:
    """Drop the rows whose manager is neither an existing user nor a good row of this file (and the
    rows that named a dropped row as manager); return the ids of managers already in the database."""
    managers = sorted({m for _, m in good.values() if m})
    existing: dict[str, int] = {}
    for start in range(0, len(managers), batch_size):
        found = _existing_users(set(managers[start : start + batch_size]))
        existing.update((email, user.pk) for email, user in found.items())
    while True:
        dropped = [e for e, (_, m) in good.items() if m and m not in good and m not in existing]
        for email in dropped:
            line, manager = good.pop(email)
            report.errors.append(RowError(line, f"unknown manager {manager}"))
        if not dropped:
            return existing  # else a dropped row may have been someone else's manager: look again


@dataclass
class _Saving:
    """What the second pass carries from batch to batch: a few ids, never the rows themselves."""

    employee_group_id: int
    manager_ids: dict[str, int]  # managers' user ids by email: existing ones, then the file's as saved
    managers: set[str]
    late: list[tuple[int, str]] = field(default_factory=list)  # (profile pk, manager saved later)


def _save(
    rows: Iterable[_Row],
    good: dict[str, tuple[int, str]],
    manager_ids: dict[str, int],
    report: ImportReport,
    batch_size: int,
    progress: Callable[[int, ImportReport], None],
) -> None:
    """Second pass: save the good rows batch by batch (a transaction each, with the progress made),
    then the managers that came later in the file."""
    saving = _Saving(
        employee_group_id=Group.objects.get(name=roles.EMPLOYEE).pk,
        manager_ids=dict(manager_ids),
        managers={m for _, m in good.values() if m},
    )
    batch: list[_Row] = []
    seen = 0
    for row in rows:
        seen += 1
        if good.get(row.email, (0,))[0] != row.line:
            continue  # a bad row, already reported
        batch.append(row)
        if len(batch) >= batch_size:
            with transaction.atomic():
                _save_batch(batch, saving, report)
                progress(seen, report)
            batch = []
    with transaction.atomic():
        if batch:
            _save_batch(batch, saving, report)
        for start in range(0, len(saving.late), batch_size):
            EmployeeProfile.objects.bulk_update(
                [
                    EmployeeProfile(pk=pk, manager_id=saving.manager_ids[manager])
                    for pk, manager in saving.late[start : start + batch_size]
                ],
                ["manager"],
            )
        progress(seen, report)


def _save_batch(rows: list[_Row], saving: _Saving, report: ImportReport) -> None:
    """One batch in a fixed number of statements, however many rows it holds."""
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
        [User.groups.through(user_id=u.pk, group_id=saving.employee_group_id) for u in new_users]
    )
    if changed_users:
        User.objects.bulk_update(changed_users, ["email", *USER_FIELDS])
    created = {u.pk for u in new_users}
    changed = {u.pk for u in changed_users}
    for row in rows:
        if row.email in saving.managers:
            saving.manager_ids[row.email] = users[row.email].pk

    new_profiles: list[EmployeeProfile] = []
    changed_profiles: list[EmployeeProfile] = []
    late: list[tuple[EmployeeProfile, str]] = []
    for row in rows:
        user = users[row.email]
        wanted = {f: row.values[f] for f in PROFILE_FIELDS}
        wanted["manager_id"] = saving.manager_ids.get(row.manager_email) if row.manager_email else None
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
    saving.late.extend((profile.pk, manager) for profile, manager in late)

    report.created += len(created)
    report.updated += len(changed - created)
    report.unchanged += len(rows) - len(changed | created)


def _profile_of(user: User) -> EmployeeProfile | None:
    try:
        return user.profile
    except EmployeeProfile.DoesNotExist:
        return None
