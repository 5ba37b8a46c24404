"""Engine, SQLite pragmas, migrations (Alembic) and the installation's secret key."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine

from comments.storage.models import Meta

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or written to right now."""


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
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # Every wait is bounded, so that a database that went away answers 503 in seconds
        # instead of hanging requests: connecting, a silent peer (TCP keepalives), unacknowledged
        # writes (tcp_user_timeout). Values in the URL's query win over these defaults.
        defaults = {
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": 10_000,
        }
        connect_args = {k: v for k, v in defaults.items() if k not in parsed.query}
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=5,  # seconds to wait for a free connection before answering 503
        connect_args=connect_args,
    )


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


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
