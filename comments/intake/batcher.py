"""One worker thread that serves many requests at once: the comment writer and the rate limiter.

Requests queue an item and wait on a future. The items queued during one pass of an event
loop go to the thread together, in one hand-off (waking a waiting thread is a system call; one
per pass instead of one per request). The thread takes everything queued (up to
``max_batch``), hands it to ``handle`` in one call — one transaction for all of them — and wakes
the waiting requests with their outcomes, one wake-up per event loop per batch. This keeps
database calls off the event loop and lets one commit serve many requests.

With ``settle``, outcomes go through a second thread before they are released: it takes every
batch handled since its last call and settles them in one call (the writer's one fsync that
makes all of them durable), while the first thread already handles the next batch.

A request may wait with a time limit. A handler that writes calls ``commit_point()`` just
before its writes, from which on nothing can be taken back. When a request's time runs out
before that point, its item is withdrawn (``Withdrawn``: the handler leaves it out); after it,
the outcome is unknown to the request (``TimeoutError``). A handler without a commit point (the
rate limiter) may still handle a withdrawn item; nobody hears of its outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_STOP = object()


class Withdrawn(Exception):
    """The wait ran out before the handler's commit point: the item has been left out."""


class _Entry:
    __slots__ = ("committing", "future", "item", "loop", "withdrawn")

    def __init__(self, item: Any, loop: asyncio.AbstractEventLoop, future: Any) -> None:
        self.item = item
        self.loop = loop
        self.future = future
        self.committing = False  # past the handler's commit point: cannot be withdrawn
        self.withdrawn = False


