"""PostgreSQL connections on which every wait has an end.

A database that stops answering must cost a request seconds, not minutes. The outage report
(hardening item 10): behind a proxy stopped with ``kill -STOP``, requests hung past 40 s, and
comments whose requests had given up were committed once the partition healed. TCP keepalives
and ``tcp_user_timeout`` end a wait on a dead network path, but not on a peer whose kernel
still acknowledges every byte while nothing answers, so the client bounds its own waits:

| wait | bound |
|---|---|
| connecting (TCP, TLS, start-up) | ``connect_timeout`` 5 s |
| a free connection from the pool | ``pool_timeout`` 5 s (``db.py``) |
| the check of a pooled connection before it is reused | ``PING_WAIT`` 2 s |
| one statement, on the server | ``statement_timeout`` 5 s |
| any answer, on the client | the statement timeout + 1 s (``BoundedConnection``) |
| a network that went silent | keepalives (~9 s idle), ``tcp_user_timeout`` 10 s |

Values written in the database URL win over these defaults. A connection that waited past its
bound is closed and never reused: where it was in the protocol is unknown.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.errors import _WaitTimeout  # "wait timeout expired" of Connection.wait (3.3)
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import InvalidatePoolError

CONNECT_TIMEOUT = 5  # seconds
STATEMENT_TIMEOUT_MS = 5_000
PING_WAIT = 2.0  # seconds for ``;`` on a connection that sat in the pool
MIGRATION_WAIT = 600.0  # seconds a migration statement may take (an index on a big table)

SOCKET_DEFAULTS: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
    "tcp_user_timeout": 10_000,
}

_STATEMENT_TIMEOUT = re.compile(r"statement_timeout\s*=\s*(\d+)\s*(ms|s|min)?\b")
_UNITS = {"ms": 1, "s": 1000, "min": 60_000}


def statement_timeout_ms(options: str) -> int | None:
    """The ``statement_timeout`` that libpq ``options`` set, in milliseconds (None: not set).

    >>> statement_timeout_ms("-c statement_timeout=10000")
    10000
    >>> statement_timeout_ms("-csearch_path=x -c statement_timeout=3s")
    3000
    """
    found = _STATEMENT_TIMEOUT.search(options)
    if found is None:
        return None
    return int(found.group(1)) * _UNITS[found.group(2) or "ms"]


class BoundedConnection(psycopg.Connection[Any]):
    """A psycopg connection that waits at most ``answer_wait`` seconds for any answer.

    Every round trip of psycopg (a statement, a commit, a ping) goes through ``wait``. When the
    time is up the connection is closed — SQLAlchemy then sees a disconnect and never reuses it —
    and ``OperationalError`` is raised. What the server already received it may still carry out:
    whoever waited on a ``COMMIT`` cannot know whether it happened.
    """

    answer_wait: float | None = None
    fresh = True  # not yet handed out by the pool: no need to check it

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        limit = self.answer_wait
        if timeout is not None or limit is None:
            return super().wait(gen, interval=interval, timeout=timeout)
        try:
            return super().wait(gen, interval=interval, timeout=limit)
        except _WaitTimeout:
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"PostgreSQL did not answer within {limit:g} s; the connection was closed"
            ) from None


def connect_args(url: str) -> tuple[dict[str, Any], float]:
    """The bounded defaults for ``url`` (those the URL does not set), and the answer wait."""
    parsed = make_url(url)
    args = {k: v for k, v in SOCKET_DEFAULTS.items() if k not in parsed.query}
    options = parsed.query.get("options", "")
    options = " ".join(options) if isinstance(options, tuple) else options
    statement_ms = statement_timeout_ms(options)
    if statement_ms is None:
        statement_ms = STATEMENT_TIMEOUT_MS
        args["options"] = f"{options} -c statement_timeout={statement_ms}".strip()
    # statement_timeout=0 switches the server's bound off; the client keeps the default one.
    answer_wait = (statement_ms or STATEMENT_TIMEOUT_MS) / 1000 + 1.0
    return args, answer_wait


def bound_waits(engine: Engine, answer_wait: float) -> None:
    """Make ``engine`` (``postgresql+psycopg``) open ``BoundedConnection``s and check pooled
    ones within ``PING_WAIT`` (instead of SQLAlchemy's unbounded ``pool_pre_ping``)."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> BoundedConnection:
        connection = BoundedConnection.connect(*cargs, **cparams)
        connection.answer_wait = answer_wait
        return connection

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if not isinstance(dbapi_connection, BoundedConnection):
            return
        if dbapi_connection.fresh:
            dbapi_connection.fresh = False
            return
        dbapi_connection.answer_wait = PING_WAIT
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except psycopg.Error:
            alive = False
        finally:
            dbapi_connection.answer_wait = answer_wait
        if not alive:
            # Like pool_pre_ping: the other pooled connections are probably dead too.
            raise InvalidatePoolError()


@contextlib.contextmanager
def long_statements(connection: Connection) -> Iterator[None]:
    """Within a transaction on ``connection``: statements may take ``MIGRATION_WAIT``."""
    raw = connection.connection.dbapi_connection
    if not isinstance(raw, BoundedConnection):
        yield
        return
    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(MIGRATION_WAIT * 1000)}")
    before, raw.answer_wait = raw.answer_wait, MIGRATION_WAIT + 1.0
    try:
        yield
    finally:
        raw.answer_wait = before
