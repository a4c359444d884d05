"""Small SQL helpers shared by the pages that count people and audiences in bulk."""

from __future__ import annotations

from django.db.models import Aggregate, CharField


class IdList(Aggregate):
    """The values in a group as one comma-separated string: STRING_AGG on PostgreSQL, GROUP_CONCAT
    elsewhere. Lets a page fetch one row per owner (a stage, a profile combination) instead of one
    row per (owner, id) pair."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )


def parse_ids(ids: str | None, cache: dict[str, frozenset[int]] | None = None) -> frozenset[int]:
    """frozenset of the ints in an IdList value; equal strings share one set through `cache`."""
    if not ids:
        return frozenset()
    if cache is None:
        return frozenset(int(x) for x in ids.split(","))
    found = cache.get(ids)
    if found is None:
        found = cache[ids] = frozenset(int(x) for x in ids.split(","))
    return found
