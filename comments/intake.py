"""Taking a comment in: validation, receipts and the group-commit writer (limits: ratelimit.py).

Every comment is acknowledged only after the transaction that holds it has committed. To reach
thousands of comments a second on SQLite without putting SQLite calls on the event loop, requests
hand their row to one writer thread that commits whatever has queued up in one transaction
(group commit) and then wakes every waiting request with its receipt.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import queue
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from analysis.flags import flags as text_flags
from comments.db import DatabaseUnavailable
from comments.errors import InputError
from comments.models import SUBMITTER_TYPES, Comment, Draft, utcnow

# Crockford's base32 without I, L, O, U: nothing to misread when written down or read aloud.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# ``XXXXXX-XXXXXX``; receipts issued before time prefixes were added have ``XXXXX-XXXXX``.
RECEIPT_RE = re.compile(
    r"^(?:[0-9A-HJKMNP-TV-Z]{6}-[0-9A-HJKMNP-TV-Z]{6}|[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})$"
)
RECEIPT_TICK = 0.01  # seconds: comments committed within one tick share a receipt prefix

# Characters never stored: C0/C1 controls (newline and tab are handled apart), zero-width and
# bidirectional controls that hide or reorder text, the soft hyphen, lone surrogates and private use.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]"
)


def new_receipt() -> str:
    """Twelve symbols from an unambiguous alphabet, as ``XXXXXX-XXXXXX``: see ``new_receipts``."""
    return new_receipts(1)[0]


def new_receipts(n: int, now: float | None = None) -> list[str]:
    """``n`` receipts: two symbols of clock, then ten symbols (50 bits) from the system's
    random source, drawn once for them all.

    The clock symbols (10 ms ticks, cycling every 10.24 s) are there for the database, not for
    people: receipts committed together share a prefix, so their entries in the unique index
    land on a few neighbouring pages instead of one random page each. With fully random keys
    that index cost several times more per comment (benchmarks/intake_cpu.py). The 50 random bits,
    what makes a receipt unguessable, are the same as before.
    """
    tick = int((time.time() if now is None else now) / RECEIPT_TICK) & 1023
    prefix = _PAIRS[tick]
    pool = secrets.token_bytes(8 * n)
    out = []
    for i in range(n):
        value = int.from_bytes(pool[8 * i : 8 * i + 8], "big") >> 14  # 50 bits
        a, b, c, d, e = (value >> 40, (value >> 30) & 1023, (value >> 20) & 1023,
                         (value >> 10) & 1023, value & 1023)  # fmt: skip
        out.append(f"{prefix}{_PAIRS[a]}{_PAIRS[b]}-{_PAIRS[c]}{_PAIRS[d]}{_PAIRS[e]}")
    return out


# Two symbols for every 10-bit value: a receipt is built from five look-ups, not ten.
_PAIRS = [RECEIPT_ALPHABET[v >> 5] + RECEIPT_ALPHABET[v & 31] for v in range(1024)]


def normalise_receipt(raw: str) -> str | None:
    """Accept what people type: lower case, no dash, O for 0, I/L for 1. None if malformed."""
    cleaned = raw.strip().upper().replace(" ", "").replace("-", "")
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) not in (10, 12):
        return None
    half = len(cleaned) // 2
    receipt = f"{cleaned[:half]}-{cleaned[half:]}"
    return receipt if RECEIPT_RE.match(receipt) else None


def clean_text(value: str, *, multiline: bool) -> str:
    """Drop invisible and control characters; keep newlines only when multiline."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    value = _UNWANTED.sub("", value)
    if multiline:
        value = value.replace("\t", " ")
        if "\n\n\n" in value or " \n" in value:
            value = re.sub(r"[ ]+\n", "\n", value)
            value = re.sub(r"\n{3,}", "\n\n", value)
    else:
        value = re.sub(r"[\t\n ]+", " ", value)
    return value.strip()


class Period(NamedTuple):
    """A draft's comment period as read inside the writer's transaction."""

    status: str
    opens_on: date | None
    deadline: date | None


