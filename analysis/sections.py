"""The work of a digest that runs apart: per-comment notes and per-section results.

``annotate`` reads stance (toward each comment's clause text), polarity and flags for many
comments; ``analyse_section`` finds one section's campaigns, points and wording suggestions.
Both are pure functions of plain data, so ``build_digest`` runs them in worker processes for a
large draft (``analysis.workers``) or here, with the same result.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ThreadPoolExecutor,
    as_completed,
    wait,
)
from dataclasses import dataclass
from typing import Any, TypeVar

from analysis import corrections as fixing
from analysis.clusters import Unit
from analysis.duplicates import find_campaigns
from analysis.models import (
    POLARITIES,
    STANCES,
    Campaign,
    Cluster,
    CommentInput,
    PointInput,
    Suggestion,
)
from analysis.suggestions import find_suggestions

Note = tuple[str, str, tuple[str, ...]]  # stance, polarity, flags
T = TypeVar("T")
CHUNK = 2000  # comments annotated at once
WORKERS = 2  # threads for sections when there is no process pool


@dataclass(frozen=True)
class SectionResult:
    campaigns: tuple[Campaign, ...]
    clusters: tuple[Cluster, ...]
    suggestions: tuple[Suggestion, ...]


def annotate(bodies: Sequence[str], targets: Sequence[str] | None = None) -> list[Note]:
    """Stance (toward each comment's clause text), polarity and flags for many comments;
    ``classify_many`` is the bulk path."""
    from analysis.flags import flags
    from analysis.stance import classify_many

    results = classify_many(list(bodies), None if targets is None else list(targets))
    notes: list[Note] = []
    for body, result in zip(bodies, results, strict=True):
        stance = result.stance if result.stance in STANCES else "other"
        polarity = result.polarity if result.polarity in POLARITIES else "neu"
        notes.append((stance, polarity, tuple(flags(body))))
    return notes


def annotate_chunks(
    missing: list[CommentInput], target: Callable[[CommentInput], str], pool: Executor | None
) -> Iterator[tuple[list[CommentInput], list[Note]]]:
    """``annotate`` by chunks of ``CHUNK``, in order; in worker processes when ``pool``."""
    chunks = [missing[i : i + CHUNK] for i in range(0, len(missing), CHUNK)]
    if pool is None:
        for chunk in chunks:
            yield chunk, annotate([c.body for c in chunk], [target(c) for c in chunk])
        return
    jobs = (
        (chunk, (annotate, [c.body for c in chunk], [target(c) for c in chunk])) for chunk in chunks
    )
    for chunk, notes in _in_order(pool, jobs):
        # Unpickled notes hold a copy of each label; one shared string each keeps memory down.
        yield chunk, [(_SHARED[s], _SHARED[p], f) for s, p, f in notes]


def analyse_all(
    todo: dict[str, tuple[bytes, list[CommentInput], str]],
    stance: dict[int, str],
    excluded: frozenset[int] = frozenset(),
    points: dict[str, list[PointInput]] | None = None,
    pool: Executor | None = None,
) -> Iterator[tuple[str, SectionResult]]:
    """Analyse sections in worker processes (largest first) or, without ``pool``, on WORKERS
    threads (numpy, BLAS and scipy release the GIL for part of the work)."""
    from threadpoolctl import threadpool_limits

    def job(bucket: str) -> tuple[Any, ...]:
        _, visible, text = todo[bucket]
        ids = {c.id for c in visible}
        own = {i: stance[i] for i in ids} if pool is not None else stance
        return analyse_section, bucket, visible, text, own, excluded & ids, points.get(bucket)

    points = points or {}
    if pool is not None:
        largest = sorted(todo, key=lambda b: -len(todo[b][1]))
        yield from _as_done(pool, ((b, job(b)) for b in largest))
        return
    # One BLAS/OpenMP thread per section: the matrices are small, and OpenBLAS threads spinning
    # against scikit-learn's OpenMP threads made sections several times slower on 2 cores.
    with threadpool_limits(limits=1), ThreadPoolExecutor(max_workers=WORKERS) as threads:
        running = [(b, threads.submit(*job(b))) for b in todo]
        for bucket, future in running:
            yield bucket, future.result()


_SHARED = {s: s for s in (*STANCES, *POLARITIES)}
WINDOW = 8  # jobs submitted at once: enough to keep every worker busy, few enough for memory


def _in_order(pool: Executor, jobs: Iterator[tuple[T, tuple[Any, ...]]]) -> Iterator[tuple[T, Any]]:
    """Each job's result in the order given, with at most a window of jobs submitted."""
    window: deque[tuple[T, Future[Any]]] = deque()
    for tag, (fn, *args) in jobs:
        window.append((tag, pool.submit(fn, *args)))
        if len(window) >= WINDOW:
            tag_done, future = window.popleft()
            yield tag_done, future.result()
    for tag_done, future in window:
        yield tag_done, future.result()


def _as_done(pool: Executor, jobs: Iterator[tuple[T, tuple[Any, ...]]]) -> Iterator[tuple[T, Any]]:
    """Each job's result as it is done, with at most a window of jobs submitted."""
    running: dict[Future[Any], T] = {}
    for tag, (fn, *args) in jobs:
        running[pool.submit(fn, *args)] = tag
        if len(running) >= WINDOW:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield running.pop(future), future.result()
    for future in as_completed(running):
        yield running[future], future.result()


def analyse_section(
    bucket: str,
    visible: Sequence[CommentInput],
    clause: str,
    stance: dict[int, str],
    excluded: frozenset[int] = frozenset(),
    points: Sequence[PointInput] | None = None,
) -> SectionResult:
    campaigns = find_campaigns(visible, bucket)
    in_campaign = {m for c in campaigns for m in c.members}
    body = {c.id: c.body for c in visible}
    units: list[Unit] = []
    for c in campaigns:
        # A copy a person flagged, or took out of every point, leaves its campaign's unit (it is
        # still counted in the campaign); a campaign flagged whole stays one unit.
        out = [m for m in c.members if m in excluded]
        keep = tuple(m for m in c.members if m not in excluded)
        if not out or not keep:
            units.append(Unit(c.text, c.representative, c.members, c.id))
            continue
        rep = c.representative if c.representative in keep else keep[0]
        units.append(Unit(c.text, rep, keep, c.id))
        units.extend(Unit(body[m], m, (m,), c.id) for m in out)
    units.extend(Unit(c.body, c.id, (c.id,)) for c in visible if c.id not in in_campaign)
    clusters = fixing.point_clusters(
        bucket, points or (), units, visible, campaigns, stance, excluded
    )
    return SectionResult(
        campaigns=campaigns,
        clusters=clusters,
        suggestions=find_suggestions([(c.id, c.body) for c in visible], clause, bucket),
    )
