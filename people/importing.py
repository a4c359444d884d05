"""Import employees from CSV: create or update users and their profiles, report bad rows by line.

Used by `manage.py import_employees`, the IC upload page and the demo seed. Good rows are imported
even when others fail; managers are resolved after every row is read, so a manager may appear later
in the same file. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field

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


def import_employees(lines: Iterable[str]) -> ImportReport:
    """Import CSV text (an open text file or a list of lines, header first)."""
    report = ImportReport()
    reader = csv.DictReader(lines)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        report.errors.append(RowError(1, f"missing column(s): {', '.join(missing)}"))
        return report
    reader.fieldnames = header

    rows = _read_rows(reader, report)
    rows = _resolve_managers(rows, report)
    with transaction.atomic():
        _save(rows, report)
    report.errors.sort(key=lambda e: e.line)
    return report


def _read_rows(reader: csv.DictReader, report: ImportReport) -> list[_Row]:
    rows: list[_Row] = []
    first_line_of: dict[str, int] = {}
    for raw in reader:
        start = reader.line_num  # the row's (last) physical line; the header is line 1
        values = {c: (raw.get(c) or "").strip() for c in COLUMNS}
        if not any(values.values()):
            continue  # blank line
        values["email"] = values["email"].lower()
        values["manager_email"] = values["manager_email"].lower()
        problem = _row_problem(values)
        if not problem and values["email"] in first_line_of:
            problem = f"duplicate email {values['email']} (first on line {first_line_of[values['email']]})"
        if problem:
            report.errors.append(RowError(start, problem))
            continue
        first_line_of[values["email"]] = start
        rows.append(_Row(start, values))
    return rows


def _row_problem(values: dict[str, str]) -> str:
    email = values["email"]
    if not email:
        return "email is missing"
    try:
        validate_email(email)
    except ValidationError:
        return f"bad email “{email}”"
    if len(email) > USERNAME_MAX:
        return f"email is longer than {USERNAME_MAX} characters"
    if values["time_zone"] and values["time_zone"] not in time_zone_names():
        return f"unknown time zone “{values['time_zone']}” (use an IANA name such as Europe/London)"
    if values["manager_email"] == email:
        return "an employee cannot be their own manager"
    return ""


def _existing_users(emails: set[str]) -> dict[str, User]:
    """Users matching these emails by email or username, case-insensitively, in one query."""
    found: dict[str, User] = {}
    users = (
        User.objects.annotate(email_l=Lower("email"), username_l=Lower("username"))
        .filter(Q(email_l__in=emails) | Q(username_l__in=emails))
        .select_related("profile")
        .order_by("pk")
    )
    for user in users:
        # Prefer the account whose username is the email (the one an earlier import created).
        for key in (user.username_l, user.email_l):
            if key in emails and (key not in found or found[key].username.lower() != key):
                found[key] = user
    return found


def _resolve_managers(rows: list[_Row], report: ImportReport) -> list[_Row]:
    """Drop rows whose manager is neither an existing user nor a good row of this file."""
    managers = {r.manager_email for r in rows if r.manager_email}
    known_outside = set(_existing_users(managers))
    good = rows
    while True:
        in_file = {r.email for r in good}
        keep, dropped = [], []
        for row in good:
            m = row.manager_email
            (keep if not m or m in in_file or m in known_outside else dropped).append(row)
        for row in dropped:
            report.errors.append(RowError(row.line, f"unknown manager {row.manager_email}"))
        if not dropped:
            return keep
        good = keep  # a dropped row may have been someone else's manager


def _save(rows: list[_Row], report: ImportReport) -> None:
    emails = {r.email for r in rows} | {r.manager_email for r in rows if r.manager_email}
    users = _existing_users(emails)
    employee_group = Group.objects.get(name=roles.EMPLOYEE)
    changed: set[str] = set()
    created: set[str] = set()
    for row in rows:
        user = users.get(row.email)
        if user is None:
            user = User(username=row.email, email=row.email, **{f: row.values[f] for f in USER_FIELDS})
            user.set_unusable_password()
            user.save()
            user.groups.add(employee_group)
            users[row.email] = user
            created.add(row.email)
            continue
        updates = {f: row.values[f] for f in USER_FIELDS if getattr(user, f) != row.values[f]}
        if user.email.lower() != row.email:
            updates["email"] = row.email
        if updates:
            for name, value in updates.items():
                setattr(user, name, value)
            user.save(update_fields=list(updates))
            changed.add(row.email)
    # Second pass, once every user exists: profiles, including managers from later rows.
    for row in rows:
        user = users[row.email]
        wanted = {f: row.values[f] for f in PROFILE_FIELDS}
        manager = users.get(row.manager_email) if row.manager_email else None
        wanted["manager_id"] = manager.pk if manager else None
        profile = None if row.email in created else _profile_of(user)
        if profile is None:
            EmployeeProfile.objects.create(user=user, **wanted)
            if row.email not in created:
                changed.add(row.email)
            continue
        updates = {k: v for k, v in wanted.items() if getattr(profile, k) != v}
        if updates:
            for name, value in updates.items():
                setattr(profile, name, value)
            profile.save(update_fields=list(updates))
            changed.add(row.email)
    report.created += len(created)
    report.updated += len(changed - created)
    report.unchanged += len(rows) - len(created) - len(changed - created)


def _profile_of(user: User) -> EmployeeProfile | None:
    try:
        return user.profile
    except EmployeeProfile.DoesNotExist:
        return None
