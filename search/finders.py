"""What a search finds, per kind, for one person: the access rules come from each kind's own queryset.

Text matching: PostgreSQL full-text search (websearch syntax, English stemming, ranked) over the
fields each kind shows; elsewhere (SQLite in development) every word must appear in one of those
fields, case-insensitively. Names of people and audiences match by substring on both, because
stemming does nothing useful for "Singapore" or "J. Smith" and people type the start of a name.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from briefings.models import Briefing
from campaigns.models import Campaign
from explainers.models import Explainer, relevant_campaigns
from people import roles
from people.models import Audience

PER_KIND = 10  # each kind shows its best ten; the heading says how many matched in all
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    meta: str = ""  # a short line under the title: status, date, place
    snippet: str = ""  # plain text; the template escapes it


SINGULAR = {
    "Campaigns": "campaign",
    "Explainers": "explainer",
    "Briefings": "briefing",
    "Audiences": "audience",
    "People": "person",
}


@dataclass
class Group:
    kind: str
    total: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def counted(self) -> str:
        """'1 campaign', '12 campaigns'."""
        return f"{self.total} {SINGULAR[self.kind] if self.total == 1 else self.kind.lower()}"


def words(q: str) -> list[str]:
    return q[:MAX_QUERY_LENGTH].split()


def matching(qs: QuerySet, q: str, fields: list[str]) -> QuerySet:
    """`qs` narrowed to rows whose `fields` match `q`, best first."""
    if connection.vendor == "postgresql":
        query = SearchQuery(q[:MAX_QUERY_LENGTH], search_type="websearch", config="english")
        vector = SearchVector(*fields, config="english")
        return (
            qs.annotate(document=vector, rank=SearchRank(vector, query))
            .filter(document=query)
            .order_by("-rank", "-pk")
        )
    return substring_matching(qs, q, fields)


def substring_matching(qs: QuerySet, q: str, fields: list[str]) -> QuerySet:
    """Every word of `q` appears in at least one of `fields` (any order, any case)."""
    conditions = [reduce(operator.or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words(q)]
    return qs.filter(*conditions).order_by("-pk")


def group(kind: str, qs: QuerySet, to_hit: Callable[[object], Hit]) -> Group:
    rows = list(qs[:PER_KIND])
    total = len(rows) if len(rows) < PER_KIND else qs.count()
    return Group(kind, total, [to_hit(row) for row in rows])


def _when(at) -> str:
    return date_format(timezone.localtime(at), "j M Y")


def _campaign_hit(c: Campaign) -> Hit:
    return Hit(
        c.title, c.get_absolute_url(), f"{c.get_status_display()} · go-live {_when(c.go_live_at)}", c.concept
    )


def _explainer_hit_for_editors(e: Explainer) -> Hit:
    return Hit(
        e.campaign.title, reverse("explainer_edit", args=[e.campaign_id]), e.state_label, e.what_and_why
    )


def _explainer_hit(e: Explainer) -> Hit:
    return Hit(e.campaign.title, e.get_absolute_url(), "Explainer", e.what_and_why)


def _briefing_hit(b: Briefing) -> Hit:
    return Hit(b.title, b.get_absolute_url(), " · ".join(filter(None, [_when(b.starts_at), b.place])))


def _audience_hit(a: Audience) -> Hit:
    return Hit(a.name, a.get_absolute_url(), a.get_kind_display(), a.description)


def _person_hit(u) -> Hit:
    p = u.profile
    where = " · ".join(filter(None, [p.role, p.department, p.team, p.location]))
    return Hit(u.get_full_name() or u.username, "", where, u.email)


def search_for(user, q: str) -> list[Group]:
    """The groups this person may see, in the order a reader expects them; empty kinds left out."""
    if not user.is_authenticated or not words(q):
        return []
    groups = _for_managers(user, q) if roles.can_manage_campaigns(user) else _for_readers(user, q)
    return [g for g in groups if g.total]


def _for_managers(user, q: str) -> list[Group]:
    """Marketing and IC: what they manage, embargoed details included (they wrote them)."""
    campaigns = Campaign.objects.visible_to(user)
    return [
        group("Campaigns", matching(campaigns, q, ["title", "concept", "details"]), _campaign_hit),
        group(
            "Explainers",
            matching(
                Explainer.objects.filter(campaign__in=campaigns.values("pk")).select_related("campaign"),
                q,
                ["campaign__title", "what_and_why", "behaviours", "faq"],
            ),
            _explainer_hit_for_editors,
        ),
        group(
            "Briefings",
            matching(Briefing.objects.visible_to(user), q, ["title", "place", "why"]),
            _briefing_hit,
        ),
        group(
            "Audiences",
            substring_matching(Audience.objects.all(), q, ["name", "description"]),
            _audience_hit,
        ),
        group(
            "People",
            substring_matching(
                get_user_model()
                .objects.filter(is_active=True, profile__isnull=False)
                .select_related("profile"),
                q,
                ["first_name", "last_name", "email", "profile__department", "profile__team"],
            ),
            _person_hit,
        ),
    ]


def _for_readers(user, q: str) -> list[Group]:
    """Employees and presenters: explainers they may read now, and briefings they are part of.

    Only published explainers are searched, so nothing embargoed can match; a briefing matches on
    its title and place, which its invitation already showed them.
    """
    readable = Explainer.objects.published(timezone.now()).filter(
        campaign__in=relevant_campaigns(user, Audience.ids_for(user)).values("pk")
    )
    return [
        group(
            "Explainers",
            matching(
                readable.select_related("campaign"),
                q,
                ["campaign__title", "what_and_why", "behaviours", "faq"],
            ),
            _explainer_hit,
        ),
        group("Briefings", matching(Briefing.objects.visible_to(user), q, ["title", "place"]), _briefing_hit),
    ]
