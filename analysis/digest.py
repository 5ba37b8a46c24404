"""build_digest(): the per-clause digest of a draft, every comment accounted for.

Each comment lands in one *section*: the clause it names, "总体意见" (no clause) or "未知条款"
(a key the draft does not have: counted, never dropped). Hidden comments are counted apart and
take part in nothing else. Per section: campaigns (``duplicates``), clusters (``clusters``),
suggestions (``suggestions``) and flags; roll-ups add every clause below a part or chapter.

``DigestCache`` keeps, between calls, the per-comment analysis keyed by (comment id, body hash)
and each section's result keyed by a fingerprint of its comments and clause text: adding one
comment re-analyses one comment and one section, then redoes the cheap roll-ups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from analysis import corrections as fixing
from analysis.labels import quote
from analysis.models import (
    GENERAL_KEY,
    SUBMITTER_TYPES,
    UNKNOWN_KEY,
    ClauseInput,
    CommentCorrection,
    CommentInput,
    CommentNote,
    Corrections,
    Digest,
    DraftInfo,
    PointInput,
    Section,
    Tally,
)
from analysis.ranking import rank
from analysis.sections import Note, SectionResult, analyse_all, annotate_chunks
from analysis.tally import FLAG_ORDER, across_sections, add_tallies, tally
from analysis.workers import Workers

Progress = Callable[[int, int], None]
EXCERPT_CHARS = 120
UNGROUPED = frozenset({"spam", "abuse", "offtopic"})


@dataclass
class DigestCache:
    """What ``build_digest`` keeps between calls; plain data, safe to pickle.

    ``annotated`` and ``sections_computed`` count the work done, for tests and benchmarks.
    """

    notes: dict[tuple[int, bytes], Note] = field(default_factory=dict)
    sections: dict[str, tuple[bytes, SectionResult]] = field(default_factory=dict)
    annotated: int = 0
    sections_computed: int = 0


def _hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()


def _bucket(comment: CommentInput, keys: set[str]) -> str:
    if comment.clause is None or comment.clause == "":
        return GENERAL_KEY
    return comment.clause if comment.clause in keys else UNKNOWN_KEY


def _fingerprint(
    comments: Sequence[CommentInput],
    hashes: dict[int, bytes],
    clause: str,
    fixes: dict[int, CommentCorrection] | None = None,
    points: Sequence[PointInput] | None = None,
) -> bytes:
    """Changes when the section's comments, its clause text or its corrections change."""
    h = hashlib.blake2b(digest_size=16)
    h.update(_hash(clause))
    for c in comments:
        stamp = c.created_at.isoformat() if c.created_at else "-"
        h.update(f"{c.id}|{c.client}|{stamp}|".encode())
        h.update(hashes[c.id])
        if fixes and c.id in fixes:
            h.update(repr(fixes[c.id]).encode())
    if points:
        h.update(repr(points).encode())
    return h.digest()


def _spread(
    stance: dict[int, str],
    fixes: dict[int, CommentCorrection],
    results: dict[str, SectionResult],
    by_bucket: dict[str, list[CommentInput]],
    target: Callable[[CommentInput], str],
    processes: Workers,
) -> dict[int, str]:
    """Corrected stances teach the model (``learning``) and spread to near copies; cluster
    splits then follow every stance. Returns the ids whose stance was proposed this way."""
    sections = {b: [c for c in cs if not c.hidden] for b, cs in by_bucket.items()}
    campaigns = [c for r in results.values() for c in r.campaigns]
    taught = any(f.stance for f in fixes.values())
    pool = processes.pool(sum(len(cs) for cs in sections.values())) if taught else None
    spread = fixing.learn(stance, fixes, campaigns, sections, target, pool)
    if fixes:
        for bucket, r in results.items():
            clusters = tuple(
                replace(c, stance=fixing.restance(c.members, stance)) for c in r.clusters
            )
            results[bucket] = replace(r, clusters=clusters)
    return spread


