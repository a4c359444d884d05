"""Fan-out benchmark at scale (not a test): one stage to 1,000,000 in-app recipients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/fanout_million.py

The same measurement as bench/fanout.py (dispatch tick in its own process: time and peak RSS; vs a
raw COPY and a hand-written INSERT … SELECT of the same rows, same indexes, same run, in turns),
with BENCH_MILLION_N people (default 1,000,000) seeded by COPY. Then, on the table the last tick
filled, the plans that say what bounds it: EXPLAIN (ANALYZE, BUFFERS) of one fan-out statement as
the tick sends it, and the plans of the inbox and email-dispatch queries (index scans expected).
Goals: tick <= 25 s and <= 100 MB peak RSS.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fanout import FanoutRuns, in_app_stage, seed_people
from harness import ratio_line, scratch_database, setup_django


def explain(sql: str, params=()) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) {sql}", params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


class Captured(Exception):
    """Stops the tick's fan-out at its first INSERT, whose SQL it carries."""


def fan_out_statement_plan(bench: FanoutRuns) -> str:
    """The plan of the tick's first INSERT … SELECT (one id range), run for real on an empty table."""
    from django.db import connection

    from rollout import dispatch

    def capture(execute, sql, params, many, context):
        if sql.startswith("INSERT INTO"):
            raise Captured(sql, params)
        return execute(sql, params, many, context)

    bench.reset()
    try:
        with connection.execute_wrapper(capture):
            dispatch._insert_deliveries(bench.stage, bench.stage.recipients(), bench.now)
    except Captured as statement:
        sql, params = statement.args
        return explain(sql, params)
    raise AssertionError("the fan-out sent no INSERT")


def main() -> None:
    n = int(os.environ.get("BENCH_MILLION_N", 1_000_000))
    with scratch_database("fanout_million") as url:
        setup_django(url)
        from django.db import connection

        from rollout.models import Delivery

        batch = os.environ.get("DISPATCH_INSERT_BATCH", "default")
        print(f"PostgreSQL {connection.pg_version}; DISPATCH_INSERT_BATCH {batch}")
        with connection.cursor() as cursor:
            cursor.execute("SHOW shared_buffers")
            print(f"shared_buffers {cursor.fetchone()[0]} (server default; not changed by the bench)")
        start = time.perf_counter()
        seed_people(n)
        bench = FanoutRuns(in_app_stage(), url)
        print(f"seeded {bench.count:,} people by COPY in {time.perf_counter() - start:.1f} s")
        timings = bench.measure(int(os.environ.get("BENCH_RUNS", 3)))
        tick = timings["tick"]
        print(f"\nIn-app fan-out of {bench.count:,} recipients, one stage (medians of {len(tick.seconds)}):")
        print(f"  dispatch tick: {tick}  (goal <= 25 s)")
        print(ratio_line("  dispatch tick", tick, "INSERT … SELECT", timings["insert_select"]))
        print(ratio_line("  dispatch tick", tick, "COPY", timings["copy"]))
        before, peak = max(b for b, _ in bench.rss), max(p for _, p in bench.rss)
        print(
            f"  dispatching process peak RSS {peak:.0f} MB  (goal <= 100 MB; {before:.0f} MB of it before the tick)"
        )

        # The last round ended with the tick: the table holds its rows, as in production.
        recipient = Delivery.objects.order_by("-pk").values_list("recipient_id", flat=True).first()
        print("\nInbox query for one person (DeliveryQuerySet.in_app_for(user).newest_first()[:50]):")
        inbox = Delivery.objects.filter(recipient_id=recipient, channel="in_app", status="sent")
        sql, params = inbox.order_by("-sent_at", "-pk")[:50].query.sql_with_params()
        print(explain(sql, params))
        print("Unread count for one person (the menu badge):")
        sql, params = inbox.filter(read_at__isnull=True).values("pk").query.sql_with_params()
        print(explain(f"SELECT count(*) FROM ({sql}) unread", params))
        print("Email dispatch query (pending email of running campaigns, due):")
        pending = Delivery.objects.filter(status="pending", channel="email").order_by("stage_id", "pk")
        sql, params = pending.values_list("stage_id", "pk").query.sql_with_params()
        print(explain(sql, params))
        print(
            "\nSizes after the tick (what the cache must hold for a fan-out of this size to stay in memory):"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
                "WHERE i.indrelid = 'campaigns_delivery'::regclass UNION ALL "
                "SELECT 'campaigns_delivery (heap)', pg_relation_size('campaigns_delivery') ORDER BY 2 DESC"
            )
            for name, size in cursor.fetchall():
                print(f"    {name}: {size / 2**20:.0f} MB")
        print("\nOne fan-out statement of the tick (its first id range), on an empty table:")
        print(fan_out_statement_plan(bench))


if __name__ == "__main__":
    main()
