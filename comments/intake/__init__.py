"""Taking a comment in: validation, receipts, rate limits and the group-commit writer.

``Intake.take`` is the one path for every comment, whether it comes through the JSON API or the
HTML form: the draft as intake sees it (cached for a few seconds), validation and cleaning,
the rate limits, then the writer, which acknowledges a comment only once it is committed.
Nothing here imports the web layer.

| module | holds |
|---|---|
| ``payload.py`` | the comment payload: its checks and its JSON schema, one definition; ``clean_text`` |
| ``validate.py`` | ``validate_comment`` against a ``DraftSnapshot``; the client pseudonym |
| ``receipts.py`` | making receipts and reading what people type back |
| ``batcher.py`` | the queue + thread + futures that the writer and the limiter share |
| ``writer.py`` | ``CommentWriter``: group commit through ``storage/inserts.py`` |
| ``ratelimit.py`` | per-address and per-contact limits: database, Redis or memory |
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import date
from typing import Any

import anyio.to_thread
from sqlalchemy.engine import Engine
from sqlmodel import Session

from comments import failures, messages, period
from comments.errors import InputError
from comments.intake.batcher import Withdrawn
from comments.intake.payload import clean_text, payload_model, payload_schema
from comments.intake.ratelimit import RateLimiter, make_limiter
from comments.intake.receipts import RECEIPT_RE, new_receipt, new_receipts, normalise_receipt
from comments.intake.validate import DraftSnapshot, client_hash, validate_comment
from comments.intake.writer import CommentWriter, Stored
from comments.settings import Settings
from comments.storage import clause_keys, draft_by_slug
from comments.storage.db import CommitUncertain, DatabaseUnavailable

__all__ = [
    "RECEIPT_RE",
    "CommentWriter",
    "DraftSnapshot",
    "Intake",
    "RateLimiter",
    "Stored",
    "clean_text",
    "client_hash",
    "make_limiter",
    "payload_model",
    "payload_schema",
    "new_receipt",
    "new_receipts",
    "normalise_receipt",
    "validate_comment",
]

SNAPSHOT_TTL = 3.0  # seconds a process trusts its cached view of a draft's period and clauses
LONG_COMMENT_CHARS = 500


def _uncertain() -> InputError:
    return InputError(
        "commit_uncertain",
        "服务器暂时无法确认您的意见是否已经保存。请稍后用同一页面再提交一次："
        "如果已经保存，不会重复保存，您会拿到原来的回执。",
        status=503,
        retry_after=10,
    )


def _retrieved(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


class Intake:
    """What a process needs to take comments in: settings, the writer, the limiter, a cache."""

    COMMIT_WAIT = 8.0  # seconds a request waits for its commit

    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        secret: str,
        writer: CommentWriter,
        limiter: RateLimiter,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.secret = secret
        self.writer = writer
        self.limiter = limiter
        self.snapshots: dict[str, tuple[float, DraftSnapshot | None]] = {}
        self._loading: dict[str, tuple[Any, asyncio.Task[DraftSnapshot | None]]] = {}
        self._generation = 0  # bumped by forget(): a load begun before it is not cached
        self._today: tuple[int, date] = (0, date.min)

    def today(self) -> date:
        """Today in the service's time zone (looked up at most once a second)."""
        second = int(time.time())
        if self._today[0] != second:
            self._today = (second, period.today_in(self.settings.timezone))
        return self._today[1]

    async def snapshot(self, slug: str) -> DraftSnapshot | None:
        """The draft as intake sees it, from a cache refreshed every few seconds.

        One load per draft at a time: when the entry expires under load, the first request
        reloads it and the others keep using the entry they had (a few milliseconds older)
        instead of each opening a connection for the same rows; with no entry yet they wait
        for that one load.
        """
        hit = self.snapshots.get(slug)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        loop = asyncio.get_running_loop()
        loading = self._loading.get(slug)
        if loading is None or loading[0] is not loop:
            # Its own task: a requester that goes away does not cancel the others' load.
            task = loop.create_task(self._refresh(slug, now))
            task.add_done_callback(_retrieved)  # even when every requester went away
            loading = (loop, task)
            self._loading[slug] = loading
        elif hit is not None:
            return hit[1]
        return await asyncio.shield(loading[1])

    async def _refresh(self, slug: str, now: float) -> DraftSnapshot | None:
        generation = self._generation
        try:
            snap = await anyio.to_thread.run_sync(self._load_snapshot, slug)
        finally:
            if self._loading.get(slug, (None, None))[1] is asyncio.current_task():
                del self._loading[slug]
        if generation == self._generation:  # not forgotten while it loaded
            if len(self.snapshots) > 1000:
                self.snapshots.clear()
            self.snapshots[slug] = (now + SNAPSHOT_TTL, snap)
        return snap

    def forget(self, slug: str) -> None:
        """Drop the cached snapshot (a drafter changed the draft's period in this process)."""
        self.snapshots.pop(slug, None)
        self._loading.pop(slug, None)  # a load begun before the change serves only its callers
        self._generation += 1

    def _load_snapshot(self, slug: str) -> DraftSnapshot | None:
        with Session(self.engine) as session:
            draft = draft_by_slug(session, slug)
            if draft is None or draft.id is None:
                return None
            return DraftSnapshot(
                id=draft.id,
                slug=draft.slug,
                status=draft.status,
                opens_on=draft.opens_on,
                deadline=draft.deadline,
                clause_keys=clause_keys(session, draft.id),
            )

    async def admit(
        self,
        snapshot: DraftSnapshot,
        payload: Mapping[str, Any],
        address: str,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Validate a submitted comment and count it against the rate limits: the row to write.

        Raises InputError (429 with Retry-After when the client is over its limit), and
        DatabaseUnavailable when the limits cannot be counted within ``timeout`` seconds.
        """

        def check() -> dict[str, Any]:
            return validate_comment(
                payload,
                snapshot,
                max_chars=self.settings.max_comment_chars,
                today=self.today(),
                client_hash=client_hash(self.secret, address),
            )

        body = payload.get("body")
        # Flagging a long comment takes milliseconds: off the event loop. A short one costs less
        # than the hop to a thread (the usual case, and the one the intake benchmark measures).
        long = isinstance(body, str) and len(body) > LONG_COMMENT_CHARS
        row = await anyio.to_thread.run_sync(check) if long else check()
        wait = await self.limiter.hit(row["client_hash"], row["contact"], timeout=timeout)
        if wait:
            raise InputError(
                "rate_limited", f"提交过于频繁，请 {wait} 秒后再试。", status=429, retry_after=wait
            )
        return row

    async def take(self, slug: str, payload: Mapping[str, Any], address: str) -> Stored:
        """The one way in for a comment: admitted, then committed; its receipt.

        Counting and committing share ``COMMIT_WAIT`` seconds. When they run out (a database
        that stopped answering) the answer is a 503 that says which of two things is true:

        - ``database_unavailable`` — *not stored*: the database refused, the failure came before
          the commit was sent, or the comment was still queued and has been withdrawn;
        - ``commit_uncertain`` — *may have been stored*: the commit was sent (or the writer was
          at work on it) and its answer never came. A retry with the same idempotency key gets
          the first receipt if it was stored, and stores it if it was not.
        """
        snapshot = await self.snapshot(slug)
        if snapshot is None:
            raise messages.draft_not_found()
        deadline = time.monotonic() + self.COMMIT_WAIT
        row = await self.admit(snapshot, payload, address, timeout=self.COMMIT_WAIT)
        try:
            stored = await self.writer.submit(row, timeout=max(0.0, deadline - time.monotonic()))
        except Withdrawn:
            raise DatabaseUnavailable(
                f"the writer did not take the comment within {self.COMMIT_WAIT} s"
            ) from None
        except TimeoutError:
            failures.failure("commit_uncertain", f"no commit within {self.COMMIT_WAIT} s")
            raise _uncertain() from None
        except CommitUncertain as exc:
            failures.failure("commit_uncertain", exc)
            raise _uncertain() from None
        return stored if row["status"] == stored.status else stored._replace(status=row["status"])

    def close(self) -> None:
        """Stop the writer (after it has committed what is queued) and the limiter."""
        self.writer.close()
        self.limiter.close()
