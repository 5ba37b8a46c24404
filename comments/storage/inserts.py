"""The comment writer's insert: a batch of validated rows in one transaction, one path per database.

Both paths check the draft's comment period again inside the transaction (a draft closed by
another process never gets a late comment, even while a request's cached snapshot still says
open), then insert every row the period allows:

- SQLite, through the driver: ``BEGIN IMMEDIATE`` takes the write lock first, so the period
  check and the ids (``max(id)`` + 1, ...) are those of this transaction whatever other processes
  do; one multi-row ``INSERT`` instead of SQLAlchemy's statement per row (it needs one per row on
  SQLite to return ids in order): less Python per comment and fewer hand-offs of the GIL, which
  every SQLite call lets go of (docs/performance.md).
- PostgreSQL (and any other database): SQLAlchemy's batched ``INSERT ... RETURNING``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from comments.errors import InputError
from comments.period import refusal
from comments.storage.db import CommitUncertain, server_refused
from comments.storage.models import Comment, Draft
from comments.storage.replays import SUBMITTED, Stored, Submission, plan_replays, submission


class Period(NamedTuple):
    """A draft's comment period as read inside the writer's transaction."""

    status: str
    opens_on: date | None
    deadline: date | None


Outcome = Stored | InputError

_COLUMNS = (
    "id, draft_id, clause_key, receipt, body, submitter_type, name, contact, region, "
    "show_name, status, client_hash, created_at, idempotency_key"
)
_SQLITE_INSERT = f"INSERT INTO comment ({_COLUMNS}) VALUES "
_SQLITE_ROW = "(" + ",".join("?" * len(_COLUMNS.split(","))) + ")"
_SQLITE_ROWS_PER_INSERT = 500  # 14 values a row, well under SQLite's 32,766 parameters
_SQLITE_SUBMITTED = ", ".join(SUBMITTED)


class CommentInserter:
    """Inserts batches of comment rows; owned by the one writer thread that calls it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        # What a failed insert raises: a constraint (a receipt collided), or the database.
        self.integrity_errors: tuple[type[Exception], ...] = (IntegrityError,)
        self.driver_errors: tuple[type[Exception], ...] = ()
        if self.sqlite:
            import sqlite3

            self.integrity_errors = (IntegrityError, sqlite3.IntegrityError)
            self.driver_errors = (sqlite3.Error,)
            column = Comment.__table__.c.created_at  # type: ignore[attr-defined]
            processor = column.type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
            self._created_at: Any = processor or (lambda value: value)
        self._raw: Any = None  # SQLite: the writer thread's own connection, kept between batches
        self._log: tuple[str, str] | None = None  # SQLite in WAL: (the log, the database file)

    def _connect(self) -> Any:
        """The writer thread's own SQLite connection, and the write-ahead log ``settle`` syncs.

        A receipt promises the comment is stored: under WAL with ``synchronous=NORMAL`` a
        committed transaction can roll back after a power loss or an OS crash. Rather than
        ``synchronous=FULL`` (an fsync inside every COMMIT, during which nothing else is
        written), ``settle`` fsyncs the log on a second thread after the commit, while this one
        commits the next batch; nobody hears of a row before the fsync that covers it returned.
        Outside WAL (a file system without shared memory) the connection syncs every commit.
        """
        raw = self.engine.raw_connection()
        cursor = raw.cursor()
        mode = str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        path = next((r[2] for r in cursor.execute("PRAGMA database_list") if r[1] == "main"), "")
        if mode == "wal" and path:
            self._log = (f"{path}-wal", path)
        else:
            self._log = None
            cursor.execute("PRAGMA synchronous=FULL")
        return raw

    def settle(self, outcomes: list[Any]) -> list[Any]:
        """Make what the last batches committed durable before their senders hear of it.

        SQLite in WAL: one fsync of the log covers every commit that returned before it; an
        fsync that fails leaves those commits in doubt (``CommitUncertain``). Other databases
        (and a connection that syncs its own commits) are durable at commit: nothing to do.
        """
        log = self._log
        if log is None or not any(isinstance(o, Stored) for o in outcomes):
            return outcomes
        try:
            sync_file(*log)
        except OSError as exc:
            doubt = CommitUncertain(f"the write-ahead log could not be synced: {exc}")
            return [doubt if isinstance(o, Stored) else o for o in outcomes]
        return outcomes

    def close(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(Exception):
                raw.close()

    def insert(
        self,
        rows: Sequence[dict[str, Any]],
        receipts: Sequence[str],
        *,
        now: datetime,
        today: date,
        claim: Claim | None = None,
    ) -> list[Outcome]:
        """Store the rows the period allows (commits); one outcome per row, in order.

        A refusal (the period ended) is the row's outcome; a database error is raised and
        nothing of the batch is stored. ``claim``, called once the transaction has begun, says
        which rows are still wanted (their requests still wait); the others are left out, with
        ``LEFT_OUT`` as their outcome.
        """
        if self.sqlite:
            return self._insert_sqlite(rows, receipts, now, today, claim)
        return self._insert_sqlalchemy(rows, receipts, now, today, claim)

    def _insert_sqlalchemy(
        self,
        rows: Sequence[dict[str, Any]],
        receipts: Sequence[str],
        now: datetime,
        today: date,
        claim: Claim | None,
    ) -> list[Outcome]:
        table = Comment.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as connection:  # a checkout: the ping, or a new connection
            transaction = connection.begin()  # rolled back on the way out unless committed
            wanted, rows, receipts = _claimed(claim, rows, receipts)
            keys = {row["idempotency_key"] for row in rows if row.get("idempotency_key")}
            found: dict[tuple[int, str], tuple[Stored, Submission]] = {}
            if keys:
                for r in connection.execute(
                    select(table.c.id, table.c.receipt, table.c.created_at)
                    .add_columns(*(table.c[field] for field in SUBMITTED))
                    .add_columns(table.c.draft_id, table.c.idempotency_key)
                    .where(table.c.idempotency_key.in_(keys))
                ):
                    found[(r.draft_id, r.idempotency_key)] = (
                        Stored(r.id, r.receipt, r.created_at),
                        submission(r._mapping),
                    )
            plan, rows = plan_replays(rows, found)
            ids = {row["draft_id"] for row in rows}
            periods = {
                r.id: r
                for r in connection.execute(
                    select(Draft.id, Draft.status, Draft.opens_on, Draft.deadline).where(  # type: ignore[call-overload]
                        Draft.id.in_(ids)  # type: ignore[union-attr]
                    )
                )
            }
            # Refusals fill their slot now; the slots of rows to insert are filled below.
            outcomes: list[Outcome | None] = []
            values: list[dict[str, Any]] = []
            slots: list[int] = []
            for index, (row, receipt) in enumerate(zip(rows, receipts, strict=True)):
                replay = plan[index]
                if isinstance(replay, Stored):  # stored before: its receipt, whatever the period
                    outcomes.append(replay)
                    continue
                refused = refusal(periods.get(row["draft_id"]), today)
                if refused is not None:
                    outcomes.append(refused)
                    continue
                outcomes.append(None)
                if isinstance(replay, int):
                    continue  # filled in from its first occurrence below
                values.append({**row, "receipt": receipt, "created_at": now})
                slots.append(index)
            if values:
                result = connection.execute(
                    insert(table).returning(
                        table.c.id, table.c.receipt, sort_by_parameter_order=True
                    ),
                    values,
                )
                for slot, (comment_id, receipt) in zip(slots, result.all(), strict=True):
                    outcomes[slot] = Stored(comment_id, receipt, now)
            for index, replay in enumerate(plan):
                if isinstance(replay, int) and outcomes[index] is None:
                    outcomes[index] = outcomes[replay]
            commit(transaction.commit)
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(rows), "every row has an outcome"
        return _spread(done, wanted)

    def _stored_keys(
        self, cursor: Any, rows: Sequence[dict[str, Any]]
    ) -> dict[tuple[int, str], tuple[Stored, Submission]]:
        keys = sorted({row["idempotency_key"] for row in rows if row.get("idempotency_key")})
        if not keys:
            return {}
        found = cursor.execute(
            f"SELECT draft_id, idempotency_key, id, receipt, created_at, {_SQLITE_SUBMITTED} "
            f"FROM comment WHERE idempotency_key IN ({','.join('?' * len(keys))})",
            keys,
        ).fetchall()
        return {
            (r[0], r[1]): (
                Stored(r[2], r[3], _moment(r[4])),
                submission(dict(zip(SUBMITTED, r[5:], strict=True))),
            )
            for r in found
        }

    def _insert_sqlite(
        self,
        rows: Sequence[dict[str, Any]],
        receipts: Sequence[str],
        now: datetime,
        today: date,
        claim: Claim | None,
    ) -> list[Outcome]:
        created_at = self._created_at(now)
        if self._raw is None:
            self._raw = self._connect()
        raw = self._raw
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN IMMEDIATE")  # may wait for the write lock (busy_timeout)
            try:
                wanted, rows, receipts = _claimed(claim, rows, receipts)
                ids = sorted({row["draft_id"] for row in rows}) or [0]
                found = cursor.execute(
                    "SELECT id, status, opens_on, deadline, (SELECT max(id) FROM comment) "
                    f"FROM draft WHERE id IN ({','.join('?' * len(ids))})",
                    ids,
                ).fetchall()
                periods = {r[0]: Period(r[1], _day(r[2]), _day(r[3])) for r in found}
                newest = int(found[0][4] or 0) if found else 0
                plan, rows = plan_replays(rows, self._stored_keys(cursor, rows))
                outcomes: list[Outcome] = []
                values: list[tuple[Any, ...]] = []
                for index, (row, receipt) in enumerate(zip(rows, receipts, strict=True)):
                    replay = plan[index]
                    if isinstance(replay, Stored):  # stored before: its receipt
                        outcomes.append(replay)
                        continue
                    refused = refusal(periods.get(row["draft_id"]), today)
                    if refused is not None:
                        outcomes.append(refused)
                        continue
                    if isinstance(replay, int):
                        outcomes.append(outcomes[replay])
                        continue
                    newest += 1
                    values.append(
                        (
                            newest,
                            row["draft_id"],
                            row["clause_key"],
                            receipt,
                            row["body"],
                            row["submitter_type"],
                            row["name"],
                            row["contact"],
                            row["region"],
                            1 if row["show_name"] else 0,
                            row["status"],
                            row["client_hash"],
                            created_at,
                            row.get("idempotency_key"),
                        )
                    )
                    outcomes.append(Stored(newest, receipt, now))
                for start in range(0, len(values), _SQLITE_ROWS_PER_INSERT):
                    chunk = values[start : start + _SQLITE_ROWS_PER_INSERT]
                    cursor.execute(
                        _SQLITE_INSERT + ",".join([_SQLITE_ROW] * len(chunk)),
                        [value for row_values in chunk for value in row_values],
                    )
                commit(raw.commit)
            except BaseException:
                raw.rollback()
                raise
        except BaseException:
            # A connection that failed (file locked, read-only, gone) is not reused.
            self.close()
            raise
        return _spread(outcomes, wanted)


def sync_file(path: str, fallback: str) -> None:
    """fsync ``path`` (any descriptor of a file flushes the file), or ``fallback`` when it is gone.

    The log is gone only when every connection closed after a full checkpoint, which synced the
    database file; syncing that file again costs little and keeps the rule simple.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        fd = os.open(fallback, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


Claim = Callable[[], Sequence[bool]]
LEFT_OUT = InputError("left_out", "已撤回。", status=503)  # the outcome nobody waits for


def _claimed(
    claim: Claim | None, rows: Sequence[dict[str, Any]], receipts: Sequence[str]
) -> tuple[list[bool] | None, Sequence[dict[str, Any]], Sequence[str]]:
    """Which rows are still wanted (None: all of them), and those rows and receipts."""
    if claim is None:
        return None, rows, receipts
    wanted = list(claim())
    assert len(wanted) == len(rows), "one answer per row"
    chosen = [i for i, keep in enumerate(wanted) if keep]
    return wanted, [rows[i] for i in chosen], [receipts[i] for i in chosen]


def _spread(outcomes: list[Outcome], wanted: list[bool] | None) -> list[Outcome]:
    """The outcomes of the wanted rows back in their places in the whole batch."""
    if wanted is None:
        return outcomes
    given = iter(outcomes)
    return [next(given) if keep else LEFT_OUT for keep in wanted]


def commit(send: Callable[[], None]) -> None:
    """Commit. Once the COMMIT has left, only the database's own refusal says for sure that
    nothing was stored; a connection that broke or went silent before the answer came back
    leaves the outcome unknown: ``CommitUncertain``."""
    try:
        send()
    except Exception as exc:
        if server_refused(exc):
            raise
        raise CommitUncertain(str(exc).splitlines()[0][:200] if str(exc) else repr(exc)) from exc


def _moment(value: Any) -> datetime:
    """A stored ``created_at`` as an aware UTC datetime (SQLite keeps it as text)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
