"""People: employee profiles, MARCOM teams and audiences (by rule or by list).

These tables were created by the campaigns app and keep their names (`db_table`); see
people/migrations/0001_initial.py.
"""

from __future__ import annotations

import secrets
import zoneinfo
from functools import reduce
from operator import and_, or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, Func, OuterRef, Q, Value
from django.db.models.lookups import In
from django.urls import reverse
from django.utils import timezone

from core.aggregates import IdList, parse_ids
from core.time_zones import time_zone_names

User = settings.AUTH_USER_MODEL

# SQLite's LOWER() folds ASCII only; people/apps.py gives each SQLite connection this function
# (Python's str.lower), so both engines lower-case the whole of Unicode the same way.
SQLITE_LOWER = "campaignhub_lower"


def sqlite_lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


class Folded(Func):
    """A text value in lower case, Unicode-wide on every engine: how audience rules compare text."""

    function = "LOWER"
    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_LOWER, **extra_context)


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"“{value}” is not a known time zone (use an IANA name such as Europe/London).")


class EmployeeProfile(models.Model):
    """What we know about a person: where they sit (for audience rules) and how to reach them."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", "In-app"
        EMAIL = "email", "Email"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    department = models.CharField(max_length=100, blank=True)
    team = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=100, blank=True)
    role = models.CharField("job role", max_length=100, blank=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    preferred_channels = models.JSONField(default=list, blank=True)  # Channel values; empty = all

    class Meta:
        db_table = "campaigns_employeeprofile"  # moved from campaigns: the table keeps its name
        indexes = [
            # Audience rules filter on these attributes (Audience.rule_q).
            models.Index(fields=["department", "team"], name="profile_dept_team"),
            models.Index(fields=["location"], name="profile_location"),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)


def user_zone(user) -> zoneinfo.ZoneInfo:
    """The time zone to show times in for this person (their profile's, else the site default)."""
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    return profile.zone if profile else zoneinfo.ZoneInfo(settings.TIME_ZONE)


class MarcomTeam(models.Model):
    """A MARCOM team (PR, content, design, events, social, media); members co-edit its campaigns."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    members = models.ManyToManyField(User, blank=True, related_name="marcom_teams")

    class Meta:
        db_table = "campaigns_marcomteam"  # moved from campaigns: the table keeps its name
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.Model):
    """A named group of employees: by rule over profile attributes, or an explicit list."""

    class Kind(models.TextChoices):
        RULE = "rule", "Rule over employee attributes"
        LIST = "list", "Explicit member list"

    RULE_FIELDS = ("department", "team", "location", "role")

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RULE)
    # Each rule field holds comma-separated alternatives; blank means "any". Fields combine with AND.
    department = models.CharField(max_length=255, blank=True)
    team = models.CharField(max_length=255, blank=True)
    location = models.CharField(max_length=255, blank=True)
    role = models.CharField("job role", max_length=255, blank=True)
    members = models.ManyToManyField(User, blank=True, related_name="listed_audiences")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "campaigns_audience"  # moved from campaigns: the table keeps its name
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("audience_detail", args=[self.pk])

    @staticmethod
    def split_values(raw: str) -> list[str]:
        return [v.strip() for v in raw.split(",") if v.strip()]

    def member_filter(self) -> Q:
        """The one membership rule, as a filter on users (SQL, so every page agrees).

        A rule audience holds people whose profile matches one alternative of every non-blank rule
        field (fields combine with AND; an empty rule matches nobody, never "everyone" by accident).
        Values compare case-insensitively, by Unicode lower case on both sides ("CAFÉ CRÈME" is
        "Café Crème", "ZÜRICH" is "Zürich"); accents count ("Cafe" is not "Café"). A list audience
        holds its listed members (an EXISTS, so combining audiences never duplicates a person).
        """
        if self.kind == self.Kind.LIST:
            listed = Audience.members.through.objects.filter(audience_id=self.pk, user_id=OuterRef("pk"))
            return Q(Exists(listed))
        conditions = [
            Q(In(Folded(f"profile__{field}"), [Folded(Value(v)) for v in values]))
            for field in self.RULE_FIELDS
            if (values := self.split_values(getattr(self, field)))
        ]
        if not conditions:
            return Q(pk__isnull=True)  # a user's pk is never null: nobody
        return reduce(and_, conditions)

    def users(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(self.member_filter(), is_active=True)

    @property
    def size(self) -> int:
        return self.users().count()

    @classmethod
    def flags(cls, audiences) -> dict[str, ExpressionWrapper]:
        """{"in_<pk>": "is this user in the audience"} annotations for a user queryset."""
        return {f"in_{a.pk}": ExpressionWrapper(a.member_filter(), BooleanField()) for a in audiences}

    @classmethod
    def ids_by_user(cls, users, audiences=None) -> dict[int, set[int]]:
        """Which audiences (default: all) each of these active people is in, in two queries
        however many people and audiences: the audiences, then one row per person with a flag each."""
        from django.contrib.auth import get_user_model

        audiences = list(cls.objects.all() if audiences is None else audiences)
        user_ids = [getattr(u, "pk", u) for u in users]
        found: dict[int, set[int]] = {pk: set() for pk in user_ids}
        if not audiences or not user_ids:
            return found
        flags = cls.flags(audiences)
        rows = (
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=True)
            .annotate(**flags)
            .values_list("pk", *flags)
            .order_by()
        )
        for pk, *member in rows:
            found[pk] = {a.pk for a, is_in in zip(audiences, member, strict=True) if is_in}
        return found

    @classmethod
    def ids_for(cls, user) -> set[int]:
        """The ids of every audience this person belongs to, in two queries however many exist."""
        if not user.is_authenticated or not user.is_active:
            return set()
        return cls.ids_by_user([user.pk])[user.pk]

    @classmethod
    def member_ids(cls, audiences) -> dict[int, set[int]]:
        """The active members of each audience, in one query however many audiences and people
        (one row per distinct combination of memberships, with its people's ids)."""
        from django.contrib.auth import get_user_model

        audiences = list(audiences)
        members: dict[int, set[int]] = {a.pk: set() for a in audiences}
        if not audiences:
            return members
        flags = cls.flags(audiences)
        rows = (
            get_user_model()
            .objects.filter(reduce(or_, (a.member_filter() for a in audiences)), is_active=True)
            .annotate(**flags)
            .values(*flags)
            .annotate(ids=IdList("pk"))
            .values_list(*flags, "ids")
            .order_by()
        )
        for *member, ids in rows:
            people = parse_ids(ids)
            for audience, is_in in zip(audiences, member, strict=True):
                if is_in:
                    members[audience.pk].update(people)
        return members

    @classmethod
    def users_in(cls, audiences):
        """Active users in any of the given audiences, each once."""
        from django.contrib.auth import get_user_model

        audiences = list(audiences)
        if not audiences:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            reduce(or_, (a.member_filter() for a in audiences)), is_active=True
        )

    @classmethod
    def sizes(cls, audiences) -> dict[int, int]:
        """How many active people each audience holds, for any number of audiences in one query."""
        from django.contrib.auth import get_user_model

        audiences = list(audiences)
        if not audiences:
            return {}
        counts = {f"a{a.pk}": models.Count("pk", filter=a.member_filter(), distinct=True) for a in audiences}
        totals = get_user_model().objects.filter(is_active=True).aggregate(**counts)
        return {a.pk: totals[f"a{a.pk}"] for a in audiences}

    def sample(self, limit: int = 10):
        """The first people in the audience by name (for the audience page)."""
        return self.users().select_related("profile").order_by("last_name", "first_name", "pk")[:limit]


class CalendarFeed(models.Model):
    """A person's secret calendar-feed address (calendar apps cannot sign in); deleting the row revokes it.

    One model for every feed a person can subscribe to; `kind` says which calendar it opens.
    """

    class Kind(models.TextChoices):
        BRIEFINGS = "briefings", "My briefings"
        PLANNING = "planning", "Comms calendar"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    token = models.CharField(max_length=64, unique=True)  # the feed views look a feed up by it
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # regenerate() replaces a person's feed of a kind in place: one row, so one live address.
            models.UniqueConstraint(fields=["user", "kind"], name="one_calendar_feed_per_person_and_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed of {self.user}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @classmethod
    def of(cls, user, kind: str) -> CalendarFeed | None:
        return cls.objects.filter(user=user, kind=kind).first()

    @classmethod
    def owner_of(cls, token: str, kind: str):
        """The active person whose feed of this kind has this secret, or None."""
        feed = cls.objects.select_related("user").filter(token=token, kind=kind).first()
        return feed.user if feed is not None and feed.user.is_active else None

    @classmethod
    def regenerate(cls, user, kind: str) -> CalendarFeed:
        """A new secret for this person; the old address stops working at once."""
        feed, _ = cls.objects.update_or_create(user=user, kind=kind, defaults={"token": cls.new_token()})
        return feed

    @classmethod
    def revoke(cls, user, kind: str) -> None:
        cls.objects.filter(user=user, kind=kind).delete()


def _import_file_name(job: ImportJob, filename: str) -> str:
    """Uploaded CSVs are kept under a random name: the person's file name is only ever shown, never a path."""
    return f"imports/{secrets.token_hex(16)}.csv"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        """An IC person sees the imports they started; a superuser sees everyone's."""
        return self if user.is_superuser else self.filter(created_by=user)

    def claimable(self, now) -> ImportJobQuerySet:
        """Jobs a worker may start: queued, or left running by a worker that stopped making progress."""
        return self.filter(
            Q(status=ImportJob.Status.QUEUED)
            | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - ImportJob.stale_after())
        )


class ImportJob(models.Model):
    """One upload of the employee CSV, imported by a Celery worker (people/tasks.py) batch by batch.

    rows_done and the counts are written in the same transaction as each batch (people/import_jobs.py),
    so the progress shown is what is saved. The file lives in MEDIA_ROOT/imports/ under a random name
    (nothing serves MEDIA_ROOT) and is deleted once the import is done; a failed job keeps it to run again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="import_jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file = models.FileField(upload_to=_import_file_name, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the last batch saved
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True)  # known once the file is checked
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)  # why the whole job failed (not a row's error)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # the import page lists a person's latest jobs
            models.Index(fields=["created_by", "-created_at"], name="importjob_by_creator"),
        ]

    def __str__(self) -> str:
        return f"import of {self.file_name} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("import_job", args=[self.pk])

    @staticmethod
    def stale_after():
        from datetime import timedelta

        return timedelta(seconds=settings.IMPORT_STALE_SECONDS)

    def is_stalled(self, now) -> bool:
        """Running, but no batch saved for IMPORT_STALE_SECONDS: the worker has most likely died."""
        return self.status == self.Status.RUNNING and (
            self.heartbeat_at is None or self.heartbeat_at < now - self.stale_after()
        )

    def is_finished(self, now) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED) or self.is_stalled(now)

    def can_run_again(self, now) -> bool:
        return bool(self.file) and (self.status == self.Status.FAILED or self.is_stalled(now))

    @property
    def display_status(self) -> str:
        if self.is_stalled(timezone.now()):
            return "Stopped: no progress"
        return self.get_status_display()

    def summary(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.error_count:
            text += f", {self.error_count} failed"
        return text


class ImportRowError(models.Model):
    """A row an import job could not take, by its line in the file (1 is the header)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    message = models.TextField()

    class Meta:
        ordering = ["line", "pk"]
        indexes = [
            # the result page shows a job's first errors by line; the CSV report reads them all in order
            models.Index(fields=["job", "line"], name="importrowerror_job_line"),
        ]

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
