"""Forms for audiences and the employee CSV upload."""

from __future__ import annotations

import codecs
import csv
import difflib
import io

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Min, Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from people.importing import COLUMNS
from people.models import Audience, EmployeeProfile, Folded

RULE_EXAMPLES = {
    "department": "Sales, Support",
    "team": "North, South",
    "location": "London, Manchester",
    "role": "Adviser, Team leader",
}


class AudienceForm(forms.ModelForm):
    member_emails = forms.CharField(
        label="Members",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="For an explicit list: one email address per line.",
    )

    class Meta:
        model = Audience
        fields = ["name", "description", "kind", "department", "team", "location", "role"]
        widgets = {"kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            f: f"Comma-separated alternatives, e.g. “{example}”. Leave blank for any."
            for f, example in RULE_EXAMPLES.items()
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.members: list[User] = []
        self.known = known_values()
        for field in Audience.RULE_FIELDS:
            self.fields[field].widget.attrs["list"] = f"known-{field}"
            self.fields[field].widget.attrs["autocomplete"] = "off"
        if self.instance.pk and self.instance.kind == Audience.Kind.LIST and not self.is_bound:
            emails = self.instance.members.order_by("email").values_list("email", flat=True)
            self.initial["member_emails"] = "\n".join(emails)

    def _clean_rule(self, field: str) -> str:
        return ", ".join(Audience.split_values(self.cleaned_data.get(field, "")))

    def clean_department(self) -> str:
        return self._clean_rule("department")

    def clean_team(self) -> str:
        return self._clean_rule("team")

    def clean_location(self) -> str:
        return self._clean_rule("location")

    def clean_role(self) -> str:
        return self._clean_rule("role")

    def clean_member_emails(self) -> str:
        raw = self.cleaned_data.get("member_emails", "")
        wanted: list[tuple[int, str]] = []
        errors: list[str] = []
        for number, line in enumerate(raw.splitlines(), start=1):
            email = line.strip().lower()
            if not email:
                continue
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"Line {number}: “{email}” is not an email address.")
                continue
            wanted.append((number, email))
        found = _users_by_email({email for _, email in wanted})
        seen: set[int] = set()
        for number, email in wanted:
            user = found.get(email)
            if user is None:
                errors.append(f"Line {number}: nobody has the email address {email}.")
            elif user.pk not in seen:
                seen.add(user.pk)
                self.members.append(user)
        if errors:
            raise ValidationError(errors)
        return raw

    def rule_fields(self) -> list:
        """The rule fields to render, each with its known values and any "keep it anyway" box."""
        bound = []
        for name in Audience.RULE_FIELDS:
            field = self[name]
            field.known = self.known.get(name, [])
            field.keep = self[f"keep_{name}"] if f"keep_{name}" in self.fields else None
            bound.append(field)
        return bound

    def _check_known_values(self, data: dict) -> None:
        """An unknown rule value is a field error with the close known values, unless kept on purpose.

        Known means some profile's value equals it as the matcher compares (Folded, in SQL), so a
        value that differs only in case is never flagged; one query for every field and value.
        """
        wanted = {
            (field, value)
            for field in Audience.RULE_FIELDS
            for value in Audience.split_values(data.get(field) or "")
        }
        if not wanted:
            return
        checks = {
            f"n{i}": Count("pk", filter=Q(Exact(Folded(field), Folded(Value(value)))))
            for i, (field, value) in enumerate(sorted(wanted))
        }
        counts = EmployeeProfile.objects.aggregate(**checks)
        unknown: dict[str, list[str]] = {}
        for i, (field, value) in enumerate(sorted(wanted)):
            if not counts[f"n{i}"]:
                unknown.setdefault(field, []).append(value)
        for field, values in unknown.items():
            if self.data.get(f"keep_{field}"):
                continue
            label = self.fields[field].label.lower()
            messages = []
            for value in values:
                message = f"No one has {label} “{value}”."
                close = suggest(value, [shown for shown, _ in self.known.get(field, [])])
                if close:
                    message += " Did you mean " + " or ".join(close) + "?"
                messages.append(message)
            self.add_error(field, messages)
            shown = ", ".join(f"“{v}”" for v in values)
            self.fields[f"keep_{field}"] = forms.BooleanField(
                required=False, label=f"Keep {shown} (people may be imported later)"
            )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") != Audience.Kind.LIST:
            self._check_known_values(data)
        kind = data.get("kind")
        if kind == Audience.Kind.RULE and not any(data.get(f) for f in Audience.RULE_FIELDS):
            self.add_error(
                "department", "Give at least one condition (department, team, location or job role)."
            )
        if kind == Audience.Kind.LIST and "member_emails" in data and not self.members:
            self.add_error("member_emails", "Add at least one member, one email address per line.")
        return data

    def matching_users(self):
        """Who the cleaned form would hold, without saving (for the preview)."""
        audience = Audience(**{f: self.cleaned_data.get(f, "") for f in Audience.RULE_FIELDS})
        if self.cleaned_data.get("kind") == Audience.Kind.LIST:
            return User.objects.filter(pk__in=[u.pk for u in self.members], is_active=True)
        return audience.users()


