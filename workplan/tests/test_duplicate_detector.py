"""The duplicate-effort detector on the labelled set, on whichever database the suite runs on
(CI: PostgreSQL with pg_trgm; locally: SQLite with the Python trigram similarity), and the two
similarity implementations agreeing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Value

from conftest import make_campaign
from workplan import duplicates
from workplan.models import Deliverable
from workplan.similarity import similarity
from workplan.tests.conftest import add_deliverable, team
from workplan.tests.duplicate_pairs import PAIRS

pytestmark = pytest.mark.django_db

# What PostgreSQL 16's pg_trgm answers for these (SELECT similarity(a, b)), pinned so the SQLite run
# checks the Python implementation against the real thing too.
PG_ANSWERS = [
    ("Launch press release", "Press release for the Aurora launch", 0.5833333),
    ("Customer launch email", "Customer survey email", 0.51724136),
    ("Ünïcode café menu", "cafe MENU", 0.4),
    ("Q3 results — 2027!", "q3 results 2027", 1.0),
    ("a", "a b", 0.5),
    ("", "word", 0.0),
    ("word", "two words", 0.36363637),
    ("x_y", "x y", 1.0),
]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.mark.parametrize(("a", "b", "expected"), PG_ANSWERS)
def test_python_similarity_matches_pg_trgm(a, b, expected):
    assert similarity(a, b) == pytest.approx(expected, abs=1e-6)


def test_database_and_python_similarity_agree_on_the_labelled_set(launch):
    """On PostgreSQL, similarity() and the Python one give the same number for every labelled text
    pair; on SQLite the detector uses the Python one, so they agree by construction."""
    holder = add_deliverable(launch, "events", "holder")
    texts = [(a[i], b[i]) for a, b, _ in PAIRS for i in (0, 1)]
    for left, right in texts:
        if is_postgres():
            in_db = (
                Deliverable.objects.filter(pk=holder.pk)
                .annotate(s=TrigramSimilarity(Value(left), right))
                .values_list("s", flat=True)
                .get()
            )
        else:
            in_db = similarity(left, right)
        assert in_db == pytest.approx(similarity(left, right), abs=1e-6), (left, right)


def labelled_outcomes(campaign, *, in_database: bool) -> list[tuple[bool, bool]]:
    """(detector says duplicate, labelled duplicate) for each pair: side b saved by Events, side a drafted."""
    outcomes = []
    for (title, description, type_, channel, day), b, is_duplicate in PAIRS:
        saved = add_deliverable(
            campaign, "events", b[0], description=b[1], type=b[2], channel=b[3], offset_days=b[4]
        )
        draft = duplicates.Draft(
            title, description, type_, channel, Deliverable(offset_days=day).compute_due_at(campaign)
        )
        found = duplicates.find_duplicates(
            draft, Deliverable.objects.filter(pk=saved.pk), in_database=in_database
        )
        outcomes.append((bool(found), is_duplicate))
    return outcomes


def precision_recall(outcomes) -> tuple[float, float]:
    tp = sum(1 for said, truth in outcomes if said and truth)
    fp = sum(1 for said, truth in outcomes if said and not truth)
    fn = sum(1 for said, truth in outcomes if not said and truth)
    return tp / (tp + fp), tp / (tp + fn)


def test_labelled_set_has_enough_pairs_of_both_kinds():
    assert len(PAIRS) >= 60
    assert sum(1 for *_, dup in PAIRS if dup) >= 30
    assert sum(1 for *_, dup in PAIRS if not dup) >= 30


def test_precision_and_recall_on_the_labelled_set(launch, capsys):
    engine = "PostgreSQL pg_trgm" if is_postgres() else "SQLite (Python trigrams)"
    outcomes = labelled_outcomes(launch, in_database=is_postgres())
    precision, recall = precision_recall(outcomes)
    with capsys.disabled():
        print(
            f"\nduplicate detector on {engine}: {len(PAIRS)} pairs, precision {precision:.3f}, recall {recall:.3f}"
        )
    assert precision >= 0.9
    assert recall >= 0.8
    if is_postgres():  # the same answers as the Python fallback, pair by pair
        Deliverable.objects.all().delete()
        assert labelled_outcomes(launch, in_database=False) == outcomes


def test_it_finds_another_teams_deliverable_on_an_overlapping_campaign(launch, marketing, other_marketing):
    sister = make_campaign(
        marketing, title="Aurora for business", go_live_at=launch.go_live_at + timedelta(days=5)
    )
    sister.teams.add(*launch.teams.all())
    existing = add_deliverable(
        sister, "events", "Launch press release", description="Aurora to national press"
    )
    draft = duplicates.Draft(
        "Press release for the launch", "National press on Aurora", "press_release", "press", existing.due_at
    )
    matches = duplicates.duplicates_for(
        draft, launch, team("content").pk, marketing
    )  # Mia drafts for Content
    assert [m.deliverable for m in matches] == [existing]


def test_it_ignores_the_own_teams_work_and_campaigns_the_person_cannot_see(launch, marketing, outsider):
    own = add_deliverable(launch, "content", "Launch press release")
    hidden_campaign = make_campaign(outsider, title="Design secret", go_live_at=launch.go_live_at)
    add_deliverable(hidden_campaign, "design", "Launch press release")
    draft = duplicates.Draft("Launch press release", "", "press_release", "press", own.due_at)
    assert duplicates.duplicates_for(draft, launch, own.workstream.team_id, marketing) == []
