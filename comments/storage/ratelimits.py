"""Rate-limit counters: one row per key and one-minute window in ``ratelimit``.

A Core table of its own (created by migration 0003): it is a counter, not a record of anything.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

RATELIMIT = Table(
    "ratelimit",
    MetaData(),
    Column("key", String(32), primary_key=True),
    Column("bucket", Integer, primary_key=True),  # the minute since the epoch
    Column("hits", Integer, nullable=False),
)


def add_hits(
    engine: Engine, wanted: Mapping[tuple[str, int], int], *, sweep_before: int | None
) -> dict[tuple[str, int], int]:
    """Add ``n`` to each (key, window) counter in one transaction; the new totals.

    One atomic upsert per counter (``hits = hits + n ... RETURNING hits``), in one order
    everywhere so that concurrent transactions cannot deadlock. Counters need no durability: on
    PostgreSQL the transaction commits with ``synchronous_commit`` off. ``sweep_before``: delete
    the windows before this one too.
    """
    postgresql = engine.dialect.name == "postgresql"
    upsert = pg_insert if postgresql else sqlite_insert
    table = RATELIMIT
    totals: dict[tuple[str, int], int] = {}
    with engine.begin() as connection:
        if postgresql:
            connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
        for (key, bucket), n in sorted(wanted.items()):
            statement = upsert(table).values(key=key, bucket=bucket, hits=n)
            statement = statement.on_conflict_do_update(
                index_elements=["key", "bucket"], set_={"hits": table.c.hits + n}
            ).returning(table.c.hits)
            totals[(key, bucket)] = int(connection.execute(statement).scalar_one())
        if sweep_before is not None:
            connection.execute(delete(table).where(table.c.bucket < sweep_before))
    return totals