@dataclass(frozen=True)
class DraftSnapshot:
    """What intake needs to know about a draft, cached for a few seconds."""

    id: int
    slug: str
    status: str
    opens_on: date | None
    deadline: date | None
    clause_keys: frozenset[str]


def check_open(snapshot: DraftSnapshot | Draft | Period, today: date) -> None:
    """Raise the right InputError when the draft does not take comments today."""
    if snapshot.status == "closed":
        raise InputError("closed", "本草案的征求意见已经结束，不再接收意见。", status=403)
    if snapshot.status == "unpublished":
        raise InputError("not_found", "没有找到这份草案。", status=404)
    if snapshot.opens_on is not None and today < snapshot.opens_on:
        raise InputError(
            "not_open_yet",
            f"本草案将于 {snapshot.opens_on.isoformat()} 开始征求意见。",
            status=403,
        )
    if snapshot.deadline is not None and today > snapshot.deadline:
        raise InputError(
            "closed",
            f"征求意见已于 {snapshot.deadline.isoformat()} 截止，不再接收意见。",
            status=403,
        )


def refused(period: DraftSnapshot | Draft | Period | None, today: date) -> InputError | None:
    """Why the writer must refuse a comment on this draft today (None: it may be stored)."""
    if period is None:
        return InputError("not_found", "没有找到这份草案。", status=404)
    try:
        check_open(period, today)
    except InputError as exc:
        return exc
    return None


def _field(payload: Mapping[str, Any], name: str, limit: int, label: str) -> str:
    raw = payload.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InputError("bad_field", f"{label}应为文本。")
    value = clean_text(raw, multiline=False)
    if len(value) > limit:
        raise InputError("field_too_long", f"{label}不能超过 {limit} 个字符。")
    return value


def validate_comment(
    payload: Mapping[str, Any],
    snapshot: DraftSnapshot,
    *,
    max_chars: int,
    today: date,
    client_hash: str = "",
) -> dict[str, Any]:
    """Check a submitted comment and return the row to insert, or raise InputError."""
    check_open(snapshot, today)
    clause = payload.get("clause")
    if clause in ("", None):
        clause = None
    elif not isinstance(clause, str):
        raise InputError("bad_clause", "clause 应为条款编号文本，或为 null 表示对全文提意见。")
    elif clause not in snapshot.clause_keys:
        raise InputError("unknown_clause", f"草案中没有条款 {clause[:80]!r}。", status=404)
    body_raw = payload.get("body")
    if body_raw is None or not isinstance(body_raw, str):
        raise InputError("empty_comment", "请填写意见内容。")
    body = clean_text(body_raw, multiline=True)
    if not body:
        raise InputError("empty_comment", "意见内容不能为空。")
    if len(body) > max_chars:
        raise InputError(
            "comment_too_long", f"意见不能超过 {max_chars} 字（现为 {len(body)} 字）。"
        )
    submitter_type = payload.get("submitter_type") or "个人"
    if submitter_type not in SUBMITTER_TYPES:
        raise InputError(
            "bad_submitter_type", f"提交者类型应为：{'、'.join(SUBMITTER_TYPES)} 之一。"
        )
    # Spam, abuse and personal data wait for a drafter in the moderation queue; they are stored
    # and acknowledged all the same (a receipt is a record, whatever the comment says).
    held = bool(text_flags(body, HELD_FLAGS))
    show_name = payload.get("show_name", False)
    if isinstance(show_name, str):
        show_name = show_name in {"1", "on", "true", "yes"}
    return {
        "draft_id": snapshot.id,
        "clause_key": clause,
        "body": body,
        "submitter_type": submitter_type,
        "name": _field(payload, "name", 100, "姓名"),
        "contact": _field(payload, "contact", 200, "联系方式"),
        "region": _field(payload, "region", 100, "地区"),
        "show_name": bool(show_name),
        "status": "pending" if held else "published",
        "client_hash": client_hash,
    }


HELD_FLAGS = frozenset({"spam", "abuse", "pii"})


