"""People: employee profiles, MARCOM teams and audiences (by rule or by list).

These tables were created by the campaigns app and keep their names (`db_table`); see
people/migrations/0001_initial.py.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.time_zones import time_zone_names

User = settings.AUTH_USER_MODEL


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

    def wants(self, channel: str) -> bool:
        return not self.preferred_channels or channel in self.preferred_channels


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

    def rule_q(self, prefix: str = "profile__") -> Q:
        """The rule as a filter on users; an empty rule matches nobody (never 'everyone' by accident)."""
        q = Q()
        has_condition = False
        for field in self.RULE_FIELDS:
            values = self.split_values(getattr(self, field))
            if values:
                has_condition = True
                alternatives = Q()
                for value in values:
                    alternatives |= Q(**{f"{prefix}{field}__iexact": value})
                q &= alternatives
        return q if has_condition else Q(pk__in=[])

    def matches(self, values: dict[str, str | None]) -> bool:
        """rule_q() in Python, for one person's profile values {"department": ..., ...}: each rule
        field is one of its alternatives (case-insensitive), fields combine with AND, an empty
        rule matches nobody. Lets a page count people per distinct profile instead of per person."""
        has_condition = False
        for field in self.RULE_FIELDS:
            alternatives = self.split_values(getattr(self, field))
            if alternatives:
                has_condition = True
                value = values.get(field)
                if value is None or value.upper() not in {a.upper() for a in alternatives}:
                    return False
        return has_condition

    def member_filter(self) -> Q:
        if self.kind == self.Kind.LIST:
            return Q(listed_audiences=self)
        return self.rule_q()

    def users(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(self.member_filter(), is_active=True).distinct()

    @property
    def size(self) -> int:
        return self.users().count()

    def matches_profile(self, profile: EmployeeProfile | None) -> bool:
        """Python twin of rule_q for one person, so pages can test membership without a query each."""
        if self.kind != self.Kind.RULE or profile is None:
            return False
        has_condition = False
        for field in self.RULE_FIELDS:
            values = self.split_values(getattr(self, field))
            if not values:
                continue
            has_condition = True
            own = (getattr(profile, field) or "").casefold()
            if own not in {v.casefold() for v in values}:
                return False
        return has_condition

    @classmethod
    def ids_for(cls, user) -> set[int]:
        """The ids of every audience this person belongs to, in two queries however many exist."""
        if not user.is_authenticated or not user.is_active:
            return set()
        try:
            profile = user.profile  # usually cached already by the time-zone middleware
        except EmployeeProfile.DoesNotExist:
            profile = None
        ids = {a.pk for a in cls.objects.filter(kind=cls.Kind.RULE) if a.matches_profile(profile)}
        ids.update(cls.objects.filter(kind=cls.Kind.LIST, members=user).values_list("pk", flat=True))
        return ids

    @classmethod
    def users_in(cls, audiences):
        """Active users in any of the given audiences, each once."""
        from django.contrib.auth import get_user_model

        q = Q(pk__in=[])
        for audience in audiences:
            q |= audience.member_filter()
        return get_user_model().objects.filter(q, is_active=True).distinct()

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
