"""Duplicate-effort detection: before a deliverable is saved, find other teams' deliverables that look
like the same work, on this campaign and on campaigns going live around the same time.

"The same work" = similar text (trigram similarity of title, and of description when both have one),
the same type or channel, and due dates close together. On PostgreSQL the database computes the
similarities (pg_trgm's `similarity()`); elsewhere `workplan.similarity` computes the same numbers in
Python. Both round to 4 places before the decision, so both engines give the same answers.
Only deliverables on campaigns the person may see are compared: a match never leaks another
team's embargoed campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import QuerySet

from campaigns.models import Campaign
from workplan.models import Deliverable
from workplan.similarity import similarity

# Campaigns whose go-live is this close to this one's overlap: their teams may be making the same thing.
OVERLAP = timedelta(days=30)
# Due dates further apart than this are different work, however alike they read.
CLOSE_DAYS = 21
# Chosen on the labelled set (workplan/tests/duplicate_pairs.py): 0.64 to 0.68 give the same answers there.
THRESHOLD = 0.66


@dataclass(frozen=True)
class Draft:
    """What someone is about to save (the form's cleaned data), compared with saved deliverables."""

    title: str
    description: str
    type: str
    channel: str
    due_at: datetime


@dataclass
class Match:
    deliverable: Deliverable
    title_similarity: float
    description_similarity: float
    score: float

    @property
    def percent(self) -> int:
        return round(min(self.score, 1.0) * 100)


def score(draft: Draft, other: Deliverable, title_sim: float, description_sim: float) -> float:
    """How much this looks like the same work, 0 (no) to 1.2; THRESHOLD and up is a duplicate."""
    same_type, same_channel = draft.type == other.type, draft.channel == other.channel
    if not (same_type or same_channel):
        return 0.0
    days_apart = abs((draft.due_at - other.due_at).total_seconds()) / 86400
    if days_apart > CLOSE_DAYS:
        return 0.0
    text = title_sim
    if draft.description.strip() and other.description.strip():
        text = (title_sim + description_sim) / 2
    bonus = (0.15 if same_type else 0.0) + (0.05 if same_channel else 0.0)
    lateness = 0.01 * max(0.0, days_apart - 7)
    return round(text + bonus - lateness, 4)


def overlapping_campaigns(campaign: Campaign) -> QuerySet:
    return Campaign.objects.filter(
        go_live_at__gte=campaign.go_live_at - OVERLAP, go_live_at__lte=campaign.go_live_at + OVERLAP
    ).exclude(status=Campaign.Status.CANCELLED)


def candidates(campaign: Campaign, team_id: int | None, user, *, exclude_pk: int | None = None) -> QuerySet:
    """Other teams' deliverables on this and overlapping campaigns that this person may see."""
    # The person's own campaign is among these: it goes live within OVERLAP of itself.
    campaigns = Campaign.objects.visible_to(user).filter(pk__in=overlapping_campaigns(campaign).values("pk"))
    qs = Deliverable.objects.filter(workstream__campaign__in=campaigns.values("pk"))
    qs = (
        qs.exclude(workstream__team__isnull=True) if team_id is None else qs.exclude(workstream__team=team_id)
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("workstream__team", "workstream__campaign", "owner", "shared_with")


def uses_database_similarity() -> bool:
    return connection.vendor == "postgresql"


def with_similarities(draft: Draft, qs: QuerySet, *, in_database: bool | None = None) -> list[tuple]:
    """(deliverable, title similarity, description similarity) for each row, rounded to 4 places."""
    if in_database is None:
        in_database = uses_database_similarity()
    if in_database:
        from django.contrib.postgres.search import TrigramSimilarity

        qs = qs.annotate(
            title_similarity=TrigramSimilarity("title", draft.title),
            description_similarity=TrigramSimilarity("description", draft.description),
        )
        return [(d, round(d.title_similarity, 4), round(d.description_similarity, 4)) for d in qs]
    return [
        (
            d,
            round(similarity(draft.title, d.title), 4),
            round(similarity(draft.description, d.description), 4),
        )
        for d in qs
    ]


def find_duplicates(draft: Draft, qs: QuerySet, *, in_database: bool | None = None) -> list[Match]:
    """The rows of qs that look like the same work as draft, most alike first."""
    matches = []
    for deliverable, title_sim, description_sim in with_similarities(draft, qs, in_database=in_database):
        s = score(draft, deliverable, title_sim, description_sim)
        if s >= THRESHOLD:
            matches.append(Match(deliverable, title_sim, description_sim, s))
    matches.sort(key=lambda m: (-m.score, m.deliverable.due_at, m.deliverable.pk))
    return matches


def duplicates_for(
    draft: Draft, campaign: Campaign, team_id: int | None, user, *, exclude_pk=None
) -> list[Match]:
    return find_duplicates(draft, candidates(campaign, team_id, user, exclude_pk=exclude_pk))
