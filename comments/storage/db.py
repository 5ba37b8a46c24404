"""Engine, SQLite pragmas, migrations (Alembic) and the installation's secret key."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, create_engine

from comments.storage.models import Meta

MIGRATIONS = Path(__file__).with_name("migrations")
# A statement binds at most 65,535 parameters on PostgreSQL and 32,766 on SQLite (999 on builds
# before 3.32): ids bound in bulk (``IN (...)``) go in chunks of this many, one statement each.
IN_CHUNK = 900

T = TypeVar("T")


def in_chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``values`` in lists of at most ``size``, for one ``IN (...)`` statement each.

    >>> [len(c) for c in in_chunks(range(2000))]
    [900, 900, 200]
    """
    chunk: list[T] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or written to right now; nothing was stored."""


class CommitUncertain(RuntimeError):
    """The commit was sent but its answer never came: the rows may or may not be stored."""


def server_refused(exc: BaseException) -> bool:
    """True when PostgreSQL itself answered with an error (so it carried nothing out), as
    opposed to a connection that broke or went silent (after which it may have)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return bool(getattr(orig, "sqlstate", None))


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine for ``url``: SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 5},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    pool_size = max(1, pool_size)
    pool: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": pool_size,
        "pool_timeout": 5,  # seconds to wait for a free connection before answering 503
    }
    if parsed.get_backend_name() != "postgresql":
        return create_engine(url, pool_pre_ping=True, **pool)
    # Every wait is bounded, so that a database that went away answers 503 in seconds instead
    # of hanging requests: storage/postgres.py has the figures.
    from comments.storage import postgres

    connect_args, answer_wait = postgres.connect_args(url)
    bounded = parsed.get_driver_name() == "psycopg"
    engine = create_engine(
        url, pool_pre_ping=not bounded, connect_args=connect_args, **pool
    )  # bounded: a ping of its own, within 2 s
    if bounded:
        postgres.bound_waits(engine, answer_wait)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection, _long_statements(connection):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _long_statements(connection: Connection) -> contextlib.AbstractContextManager[None]:
    """A migration may build an index on a big table: longer bounds (PostgreSQL) for it."""
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
        return contextlib.nullcontext()
    from comments.storage import postgres

    return postgres.long_statements(connection)


def secret_key(engine: Engine, configured: str = "") -> str:
    """The configured key, or one generated once and kept in the database for every process."""
    if configured:
        return configured
    with Session(engine) as session:
        row = session.get(Meta, "secret_key")
        if row is not None:
            return row.value
        session.add(Meta(key="secret_key", value=secrets.token_urlsafe(48)))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another process won the race: use its key
    with Session(engine) as session:
        row = session.get(Meta, "secret_key")
        assert row is not None
        return row.value
