"""Trigram similarity the way PostgreSQL's pg_trgm computes it, for SQLite and for explaining a match.

pg_trgm lower-cases the text, splits it into words of letters and digits, pads each word with two
spaces in front and one behind, and takes every three-character window; similarity is the number of
trigrams the two texts share divided by the number in either (0 when either has none). On PostgreSQL
the duplicate detector asks the database (`similarity()`, from the TrigramExtension migration);
elsewhere it calls `similarity` here. tests/test_duplicate_detector.py checks both give the same
numbers on the labelled set.
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")  # letters and digits: pg_trgm's word characters


@lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[str]:
    found: set[str] = set()
    for word in WORD.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(found)


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)
