"""What the drafters corrected, applied to the analysis: their values win, and the rest learns.

- A person's stance, tone, flags and clause replace the analysis' own (``override``,
  ``refile``); the note then says ``reviewed``.
- Corrected stances teach the model (``learn``): the learned stance model is adapted to the
  draft's corrections (``analysis.learning``), then a corrected stance spreads to what is nearly
  the same (``propagate``): the other copies of a campaign, and comments on the same clause at
  least ``NEIGHBOUR`` similar to a corrected one. Those notes say ``stance_source="neighbour"``:
  proposed by the analysis, not confirmed.
- A point a person fixed keeps its label and members (``point_clusters``). A comment that
  arrives later and matches it (average similarity to its members at least the clustering
  ``THRESHOLD``) is *proposed* into it; a comment taken out of every point stays out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from typing import Any

import numpy as np

from analysis.clusters import (
    THRESHOLD,
    Unit,
    build_clusters,
    joint_vectors,
    make_cluster,
    remainder,
)
from analysis.labels import label_of, quote
from analysis.models import (
    STANCES,
    Campaign,
    Cluster,
    CommentCorrection,
    CommentInput,
    Corrections,
    PointInput,
)

NEIGHBOUR = 0.7  # similarity at which a corrected stance is proposed to another comment
Note = tuple[str, str, tuple[str, ...]]  # stance, polarity, flags (as in ``digest``)
CORRECTABLE_FLAGS = ("spam", "abuse", "offtopic", "pii")

__all__ = [
    "CORRECTABLE_FLAGS",
    "NEIGHBOUR",
    "fixes_of",
    "learn",
    "override",
    "point_clusters",
    "points_by_bucket",
    "propagate",
    "refile",
    "restance",
]


def fixes_of(corrections: Corrections | None) -> dict[int, CommentCorrection]:
    """comment id -> what a person set on it (the last correction of an id wins)."""
    return {c.id: c for c in corrections.comments} if corrections else {}


def refile(comment: CommentInput, fix: CommentCorrection | None) -> CommentInput:
    """The comment under the clause a person filed it under ("" = the whole draft)."""
    if fix is None or fix.clause is None:
        return comment
    return replace(comment, clause=fix.clause or None)


def override(note: Note, fix: CommentCorrection | None) -> Note:
    """The analysis' note with the fields a person set."""
    if fix is None:
        return note
    stance = fix.stance if fix.stance in STANCES else note[0]
    polarity = fix.polarity or note[1]
    flags = note[2] if fix.flags is None else tuple(fix.flags)
    return stance, polarity, flags


def points_by_bucket(
    corrections: Corrections | None,
    fixes: Mapping[int, CommentCorrection],
    bucket_of: Mapping[int, str],
) -> dict[str, list[PointInput]]:
    """The fixed points of each section, with the members that still belong there.

    A point's members are the ones stored with it (the service keeps them: a move, split or
    merge rewrites them); a member leaves when a person took it out of every point or filed
    it under another clause.
    """
    if corrections is None:
        return {}
    out: dict[str, list[PointInput]] = {}
    for point in corrections.points:
        members = tuple(
            sorted(
                m
                for m in point.members
                if bucket_of.get(m) == point.bucket and (m not in fixes or fixes[m].point != "")
            )
        )
        out.setdefault(point.bucket, []).append(replace(point, members=members))
    return out