def known_values() -> dict[str, list[tuple[str, int]]]:
    """Each rule field's values among active people's profiles, with how many people have each.

    Values the matcher treats as equal (case) are one entry, shown as the first spelling.
    One GROUP BY query per field.
    """
    known: dict[str, list[tuple[str, int]]] = {}
    active = EmployeeProfile.objects.filter(user__is_active=True)
    for field in Audience.RULE_FIELDS:
        rows = (
            active.exclude(**{field: ""})
            .values(folded=Folded(field))
            .annotate(shown=Min(field), people=Count("pk"))
            .values_list("shown", "people")
            .order_by("shown")
        )
        known[field] = list(rows)
    return known


def suggest(value: str, known: list[str]) -> list[str]:
    """Known values close to a mistyped one (case-insensitive), in their usual spelling."""
    by_folded = {k.lower(): k for k in known}
    close = difflib.get_close_matches(value.lower(), list(by_folded), n=3, cutoff=0.6)
    return [by_folded[c] for c in close]


def _users_by_email(emails: set[str]) -> dict[str, User]:
    """Active accounts by lower-case email (or username, which the import sets to the email)."""
    if not emails:
        return {}
    users = (
        User.objects.annotate(email_l=Lower("email"), username_l=Lower("username"))
        .filter(Q(email_l__in=emails) | Q(username_l__in=emails), is_active=True)
        .order_by("-pk")
    )
    found: dict[str, User] = {}
    for user in users:  # newest first, so the oldest account wins a shared address
        for key in (user.username_l, user.email_l):
            if key in emails:
                found[key] = user
    return found


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, first_name, last_name, department, team, location, role, "
        "manager_email, time_zone. UTF-8, header row first.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    @staticmethod
    def max_mb() -> int:
        return settings.IMPORT_MAX_UPLOAD_MB

    def clean_file(self):
        """Refuse what cannot be imported before queueing it: too large, not UTF-8, a wrong header.

        Reads the upload in chunks (it may be on disk), so checking a large file holds little of it."""
        upload = self.cleaned_data["file"]
        if upload.size > self.max_mb() * 1024 * 1024:
            raise ValidationError(
                f"The file is larger than {self.max_mb()} MB; split it, or ask an administrator to run "
                "manage.py import_employees."
            )
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        head = ""
        try:
            for chunk in upload.chunks():
                text = decoder.decode(chunk)
                if "\n" not in head:
                    head += text[:4096]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise ValidationError("The file is not UTF-8 text; save it as “CSV UTF-8”.") from exc
        header = next(csv.reader(io.StringIO(head)), [])
        missing = [c for c in COLUMNS if c not in {name.strip().lower() for name in header}]
        if missing:
            raise ValidationError(f"The first line must name the columns; missing: {', '.join(missing)}.")
        upload.seek(0)
        return upload
