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

from sqlalchemy.engine import Engine

from comments.storage.digest_inputs import Fingerprint, fingerprint, load_inputs
from comments.storage.models import Draft, utcnow

if TYPE_CHECKING:
    from analysis import Digest, DigestCache, Workers

Progress = Callable[[int, int], None]


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


class DigestService:
    """Per-process digests with incremental recomputation and background jobs."""

    def __init__(self, engine: Engine, *, workers: int = 0) -> None:
        """``workers``: processes for a large analysis (``COMMENTS_ANALYSIS_WORKERS``; 0 picks
        one per core, see ``analysis.workers``)."""
        self.engine = engine
        self.workers = workers or None
        self._caches: dict[int, DigestCache] = {}
        self._results: dict[int, Result] = {}
        self._jobs: dict[int, Job] = {}
        self._draft_locks: dict[int, threading.RLock] = {}
        self._threads: list[threading.Thread] = []
        self._processes: set[Workers] = set()  # the worker pools of analyses under way
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
        from analysis import DigestCache, Workers, build_digest

        assert draft.id is not None
        with self._draft_lock(draft.id):
            started = time.perf_counter()
            mark = mark or fingerprint(self.engine, draft.id)
            info, clauses, comments, fixed = load_inputs(self.engine, draft)
            cache = self._caches.setdefault(draft.id, DigestCache())
            processes = Workers(self.workers)
            with self._lock:
                self._processes.add(processes)
            try:
                digest = build_digest(
                    info,
                    clauses,
                    comments,
                    cache=cache,
                    progress=progress,
                    corrections=fixed,
                    workers=processes,
                )
            finally:
                with self._lock:
                    self._processes.discard(processes)
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
            for processes in self._processes:  # give up rather than hold the exit for minutes
                processes.cancel()
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