def build_digest(
    draft: DraftInfo,
    clauses: Sequence[ClauseInput],
    comments: Sequence[CommentInput],
    *,
    cache: DigestCache | None = None,
    progress: Progress | None = None,
    corrections: Corrections | None = None,
    workers: Workers | int | None = None,
) -> Digest:
    """The digest of ``comments`` on ``draft``, with what the drafters corrected applied
    (``analysis.corrections``). A large one is analysed in worker processes (``workers``: a
    count, 1 for none; by default one per core, see ``analysis.workers``).

    >>> from analysis.models import DraftInfo, ClauseInput, CommentInput
    >>> d = build_digest(DraftInfo("x", "办法"), [ClauseInput("1", "article", "第一条", "", "正文")],
    ...                  [CommentInput(1, "1", "支持。"), CommentInput(2, "9", "第九条呢？")])
    >>> [(s.key, s.tally.comments) for s in d.sections]
    [('1', 1), ('未知条款', 1)]
    """
    with workers if isinstance(workers, Workers) else Workers(workers) as processes:
        return _build(draft, clauses, comments, cache, progress, corrections, processes)


def _build(
    draft: DraftInfo,
    clauses: Sequence[ClauseInput],
    comments: Sequence[CommentInput],
    cache: DigestCache | None,
    progress: Progress | None,
    corrections: Corrections | None,
    processes: Workers,
) -> Digest:
    cache = cache if cache is not None else DigestCache()
    report = progress or (lambda done, total: None)
    fixes = fixing.fixes_of(corrections)
    seen: set[int] = set()
    unique: list[CommentInput] = []
    submitted: dict[int, str | None] = {}
    for c in sorted(comments, key=lambda c: c.id):
        if c.id not in seen:  # a repeated id is one comment sent twice by the caller
            seen.add(c.id)
            submitted[c.id] = c.clause
            unique.append(fixing.refile(c, fixes.get(c.id)))
    keys = {c.key for c in clauses}
    total = len(unique) + len(clauses) + 2
    report(0, total)

    # 1. Per-comment analysis, cached by (id, body hash); the misses go through in bulk.
    # Stance is read toward the clause a comment is filed under (the title for the whole draft).
    clause_text = {c.key: c.text for c in clauses}

    def target(c: CommentInput) -> str:
        return clause_text.get(c.clause or "", "") if c.clause else draft.title

    hashes = {c.id: _hash(c.body) for c in unique}
    note_keys = {c.id: (c.id, _hash(f"{c.body}\x00{target(c)}")) for c in unique}
    notes_cache: dict[tuple[int, bytes], Note] = {}
    missing = [c for c in unique if note_keys[c.id] not in cache.notes]
    done = len(unique) - len(missing)
    for chunk, annotated in annotate_chunks(missing, target, processes.pool(len(missing))):
        for c, note in zip(chunk, annotated, strict=True):
            cache.notes[note_keys[c.id]] = note
        cache.annotated += len(chunk)
        done += len(chunk)
        report(done, total)
    for c in unique:
        key = note_keys[c.id]
        notes_cache[key] = cache.notes[key]
    cache.notes = notes_cache  # forget comments that are gone or were edited
    note_of = {c.id: fixing.override(notes_cache[note_keys[c.id]], fixes.get(c.id)) for c in unique}
    stance = {i: n[0] for i, n in note_of.items()}
    # Flagged comments are counted and listed, never grouped into a point; nor is a comment a
    # person took out of every point.
    excluded = frozenset(
        i
        for i, n in note_of.items()
        if set(n[2]) & UNGROUPED or (i in fixes and fixes[i].point == "")
    )

    # 2. Per-section analysis, cached by a fingerprint of the section's comments.
    by_bucket: dict[str, list[CommentInput]] = {}
    for c in unique:
        by_bucket.setdefault(_bucket(c, keys), []).append(c)
    bucket_of = {c.id: b for b, members in by_bucket.items() for c in members}
    points = fixing.points_by_bucket(corrections, fixes, bucket_of)
    clause_of = {c.key: c for c in clauses}
    order = [GENERAL_KEY, *[c.key for c in sorted(clauses, key=lambda c: c.order)], UNKNOWN_KEY]
    results: dict[str, SectionResult] = {}
    kept: dict[str, tuple[bytes, SectionResult]] = {}
    todo: dict[str, tuple[bytes, list[CommentInput], str]] = {}
    for bucket in order:
        visible = [c for c in by_bucket.get(bucket, []) if not c.hidden]
        text = clause_of[bucket].text if bucket in clause_of else ""
        mark = _fingerprint(visible, hashes, text, fixes, points.get(bucket))
        cached = cache.sections.get(bucket)
        if cached is not None and cached[0] == mark:
            kept[bucket] = cached
        else:
            todo[bucket] = (mark, visible, text)
    done = len(unique) + len(kept)
    report(done, total)
    pool = processes.pool(sum(len(visible) for _, visible, _ in todo.values()))
    for bucket, result in analyse_all(todo, stance, excluded, points, pool):
        kept[bucket] = (todo[bucket][0], result)
        cache.sections_computed += 1
        done += 1
        report(min(done, total), total)
    results.update((bucket, kept[bucket][1]) for bucket in order)
    cache.sections = kept
    spread = _spread(stance, fixes, results, by_bucket, target, processes)

    # 3. Notes per comment and the cheap roll-ups.
    cluster_of: dict[int, str] = {}
    campaign_of: dict[int, str] = {}
    flooded: set[int] = set()
    for result in results.values():
        for cluster in result.clusters:
            cluster_of.update(dict.fromkeys(cluster.members, cluster.id))
        for campaign in result.campaigns:
            campaign_of.update(dict.fromkeys(campaign.members, campaign.id))
            if campaign.flood:
                flooded.update(campaign.members)
    notes: list[CommentNote] = []
    per_bucket: dict[str, list[CommentNote]] = {}
    for c in unique:
        _, p, f = note_of[c.id]
        s = stance[c.id]
        if c.id in flooded:
            f = (*f, "flood")
        fix = fixes.get(c.id)
        note = CommentNote(
            id=c.id,
            reviewed=fix is not None,
            stance_source="person"
            if fix is not None and fix.stance
            else "neighbour"
            if c.id in spread
            else "model",
            clause=submitted[c.id],
            bucket=_bucket(c, keys),
            stance=s,
            polarity=p,
            cluster=cluster_of.get(c.id),
            campaign=campaign_of.get(c.id),
            flags=tuple(x for x in FLAG_ORDER if x in f),
            submitter_type=c.submitter_type if c.submitter_type in SUBMITTER_TYPES else "其他",
            hidden=c.hidden,
        )
        notes.append(note)
        per_bucket.setdefault(note.bucket, []).append(note)
    own = {b: tally(per_bucket.get(b, []), results[b].campaigns) for b in order}
    sections = _sections(draft, clauses, order, own, results, per_bucket)
    report(total, total)
    visible = {c.id: c.body for b in order for c in by_bucket.get(b, []) if not c.hidden}
    campaigns = [c for b in order for c in results[b].campaigns]
    return Digest(
        draft=draft,
        totals=across_sections(add_tallies(list(own.values())), visible, campaigns),
        sections=sections,
        ranking=rank(sections, clauses),
        comments=tuple(notes),
    )