def point_clusters(
    bucket: str,
    points: Sequence[PointInput],
    units: Sequence[Unit],
    visible: Sequence[CommentInput],
    campaigns: Sequence[Campaign],
    stance: Mapping[int, str],
    excluded: Iterable[int],
) -> tuple[Cluster, ...]:
    """The section's clusters: its fixed points first, then the automatic ones.

    The automatic grouping runs on every unit, as if nothing were fixed, so a point that holds
    no comment of a fixed point comes out exactly as it would have. From a point that does,
    the fixed members leave; what is left of it (comments that arrived since, or that the
    grouping put with them) is proposed into the fixed point it matches (average similarity to
    its members at least the clustering ``THRESHOLD``) or else stays a point of its own. A
    unit of the remainder that matches a fixed point is proposed into it; a flagged one never
    (``analysis.sections`` gives a flagged copy of a campaign a unit of its own).
    """
    skip = frozenset(excluded)
    found = build_clusters(bucket, units, dict(stance), skip)
    body = {c.id: c.body for c in visible}
    member_ids = [[m for m in p.members if m in body] for p in points]
    live = [(p, ids) for p, ids in zip(points, member_ids, strict=True) if ids]
    if not live:
        return found
    taken = {m for _, ids in live for m in ids}
    unit_of = {u.members[0]: u for u in units}
    touched: list[list[Unit]] = []  # what is left of automatic points that held fixed members
    kept: list[Cluster] = []
    rest: list[Unit] = []
    for cluster in found:
        if not cluster.remainder and taken.isdisjoint(cluster.members):
            kept.append(cluster)
            continue
        left = [
            u
            for m in cluster.members
            if m in unit_of and (u := _without(unit_of[m], taken, body)) is not None
        ]
        if cluster.remainder:
            rest = left
        elif left:
            touched.append(left)
    singles = [[u] for u in rest if u.representative not in skip and u.text.strip()]
    groups = touched + singles
    texts = [u.text for g in groups for u in g] + [body[m] for _, ids in live for m in ids]
    rows, _ = joint_vectors(texts)  # sparse: the character vocabulary is wide
    start, parts = 0, []
    for g in groups:
        parts.append(rows[start : start + len(g)])
        start += len(g)
    blocks = []
    for _, ids in live:
        blocks.append(rows[start : start + len(ids)])
        start += len(ids)
    centres = np.stack([np.asarray(b.mean(axis=0)).ravel() for b in blocks])
    proposed: list[list[Unit]] = [[] for _ in live]
    moved: set[int] = set()
    for i, (g, part) in enumerate(zip(groups, parts, strict=True)):
        mean = np.asarray(part.mean(axis=0)).ravel()
        scores = centres @ mean
        best = int(scores.argmax())
        if scores[best] >= THRESHOLD:
            proposed[best].extend(g)
            moved.update(id(u) for u in g)
        elif len(g) > 1 or (i < len(touched) and g[0].campaign):  # still a point
            closeness = np.asarray(part @ mean).ravel()
            ranked = sorted(range(len(g)), key=lambda j: (-float(closeness[j]), j))
            kept.append(make_cluster(bucket, [g[j] for j in ranked], dict(stance)))
            moved.update(id(u) for u in g)
    campaign_of = {m: c.id for c in campaigns for m in c.members}
    pinned = [
        _pinned(bucket, p, ids, block, extra, body, campaign_of, stance)
        for (p, ids), block, extra in zip(live, blocks, proposed, strict=True)
    ]
    kept = _own_ids(bucket, kept, {p.id for p, _ in live})
    kept.sort(key=lambda c: (-c.size, c.members[0]))
    alone = [u for g in touched for u in g if id(u) not in moved]
    other = remainder(bucket, [*alone, *(u for u in rest if id(u) not in moved)], dict(stance))
    return (*pinned, *kept, *([other] if other is not None else []))


def _own_ids(bucket: str, clusters: Sequence[Cluster], fixed: set[str]) -> list[Cluster]:
    """Automatic clusters whose id a fixed point already bears (it kept the id of the cluster it
    was, "b:cN", and comment N has left it since) take the id of their next smallest member:
    two points never share an id."""
    taken = set(fixed)
    out = []
    for cluster in clusters:
        if cluster.id in taken:
            free = (f"{bucket}:c{m}" for m in cluster.members)
            new = next((key for key in free if key not in taken), f"{cluster.id}-{len(taken)}")
            cluster = replace(cluster, id=new)
        taken.add(cluster.id)
        out.append(cluster)
    return out


def _without(unit: Unit, taken: set[int], body: Mapping[int, str]) -> Unit | None:
    """``unit`` without the members in ``taken`` (None if none is left)."""
    members = tuple(m for m in unit.members if m not in taken)
    if not members:
        return None
    if members == unit.members:
        return unit
    rep = unit.representative if unit.representative in members else members[0]
    return Unit(body.get(rep, unit.text), rep, members, unit.campaign)