class Batcher(Generic[T, R]):
    """``await batcher.submit(item)`` → ``handle([item, ...])[i]``, raised if it is an exception.

    ``handle`` returns one outcome per item, in order: a result or an exception instance. If it
    raises, every item of the batch gets that exception. With ``idle_exit`` the thread ends after
    that many idle seconds; the next ``submit`` starts a new one.

    ``settle`` takes the outcomes of one or more batches (in order) and returns them, changed
    where it must be (the fsync failed: a stored row's outcome becomes an exception); it runs on
    its own thread, so handling the next batch overlaps with settling this one.
    """

    def __init__(
        self,
        handle: Callable[[list[T]], Sequence[R | BaseException]],
        *,
        name: str,
        max_batch: int,
        idle_exit: float | None = None,
        settle: Callable[[list[R | BaseException]], Sequence[R | BaseException]] | None = None,
    ) -> None:
        self.handle = handle
        self.settle = settle
        self.name = name
        self.max_batch = max(1, max_batch)
        self.idle_exit = idle_exit
        self.batches = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._claims = threading.Lock()  # committing (the thread) or withdrawn (a request)
        self._current: list[_Entry] = []  # the batch being handled (the thread's own)
        # Per event loop, the entries queued in its current pass; only that loop touches its list.
        self._pending: dict[asyncio.AbstractEventLoop, list[_Entry]] = {}
        self._settler: threading.Thread | None = None

    async def submit(self, item: T, *, timeout: float | None = None) -> R:
        """Queue ``item``; return its outcome once its batch has been handled.

        With ``timeout`` (seconds): ``Withdrawn`` if it ran out before the handler's commit
        point, ``TimeoutError`` after it.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        entry = _Entry(item, loop, future)
        pending = self._pending.get(loop)
        if pending is None:
            self._pending[loop] = [entry]
            loop.call_soon(self._hand_off, loop)
        else:
            pending.append(entry)
        if timeout is None:
            return await future
        # A timer on the loop rather than asyncio.wait_for, which costs a task per request.
        timer = loop.call_later(timeout, _expire, future)
        try:
            return await future
        except TimeoutError:
            with self._claims:
                if not entry.committing:
                    entry.withdrawn = True
                    raise Withdrawn(f"not written within {timeout:.1f} s") from None
            raise
        finally:
            timer.cancel()

    def _hand_off(self, loop: asyncio.AbstractEventLoop) -> None:
        """On ``loop``, after the pass that queued them: its entries to the thread, at once."""
        self._queue.put(self._pending.pop(loop))
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                    self._thread = thread
                    thread.start()

    def commit_point(self) -> list[bool]:
        """For ``handle``, just before it writes: which items of its batch to write (those not
        withdrawn); they can no longer be withdrawn."""
        with self._claims:
            for entry in self._current:
                entry.committing = not entry.withdrawn
            return [entry.committing for entry in self._current]

    def close(self, timeout: float = 10.0) -> None:
        """Handle (and settle) what is queued, then stop the threads."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout=timeout)
        settler, self._settler = self._settler, None
        if settler is not None:
            settler.join(timeout=timeout)

    def _next(self) -> Any:
        while True:
            try:
                return self._queue.get(timeout=self.idle_exit)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return _STOP

    def _run(self) -> None:
        settling: queue.SimpleQueue[Any] | None = None  # (entries, outcomes) to settle
        if self.settle is not None:
            settling = queue.SimpleQueue()
            settler = threading.Thread(
                target=self._settle, args=(settling,), name=f"{self.name}-sync", daemon=True
            )
            self._settler = settler
            settler.start()
        try:
            self._loop(settling)
        finally:
            if settling is not None:
                settling.put(_STOP)  # after every batch this thread handled

    def _loop(self, settling: queue.SimpleQueue[Any] | None) -> None:
        backlog: list[_Entry] = []  # taken from the queue, not yet handled
        stop = False
        while True:
            if not backlog:
                first = _STOP if stop else self._next()
                if first is _STOP:
                    return
                backlog = list(first)
            while not stop and len(backlog) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                else:
                    backlog.extend(more)
            batch, backlog = backlog[: self.max_batch], backlog[self.max_batch :]
            with self._claims:
                batch = [entry for entry in batch if not entry.withdrawn]
            if batch:
                self._serve(batch, settling)

    def _serve(self, batch: list[_Entry], settling: queue.SimpleQueue[Any] | None) -> None:
        self.batches += 1
        self._current = batch
        outcomes: Sequence[Any]
        try:
            outcomes = self.handle([entry.item for entry in batch])
        except Exception as exc:
            outcomes = [exc] * len(batch)
        finally:
            self._current = []
        if settling is None:
            _release(batch, outcomes)
        else:
            settling.put((batch, list(outcomes)))

    def _settle(self, settling: queue.SimpleQueue[Any]) -> None:
        """The second thread: settle every batch handled since the last call, in one call."""
        stop = False
        while not stop:
            waiting = [settling.get()]
            while True:
                try:
                    waiting.append(settling.get_nowait())
                except queue.Empty:
                    break
            if waiting[-1] is _STOP:
                waiting.pop()
                stop = True
            if not waiting:
                continue
            entries = [entry for batch, _ in waiting for entry in batch]
            outcomes: Sequence[Any] = [outcome for _, batch in waiting for outcome in batch]
            try:
                outcomes = self.settle(list(outcomes))  # type: ignore[misc]
            except Exception as exc:
                outcomes = [exc] * len(entries)
            _release(entries, outcomes)


def _release(batch: list[_Entry], outcomes: Sequence[Any]) -> None:
    """Wake the waiting requests with their outcomes, one call per event loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Any, Any]]] = {}
    for entry, outcome in zip(batch, outcomes, strict=True):
        by_loop.setdefault(entry.loop, []).append((entry.future, outcome))
    for loop, pairs in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop has closed: nobody waits there
            loop.call_soon_threadsafe(_resolve_all, pairs)


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def _resolve_all(pairs: list[tuple[asyncio.Future[Any], Any]]) -> None:
    for future, outcome in pairs:
        if future.done():  # the client went away; what was written stays written
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