def client_hash(secret: str, client: str) -> str:
    """A stable pseudonym for a client address: lets floods be seen without storing IPs."""
    return hashlib.sha256(f"{secret}:{client}".encode()).hexdigest()[:16]


class Stored(NamedTuple):
    id: int
    receipt: str
    created_at: datetime


_STOP = object()


class CommentWriter:
    """One thread that inserts queued comments in batches, one transaction per batch."""

    def __init__(self, engine: Engine, *, batch_size: int = 256, timezone: str) -> None:
        self.engine = engine
        self.batch_size = max(1, batch_size)
        self.tz = ZoneInfo(timezone)
        self._sqlite = engine.dialect.name == "sqlite"
        # What the driver raises on the SQLite path, which does not go through SQLAlchemy.
        self._integrity: tuple[type[Exception], ...] = (IntegrityError,)
        self._driver_errors: tuple[type[Exception], ...] = ()
        if self._sqlite:
            import sqlite3

            self._integrity = (IntegrityError, sqlite3.IntegrityError)
            self._driver_errors = (sqlite3.Error,)
            column = Comment.__table__.c.created_at  # type: ignore[attr-defined]
            processor = column.type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
            self._created_at: Any = processor or (lambda value: value)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._raw: Any = None  # SQLite: the writer thread's own connection, kept between batches

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    thread = threading.Thread(target=self._run, name="comment-writer", daemon=True)
                    thread.start()
                    self._thread = thread

    async def submit(self, row: dict[str, Any]) -> Stored:
        """Queue a validated row; return once it is committed (or raise)."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Stored] = loop.create_future()
        self._queue.put((row, loop, future))
        return await future

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=10)
            self._thread = None
        self._drop_connection()

    def _drop_connection(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(Exception):
                raw.close()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            stop = False
            while len(batch) < self.batch_size:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                batch.append(more)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[tuple[dict[str, Any], asyncio.AbstractEventLoop, Any]]) -> None:
        integrity = self._integrity
        try:
            outcomes = self._insert(batch)
        except integrity:
            # A receipt collided (or another constraint): insert one by one so that one bad row
            # cannot fail the others; a colliding receipt is simply drawn again.
            outcomes = []
            for item in batch:
                try:
                    outcomes.extend(self._insert([item]))
                except integrity:
                    try:
                        outcomes.extend(self._insert([item]))
                    except Exception as exc:
                        outcomes.append(self._unavailable(exc))
                except Exception as exc:
                    outcomes.append(self._unavailable(exc))
        except Exception as exc:
            outcomes = [self._unavailable(exc)] * len(batch)
        # One wake-up per event loop for the whole batch, not one per comment.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Any, Any]]] = {}
        for (_row, loop, future), outcome in zip(batch, outcomes, strict=True):
            by_loop.setdefault(loop, []).append((future, outcome))
        for loop, pairs in by_loop.items():
            loop.call_soon_threadsafe(resolve_all, pairs)

    def _unavailable(self, exc: Exception) -> Exception:
        if isinstance(exc, self._driver_errors):
            return DatabaseUnavailable(str(exc).splitlines()[0][:200])
        return _unavailable(exc)

    def _insert(self, batch: list[tuple[dict[str, Any], Any, Any]]) -> list[Stored | Exception]:
        now = utcnow()
        today = datetime.now(self.tz).date()
        if self._sqlite:
            return self._insert_sqlite(batch, now, today)
        table = Comment.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as connection:
            # The authoritative check, inside the transaction: the draft may have been closed by
            # another process since the request validated against its cached snapshot.
            ids = {row["draft_id"] for row, _, _ in batch}
            drafts = {
                r.id: r
                for r in connection.execute(
                    select(Draft.id, Draft.status, Draft.opens_on, Draft.deadline).where(  # type: ignore[call-overload]
                        Draft.id.in_(ids)  # type: ignore[union-attr]
                    )
                )
            }
            # Refusals fill their slot now; the slots of rows to insert are filled below.
            outcomes: list[Stored | Exception | None] = []
            rows: list[dict[str, Any]] = []
            slots: list[int] = []
            for index, (row, _, _) in enumerate(batch):
                refusal = refused(drafts.get(row["draft_id"]), today)
                if refusal is not None:
                    outcomes.append(refusal)
                    continue
                outcomes.append(None)
                rows.append({**row, "receipt": new_receipt(), "created_at": now})
                slots.append(index)
            if rows:
                result = connection.execute(
                    insert(table).returning(
                        table.c.id, table.c.receipt, sort_by_parameter_order=True
                    ),
                    rows,
                )
                for slot, (comment_id, receipt) in zip(slots, result.all(), strict=True):
                    outcomes[slot] = Stored(comment_id, receipt, now)
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(batch), "every queued comment has an outcome"
        return done

    def _insert_sqlite(
        self, batch: list[tuple[dict[str, Any], Any, Any]], now: datetime, today: date
    ) -> list[Stored | Exception]:
        """The same transaction through the driver, in a handful of statements per batch.

        One multi-row INSERT instead of SQLAlchemy's statement per row (it needs one per row on
        SQLite to return ids in order): less Python per comment and fewer hand-offs of the GIL,
        which every SQLite call lets go of (docs/performance.md). ``BEGIN IMMEDIATE`` takes the
        write lock first, so the period check and the ids (``max(id)`` + 1, ...) are those of
        this transaction, whatever other processes do.
        """
        ids = sorted({row["draft_id"] for row, _, _ in batch})
        created_at = self._created_at(now)
        receipts = new_receipts(len(batch))
        if self._raw is None:
            self._raw = self.engine.raw_connection()
        raw = self._raw
        try:
            cursor = raw.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                found = cursor.execute(
                    "SELECT id, status, opens_on, deadline, (SELECT max(id) FROM comment) "
                    f"FROM draft WHERE id IN ({','.join('?' * len(ids))})",
                    ids,
                ).fetchall()
                periods = {r[0]: Period(r[1], _day(r[2]), _day(r[3])) for r in found}
                newest = int(found[0][4] or 0) if found else 0
                outcomes: list[Stored | Exception] = []
                values: list[tuple[Any, ...]] = []
                for (row, _, _), receipt in zip(batch, receipts, strict=True):
                    refusal = refused(periods.get(row["draft_id"]), today)
                    if refusal is not None:
                        outcomes.append(refusal)
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
                        )
                    )
                    outcomes.append(Stored(newest, receipt, now))
                for start in range(0, len(values), _SQLITE_ROWS_PER_INSERT):
                    chunk = values[start : start + _SQLITE_ROWS_PER_INSERT]
                    cursor.execute(
                        _SQLITE_INSERT + ",".join([_SQLITE_ROW] * len(chunk)),
                        [value for row_values in chunk for value in row_values],
                    )
                raw.commit()
            except BaseException:
                raw.rollback()
                raise
        except BaseException:
            # A connection that failed (file locked, read-only, gone) is not reused.
            self._drop_connection()
            raise
        return outcomes


_COLUMNS = (
    "id, draft_id, clause_key, receipt, body, submitter_type, name, contact, region, "
    "show_name, status, client_hash, created_at"
)
_SQLITE_INSERT = f"INSERT INTO comment ({_COLUMNS}) VALUES "
_SQLITE_ROW = "(" + ",".join("?" * len(_COLUMNS.split(","))) + ")"
_SQLITE_ROWS_PER_INSERT = 500  # 13 values a row, well under SQLite's 32,766 parameters


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _unavailable(exc: Exception) -> Exception:
    if isinstance(exc, OperationalError | DBAPIError | DatabaseUnavailable):
        return DatabaseUnavailable(str(exc).splitlines()[0][:200])
    return exc


def resolve_all(pairs: list[tuple[asyncio.Future[Any], Any]]) -> None:
    for future, outcome in pairs:
        resolve(future, outcome)


def resolve(future: asyncio.Future[Any], outcome: Any) -> None:
    """Hand a worker thread's outcome to a waiting request (call with call_soon_threadsafe)."""
    if future.done():  # the client went away; what was written stays written
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
