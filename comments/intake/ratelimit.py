"""Per-client rate limits on comment posts, shared by every app process.

A fixed one-minute window per key. The keys are the client's address pseudonym and, when the
comment gives one, its contact (normalised), so a flood that rotates addresses but signs with
one phone number is refused too. Keys are stored as salted hashes, never as addresses or
contacts.

Backends (``COMMENTS_RATE_LIMIT_BACKEND``):

- ``database`` (the default without Redis): one row per key and window in ``ratelimit``, counted
  with an atomic upsert; works across processes on PostgreSQL and on SQLite.
- ``redis`` (the default when ``COMMENTS_REDIS_URL`` is set): ``INCR`` + ``EXPIRE``. When Redis
  cannot be reached, the limiter falls back to the database window for a few seconds and logs it
  once: limits stay shared between processes and no comment is refused because Redis is down.
- ``memory``: process memory; only correct with a single process. Chosen explicitly, never
  implied.

A refused attempt counts too, so a client that keeps hammering stays refused until its window
ends; ``Retry-After`` is the number of seconds until then.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import anyio.to_thread
from sqlalchemy.engine import Engine

from comments.intake.batcher import Batcher, Withdrawn
from comments.settings import Settings
from comments.storage import ratelimits
from comments.storage.db import DatabaseUnavailable

log = logging.getLogger("comments.ratelimit")

WINDOW = 60  # seconds
BACKENDS = ("auto", "database", "redis", "memory")


def limit_keys(secret: str, client: str, contact: str = "") -> list[str]:
    """Salted hashes for the client pseudonym and, when given, the normalised contact."""
    keys = [_hash(secret, "client", client)]
    normal = "".join(ch for ch in contact.lower() if ch.isalnum() or ch in "@.")
    if normal:
        keys.append(_hash(secret, "contact", normal))
    return keys


def _hash(secret: str, kind: str, value: str) -> str:
    return hashlib.sha256(f"{secret}:{kind}:{value}".encode()).hexdigest()[:32]


class RateLimiter:
    """The interface the request handlers use: ``await limiter.hit(client, contact)``."""

    name = "off"
    clock: Callable[[], float] = staticmethod(time.time)  # the windows' clock (tests set it)

    def __init__(self, per_minute: int, secret: str) -> None:
        self.per_minute = per_minute
        self.secret = secret

    async def hit(self, client: str, contact: str = "", *, timeout: float | None = None) -> int:
        """0 when the post is allowed (and counted); else the seconds to wait.

        Raises ``DatabaseUnavailable`` when a database count does not come back in ``timeout``.
        """
        if self.per_minute <= 0:
            return 0
        keys = limit_keys(self.secret, client, contact)
        return await self.hit_keys(keys, self.clock(), timeout=timeout)

    async def hit_keys(
        self, keys: Sequence[str], now: float, *, timeout: float | None = None
    ) -> int:
        return 0

    def _verdict(self, counts: Sequence[int], now: float) -> int:
        if max(counts) <= self.per_minute:
            return 0
        return max(1, int(WINDOW - now % WINDOW) + 1)

    def close(self) -> None:
        """Release connections (the app's lifespan calls this on shutdown)."""


class MemoryRateLimiter(RateLimiter):
    """Process memory: correct only with one process (``--workers 1``)."""

    name = "memory"

    def __init__(self, per_minute: int, secret: str) -> None:
        super().__init__(per_minute, secret)
        self._hits: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    async def hit_keys(
        self, keys: Sequence[str], now: float, *, timeout: float | None = None
    ) -> int:
        return self.count(keys, now)

    def count(self, keys: Sequence[str], now: float) -> int:
        window = int(now // WINDOW)
        counts = []
        with self._lock:
            if len(self._hits) > 100_000:  # forget past windows rather than grow forever
                self._hits = {k: v for k, v in self._hits.items() if v[0] == window}
            for key in keys:
                seen, n = self._hits.get(key, (window, 0))
                n = n + 1 if seen == window else 1
                self._hits[key] = (window, n)
                counts.append(n)
        return self._verdict(counts, now)


class DatabaseRateLimiter(RateLimiter):
    """Counts in the ``ratelimit`` table (PostgreSQL or SQLite), grouped like comment writes.

    One transaction per request would cost a commit per post and, on a hot key, a queue of
    row locks. Requests therefore hand their keys to one thread per process (``Batcher``), which
    adds up everything queued, applies one atomic upsert per distinct key and window in one
    transaction (``storage/ratelimits.py``), and hands each request its own running count.
    """

    name = "database"
    IDLE_EXIT = 30.0  # seconds: an idle thread ends; the next hit starts a new one

    def __init__(self, per_minute: int, secret: str, engine: Engine) -> None:
        super().__init__(per_minute, secret)
        self.engine = engine
        self._swept = 0
        self._batcher: Batcher[tuple[Sequence[str], float], int] = Batcher(
            self._apply, name="ratelimit", max_batch=1024, idle_exit=self.IDLE_EXIT
        )

    @property
    def batches(self) -> int:
        return self._batcher.batches

    async def hit_keys(
        self, keys: Sequence[str], now: float, *, timeout: float | None = None
    ) -> int:
        try:
            return await self._batcher.submit((keys, now), timeout=timeout)
        except (Withdrawn, TimeoutError):
            raise DatabaseUnavailable(f"no rate-limit count within {timeout} s") from None

    def count(self, keys: Sequence[str], now: float) -> int:
        """One hit, counted at once (the Redis fallback and tests use this)."""
        return self._apply([(keys, now)])[0]

    def close(self) -> None:
        self._batcher.close()

    def _apply(self, hits: Sequence[tuple[Sequence[str], float]]) -> list[int]:
        """Count every hit in one transaction; return each hit's verdict, in order."""
        wanted: dict[tuple[str, int], int] = {}
        for keys, now in hits:
            for key in keys:
                slot = (key, int(now // WINDOW))
                wanted[slot] = wanted.get(slot, 0) + 1
        newest = max(int(now // WINDOW) for _, now in hits)
        # Past windows are dead weight: each process sweeps once per window.
        sweep = newest - 1 if newest != self._swept else None
        totals = ratelimits.add_hits(self.engine, wanted, sweep_before=sweep)
        self._swept = newest
        # Hand out the counts in arrival order: the first hit in the batch saw the lowest.
        seen = {slot: totals[slot] - n for slot, n in wanted.items()}
        verdicts = []
        for keys, now in hits:
            counts = []
            for key in keys:
                slot = (key, int(now // WINDOW))
                seen[slot] += 1
                counts.append(seen[slot])
            verdicts.append(self._verdict(counts, now))
        return verdicts


class RedisRateLimiter(RateLimiter):
    """``INCR`` + ``EXPIRE`` in Redis; the database window while Redis is unreachable."""

    name = "redis"
    RETRY_AFTER_FAILURE = 5.0  # seconds before Redis is tried again

    def __init__(
        self, per_minute: int, secret: str, url: str, fallback: DatabaseRateLimiter
    ) -> None:
        import redis

        super().__init__(per_minute, secret)
        self.client: Any = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30
        )
        self.fallback = fallback
        self._down_until = 0.0
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

    async def hit_keys(
        self, keys: Sequence[str], now: float, *, timeout: float | None = None
    ) -> int:
        # Redis answers within 0.5 s or is skipped; the database fallback has its own bounds.
        return await anyio.to_thread.run_sync(self.count, keys, now)

    def count(self, keys: Sequence[str], now: float) -> int:
        if time.monotonic() >= self._down_until:
            window = int(now // WINDOW)
            try:
                pipe = self.client.pipeline(transaction=True)
                for key in keys:
                    name = f"comments:ratelimit:{window}:{key}"
                    pipe.incr(name)
                    pipe.expire(name, 2 * WINDOW)
                replies = pipe.execute()
                return self._verdict([int(n) for n in replies[::2]], now)
            except self._errors as exc:
                self._down_until = time.monotonic() + self.RETRY_AFTER_FAILURE
                log.warning(
                    "Redis unreachable for rate limits (%s); using the database window for %.0f s",
                    str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__,
                    self.RETRY_AFTER_FAILURE,
                )
        return self.fallback.count(keys, now)

    def close(self) -> None:
        self.client.close()


def make_limiter(settings: Settings, engine: Engine, secret: str) -> RateLimiter:
    """The limiter the settings ask for (``auto``: Redis when a URL is set, else the database)."""
    backend = settings.rate_limit_backend
    per_minute = settings.rate_limit_per_minute
    if backend not in BACKENDS:
        raise ValueError(
            f"COMMENTS_RATE_LIMIT_BACKEND 应为 {'、'.join(BACKENDS)} 之一，收到 {backend!r}"
        )
    if backend == "auto":
        backend = "redis" if settings.redis_url else "database"
    if backend == "memory":
        return MemoryRateLimiter(per_minute, secret)
    database = DatabaseRateLimiter(per_minute, secret, engine)
    if backend == "redis":
        if not settings.redis_url:
            raise ValueError("COMMENTS_RATE_LIMIT_BACKEND=redis 需要同时设置 COMMENTS_REDIS_URL")
        return RedisRateLimiter(per_minute, secret, settings.redis_url, database)
    return database
