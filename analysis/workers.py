"""Worker processes for large digests: the per-comment analysis and the sections run side by side.

Threads could not do it: tokenising, labelling and the rule cues hold the GIL, so two threads
gave about 1.1 cores. A pool of processes starts only when a digest has at least ``MIN_WORK``
comments to analyse (starting one costs about a second: each worker imports the models), and
at most one process per usable core, up to ``MAX_WORKERS`` (each holds its own copy of the
models, about 150 MB). Workers run at a lower scheduling priority, so that a service taking
comments while a large draft is analysed keeps answering first. Processes come from a fork
server (``forkserver``): forking the service itself, which runs threads, is not safe.

The work given to a worker is a pure function of plain data, so the digest is the same with or
without workers (a test compares them).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import types
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from types import TracebackType
from typing import Any

MIN_WORK = 20_000  # comments to analyse before a pool is worth starting
MAX_WORKERS = 4
NICE = 5

_limits: Any = None  # the worker's BLAS/OpenMP limit, kept alive for the worker's life


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def _no_main_module() -> Iterator[None]:
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _start_worker() -> None:
    """In each worker: lower priority, one BLAS/OpenMP thread (a worker is one core), the
    models loaded."""
    global _limits
    from threadpoolctl import threadpool_limits

    from analysis import vectors
    from analysis.stance import load_models

    with contextlib.suppress(OSError):
        os.nice(NICE)
    _limits = threadpool_limits(limits=1)
    load_models()
    vectors.shipped()


class Workers:
    """A process pool started on first need, for the life of one ``build_digest`` call.

    ``count``: processes to use; ``None`` picks one per usable core (at most ``MAX_WORKERS``);
    1 keeps all work in the calling process. ``pool(work)`` is the pool when ``work`` (comments
    to analyse) is at least ``min_work``, else ``None`` (or the pool if one is already running).
    """

    def __init__(self, count: int | None = None, *, min_work: int = MIN_WORK) -> None:
        if count is not None and count < 1:
            raise ValueError("workers must be at least 1")
        self.count = min(usable_cores(), MAX_WORKERS) if count is None else count
        self.min_work = min_work
        self._pool: ProcessPoolExecutor | None = None

    def pool(self, work: int) -> Executor | None:
        if self.count < 2 or work < self.min_work:
            return self._pool
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["analysis.sections"])
            pool = ProcessPoolExecutor(self.count, mp_context=context, initializer=_start_worker)
            # Start every worker now, each told of no main module: a worker has nothing to do
            # with the caller's script, and running it again there (what multiprocessing does
            # by default) breaks a script without an ``if __name__ == "__main__"`` guard.
            with _no_main_module():
                started = [pool.submit(os.getpid) for _ in range(self.count)]
            for future in started:
                future.result()
            self._pool = pool
        return self._pool

    def cancel(self) -> None:
        """Stop now (a server shutting down): work not yet begun is dropped and the digest
        waiting for it fails; work already running in a worker still ends."""
        pool = self._pool
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
