"""The service side of analysis: load a draft's clauses and comments, build the digest, keep it.

``analysis`` is pure; this module feeds it from the database and keeps, per process, the last
digest of each draft together with the ``DigestCache`` that lets a new comment recompute only the
clause it touches. A digest is *fresh* while the draft's comment fingerprint (count, newest id,
moderation state) is unchanged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from comments.models import Clause, Comment, Draft, utcnow

if TYPE_CHECKING:
    from analysis import ClauseInput, CommentInput, Digest, DigestCache, DraftInfo

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Fingerprint:
    comments: int
    newest: int
    hidden: int
    pending: int


@dataclass
class Result:
    digest: Digest
    fingerprint: Fingerprint
    computed_at: datetime
    seconds: float


@dataclass
class Job:
    """A digest being computed in the background; pages poll it for progress."""

    draft_id: int
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)
    error: str | None = None
    finished: bool = False

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def fingerprint(engine: Engine, draft_id: int) -> Fingerprint:
    table = Comment.__table__  # type: ignore[attr-defined]
    query = select(
        func.count(),
        func.coalesce(func.max(table.c.id), 0),
        func.coalesce(func.sum(case((table.c.status == "hidden", 1), else_=0)), 0),
        func.coalesce(func.sum(case((table.c.status == "pending", 1), else_=0)), 0),
    ).where(table.c.draft_id == draft_id)
    with engine.connect() as connection:
        count, newest, hidden, pending = connection.execute(query).one()
    return Fingerprint(int(count), int(newest), int(hidden), int(pending))


def load_inputs(
    engine: Engine, draft: Draft
) -> tuple[DraftInfo, list[ClauseInput], list[CommentInput]]:
    from analysis import ClauseInput, CommentInput, DraftInfo  # jieba/snownlp load lazily too

    assert draft.id is not None
    clauses_t = Clause.__table__  # type: ignore[attr-defined]
    comments_t = Comment.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        clauses = [
            ClauseInput(
                key=r.key,
                kind=r.kind,
                label=r.label,
                heading=r.heading,
                text=r.text,
                parent=r.parent_key,
                order=r.position,
            )
            for r in connection.execute(
                select(
                    clauses_t.c.key,
                    clauses_t.c.kind,
                    clauses_t.c.label,
                    clauses_t.c.heading,
                    clauses_t.c.text,
                    clauses_t.c.parent_key,
                    clauses_t.c.position,
                )
                .where(clauses_t.c.draft_id == draft.id)
                .order_by(clauses_t.c.position)
            )
        ]
        comments = [
            CommentInput(
                id=r.id,
                clause=r.clause_key,
                body=r.body,
                submitter_type=r.submitter_type,
                region=r.region,
                created_at=r.created_at,
                client=r.client_hash,
                hidden=r.status == "hidden",
            )
            for r in connection.execute(
                select(
                    comments_t.c.id,
                    comments_t.c.clause_key,
                    comments_t.c.body,
                    comments_t.c.submitter_type,
                    comments_t.c.region,
                    comments_t.c.created_at,
                    comments_t.c.client_hash,
                    comments_t.c.status,
                )
                .where(comments_t.c.draft_id == draft.id)
                .order_by(comments_t.c.id)
            )
        ]
    info = DraftInfo(
        slug=draft.slug,
        title=draft.title,
        issuer=draft.issuer,
        opens=draft.opens_on,
        deadline=draft.deadline,
        total_clauses=len(clauses),
    )
    return info, clauses, comments


class DigestService:
    """Per-process digests with incremental recomputation and background jobs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._caches: dict[int, DigestCache] = {}
        self._results: dict[int, Result] = {}
        self._jobs: dict[int, Job] = {}
        self._draft_locks: dict[int, threading.RLock] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def latest(self, draft_id: int) -> Result | None:
        """The last digest computed for the draft, fresh or not."""
        return self._results.get(draft_id)

    def state(self, draft_id: int) -> tuple[Result | None, Fingerprint]:
        """(the kept digest if it is still fresh, else None; the draft's current fingerprint)."""
        mark = fingerprint(self.engine, draft_id)
        result = self._results.get(draft_id)
        return (result if result is not None and result.fingerprint == mark else None), mark

    def is_fresh(self, draft_id: int) -> bool:
        return self.state(draft_id)[0] is not None

    def _draft_lock(self, draft_id: int) -> threading.RLock:
        with self._lock:
            return self._draft_locks.setdefault(draft_id, threading.RLock())

    def compute(
        self, draft: Draft, progress: Progress | None = None, *, mark: Fingerprint | None = None
    ) -> Result:
        """Build the digest now (blocking; call from a thread or the CLI).

        One computation per draft at a time: they share the draft's ``DigestCache``.
        """
        from analysis import DigestCache, build_digest

        assert draft.id is not None
        with self._draft_lock(draft.id):
            started = time.perf_counter()
            mark = mark or fingerprint(self.engine, draft.id)
            info, clauses, comments = load_inputs(self.engine, draft)
            cache = self._caches.setdefault(draft.id, DigestCache())
            digest = build_digest(info, clauses, comments, cache=cache, progress=progress)
            result = Result(digest, mark, utcnow(), time.perf_counter() - started)
            self._results[draft.id] = result
            return result

    def get(self, draft: Draft, progress: Progress | None = None) -> Result:
        """A fresh digest: the kept one when nothing changed, else recomputed.

        Requests that find the digest stale at the same time wait for one computation and
        share its result instead of each computing their own.
        """
        assert draft.id is not None
        with self._draft_lock(draft.id):
            fresh, mark = self.state(draft.id)
            return fresh if fresh is not None else self.compute(draft, progress, mark=mark)

    def job(self, draft_id: int) -> Job | None:
        return self._jobs.get(draft_id)

    def take_failed_job(self, draft_id: int) -> Job | None:
        """A finished job that failed, removed so that the next request tries again."""
        with self._lock:
            job = self._jobs.get(draft_id)
            if job is not None and job.finished and job.error:
                del self._jobs[draft_id]
                return job
            return None

    def start(self, draft: Draft) -> Job:
        """Compute in a background thread (one per draft at a time); returns the job to poll."""
        assert draft.id is not None
        with self._lock:
            running = self._jobs.get(draft.id)
            if running is not None and not running.finished:
                return running
            job = Job(draft.id)
            self._jobs[draft.id] = job

        def run() -> None:
            try:
                self.get(draft, job.progress)
            except Exception as exc:
                job.error = f"{type(exc).__name__}: {exc}"
            finally:
                job.finished = True

        thread = threading.Thread(target=run, name=f"digest-{draft.id}", daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()
        return job

    def close(self, timeout: float = 5.0) -> None:
        """Wait (up to ``timeout`` seconds in all) for background analyses to finish, so that
        none still holds a database connection when the engine is disposed at shutdown."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