def _sections(
    draft: DraftInfo,
    clauses: Sequence[ClauseInput],
    order: Sequence[str],
    own: dict[str, Tally],
    results: dict[str, SectionResult],
    per_bucket: dict[str, list[CommentNote]],
) -> tuple[Section, ...]:
    clause_of = {c.key: c for c in clauses}
    children: dict[str, list[str]] = {}
    for c in clauses:
        if c.parent is not None and c.parent in clause_of and c.parent != c.key:
            children.setdefault(c.parent, []).append(c.key)
    rollups: dict[str, Tally] = {}

    def rollup(key: str, path: frozenset[str]) -> Tally:
        if key not in rollups:
            below = [rollup(k, path | {key}) for k in children.get(key, []) if k not in path]
            rollups[key] = add_tallies([own[key], *below])
        return rollups[key]

    sections: list[Section] = []
    for key in order:
        if key in clause_of:
            c = clause_of[key]
            kind, label, heading, parent, position = c.kind, c.label, c.heading, c.parent, c.order
            excerpt = quote(c.text, EXCERPT_CHARS)
            total = rollup(key, frozenset())
        elif own[key].comments or own[key].hidden or key == GENERAL_KEY:
            kind, label, heading, parent = "bucket", key, "", None
            position = -1 if key == GENERAL_KEY else 1 << 30
            excerpt = "对征求意见稿的整体意见" if key == GENERAL_KEY else "所指条款不在本稿中的意见"
            total = own[key]
        else:
            continue
        result = results[key]
        flagged: dict[str, tuple[int, ...]] = {}
        for flag in FLAG_ORDER:
            ids = tuple(n.id for n in per_bucket.get(key, []) if not n.hidden and flag in n.flags)
            if ids:
                flagged[flag] = ids
        sections.append(
            Section(
                key=key,
                kind=kind,
                label=label,
                heading=heading,
                excerpt=excerpt,
                parent=parent,
                order=position,
                tally=own[key],
                rollup=total,
                clusters=result.clusters,
                campaigns=result.campaigns,
                suggestions=result.suggestions,
                flagged=flagged,
            )
        )
    return tuple(sections)