def _pinned(
    bucket: str,
    point: PointInput,
    ids: Sequence[int],
    block: Any,
    extra: Sequence[Unit],
    body: Mapping[int, str],
    campaign_of: Mapping[int, str],
    stance: Mapping[int, str],
) -> Cluster:
    from analysis.flags import mask_pii

    centre = np.asarray(block.mean(axis=0)).ravel()
    closeness = np.asarray(block @ centre).ravel()
    ranked = sorted(range(len(ids)), key=lambda i: (-float(closeness[i]), ids[i]))
    head = ids[ranked[0]]
    new = tuple(sorted(m for u in extra for m in u.members))
    members = tuple(sorted({*ids, *new}))
    in_campaigns = {campaign_of[m] for m in members if m in campaign_of}
    distinct = sum(1 for m in members if m not in campaign_of) + len(in_campaigns)
    label = point.label.strip() or label_of([body[ids[i]] for i in ranked])
    return Cluster(
        id=point.id,
        bucket=bucket,
        label=mask_pii(label),
        keywords=(),
        representative=head,
        quote=quote(mask_pii(body[head])),
        members=members,
        distinct=distinct,
        campaigns=tuple(sorted(in_campaigns)),
        stance=restance(members, stance),
        confirmed=True,
        reviewed=point.reviewed,
        proposed=new,
    )


def restance(members: Iterable[int], stance: Mapping[int, str]) -> dict[str, int]:
    counts = Counter(stance.get(m, "other") for m in members)
    return {s: counts.get(s, 0) for s in STANCES}


def learn(
    stance: dict[int, str],
    fixes: Mapping[int, CommentCorrection],
    campaigns: Iterable[Campaign],
    sections: Mapping[str, Sequence[CommentInput]],
    target: Callable[[CommentInput], str],
    pool: Executor | None = None,
) -> dict[int, str]:
    """What the corrected stances teach about the others: the model adapted to them
    (``analysis.learning``; the others read in ``pool`` if given), then near copies
    (``propagate``). Updates ``stance``; returns the ids whose stance was proposed this way
    (id -> the stance), never one a person set."""
    from analysis.learning import learn_stances

    person = {i: f.stance for i, f in fixes.items() if f.stance in STANCES}
    if not person:
        return {}
    before = dict(stance)
    shown = {c.id: (c.body, target(c)) for cs in sections.values() for c in cs}
    stance.update(learn_stances(shown, person, stance, pool=pool))
    propagate(stance, fixes, campaigns, sections)
    return {i: v for i, v in stance.items() if v != before.get(i) and i not in person}


def propagate(
    stance: dict[int, str],
    fixes: Mapping[int, CommentCorrection],
    campaigns: Iterable[Campaign],
    sections: Mapping[str, Sequence[CommentInput]],
) -> dict[int, str]:
    """Spread corrected stances to what is nearly the same; updates ``stance``, returns the ids
    changed this way (id -> the stance proposed)."""
    person = {i: f.stance for i, f in fixes.items() if f.stance in STANCES}
    if not person:
        return {}
    spread: dict[int, str] = {}
    for campaign in campaigns:
        said = Counter(person[m] for m in campaign.members if m in person)
        if said:
            value = said.most_common(1)[0][0]
            spread.update((m, value) for m in campaign.members if m not in person)
    for visible in sections.values():
        known = [c for c in visible if c.id in person]
        rest = [c for c in visible if c.id not in person and c.id not in spread]
        if not known or not rest:
            continue
        matrix, _ = joint_vectors([c.body for c in known] + [c.body for c in rest])
        sims = (matrix[len(known) :] @ matrix[: len(known)].T).toarray()
        best = sims.argmax(axis=1)
        for c, j, s in zip(rest, best, sims[np.arange(len(rest)), best], strict=True):
            if s >= NEIGHBOUR:
                spread[c.id] = person[known[int(j)].id]
    changed = {i: v for i, v in spread.items() if stance.get(i) != v}
    stance.update(spread)
    return changed
