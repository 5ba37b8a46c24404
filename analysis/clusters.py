"""Clusters of comments making the same point, with labels from their own words.

The unit of clustering is a *distinct* comment: an independent comment, or a whole campaign
represented by its form letter, so that a campaign counts once. The similarity of two units is
``STATIC_WEIGHT`` × the cosine of their meaning vectors (static token vectors distilled from
multilingual-e5-small, ``analysis.vectors``: "网速太慢" and "宽带卡得要死" meet) plus the rest ×
the cosine of character 1-2-gram TF-IDF (typos, names, numbers). Units are grouped by average
linkage cut at ``THRESHOLD``, so the number of points comes from the comments, not from n. A group
of one independent comment, a flagged comment (spam, abuse, off-topic) and a unit without letters
go to the explicit remainder "其他": nothing is dropped. Opposite stances on one matter stay in one
point whose stance split is shown, except bare agree / disagree comments, which never meet.

A label is one clause of a central member (salutation and openers like "我觉得" dropped), the
clause sharing most words with the other members, cut at a word boundary: the drafter reads the
members' own words, never glued fragments. The quote is the most central member, PII masked.

Cluster ids are ``"{bucket}:c{smallest member comment id}"`` and the remainder is
``"{bucket}:其他"``; new comments have larger ids, so an id survives re-analysis unless its
cluster merges with an older one or splits.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from analysis.duplicates import fold
from analysis.labels import REMAINDER_LABEL, label_of, quote
from analysis.models import STANCES, Cluster
from analysis.text import to_simplified

THRESHOLD = 0.25  # average similarity at which two groups stop being one point
STATIC_WEIGHT = 0.6  # share of the meaning vectors in the similarity (the rest: characters)
BLOCK = 2000  # texts grouped at once; more join the points of earlier blocks
SHORT_SIDE = 12  # a comment this short that only agrees or disagrees stays with its side
CLUSTER_CHARS = 300
NEAREST_ROWS = 4096  # rows compared with every centre at once


@dataclass(frozen=True)
class Grouping:
    """The result of clustering units: a label per unit (-1: remainder) and one centre each."""

    labels: tuple[int, ...]
    closeness: tuple[float, ...]  # cosine of each unit to its cluster centre (0.0 in remainder)


def char_counts(texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Counts of character 1- and 2-grams per text, vectorised (no Python loop per character).

    Text is folded (width, case, no punctuation) and cut at ``CLUSTER_CHARS``: the opening of
    a comment carries its point. Returns the matrix and the sorted gram keys of its columns.
    """
    heads = [fold(to_simplified(t))[:CLUSTER_CHARS] for t in texts]
    lengths = np.fromiter((len(t) for t in heads), dtype=np.int64, count=len(heads))
    points = np.frombuffer("".join(heads).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    docs = np.repeat(np.arange(len(heads), dtype=np.int64), lengths)
    same = docs[:-1] == docs[1:]
    bigrams = ((points[:-1] << 21) | points[1:])[same] + (1 << 42)
    keys = np.concatenate([points, bigrams])
    rows = np.concatenate([docs, docs[:-1][same]])
    vocabulary, columns = np.unique(keys, return_inverse=True)
    matrix = sparse.csr_matrix(
        (np.ones(len(keys), dtype=np.float32), (rows, columns.ravel())),
        shape=(len(heads), len(vocabulary)),
    )
    matrix.sum_duplicates()
    return matrix, vocabulary


def _tfidf(texts: Sequence[str]) -> sparse.csr_matrix:
    """Character 1-2-gram TF-IDF (sublinear tf), rows L2-normalised."""
    from sklearn.feature_extraction.text import TfidfTransformer

    counts, _ = char_counts(texts)
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()


def joint_vectors(texts: Sequence[str]) -> tuple[sparse.csr_matrix, int]:
    """One row per text whose dot products are the similarity used for grouping.

    ``STATIC_WEIGHT`` of the meaning vectors (``analysis.vectors``), the rest character TF-IDF;
    without the shipped table, character TF-IDF alone. Also returns how many leading columns
    are the (dense) meaning vectors.
    """
    from analysis import vectors

    chars = _tfidf(texts)
    meaning = vectors.embed(texts)
    if meaning is None:
        return chars, 0
    w = STATIC_WEIGHT
    dims = meaning.shape[1]
    meaning *= math.sqrt(w)  # in place, as below: a clause with 200,000 comments needs the room
    dense = sparse.csr_matrix(meaning)
    del meaning
    chars.data *= math.sqrt(1.0 - w)
    return sparse.hstack([dense, chars], format="csr"), dims


def _link(sim: np.ndarray, threshold: float) -> np.ndarray:
    """Average-linkage clusters of a similarity matrix cut at ``threshold`` (labels from 0)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = sim.shape[0]
    if n == 1:
        return np.zeros(1, dtype=int)
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    return fcluster(tree, t=1.0 - threshold, criterion="distance").astype(int) - 1


def group(
    texts: Sequence[str],
    *,
    threshold: float | None = None,
    stances: Sequence[str] | None = None,
    exclude: Sequence[bool] | None = None,
) -> Grouping:
    """Group ``texts`` by point: a label per text, -1 for the remainder.

    Average linkage over the joint similarity, cut at ``threshold``: the number of points follows
    from the comments. A group of one is remainder; so are excluded texts (flagged spam, abuse or
    off-topic) and texts without a letter or digit. Two short comments taking opposite sides
    (support / oppose) are kept apart. Above ``BLOCK`` texts, blocks are grouped one after the
    other and later texts join an earlier point when close enough to its centre.
    """
    n = len(texts)
    limit = THRESHOLD if threshold is None else threshold
    active = [i for i in range(n) if fold(texts[i]) and not (exclude is not None and exclude[i])]
    labels = np.full(n, -1, dtype=int)
    closeness = np.zeros(n)
    if len(active) < 2:
        return Grouping(tuple(int(x) for x in labels), tuple(float(x) for x in closeness))
    matrix, dense = joint_vectors([texts[i] for i in active])
    side = [_side(texts[i], stances[i] if stances is not None else "") for i in active]
    found = _group_rows(matrix, side, limit, dense)
    next_label = 0
    for members in found:
        if len(members) < 2:
            continue
        rows = matrix[members]
        # Mean similarity to the other members: x·(sum of rows) less x·x, in one product.
        total = np.asarray(rows.sum(axis=0)).ravel()
        own = np.asarray(rows.multiply(rows).sum(axis=1)).ravel()
        central = (rows @ total - own) / max(1, len(members) - 1)
        for pos, c in zip(members, central, strict=True):
            labels[active[pos]] = next_label
            closeness[active[pos]] = float(c)
        next_label += 1
    return Grouping(tuple(int(x) for x in labels), tuple(float(x) for x in closeness))


def _side(text: str, stance: str) -> int:
    """+1 / -1 for a short comment that only takes a side, else 0."""
    if len(fold(text)) > SHORT_SIDE or stance not in ("support", "oppose"):
        return 0
    return 1 if stance == "support" else -1


def _gram(rows: sparse.csr_matrix, dense: int) -> np.ndarray:
    """``rows @ rows.T`` as a dense array: the dense columns by BLAS, the sparse rest apart."""
    if not dense:
        return (rows @ rows.T).toarray()
    head = rows[:, :dense].toarray()
    tail = rows[:, dense:]
    return head @ head.T + (tail @ tail.T).toarray()


def _group_rows(
    matrix: sparse.csr_matrix, side: Sequence[int], limit: float, dense: int = 0
) -> list[list[int]]:
    """Row groups; blocks of ``BLOCK`` rows with later rows joining earlier centres."""
    n = matrix.shape[0]
    signs = np.asarray(side, dtype=float)
    groups: list[list[int]] = []
    pending = np.arange(n)
    centres: sparse.csr_matrix | None = None
    while len(pending):
        if centres is not None and centres.shape[0]:
            best, score = _nearest(matrix, pending, centres)
            good = score >= limit
            for pos, g in zip(pending[good], best[good], strict=True):
                groups[g].append(int(pos))
            pending = pending[~good]
        block, pending = pending[:BLOCK], pending[BLOCK:]
        if not len(block):
            break
        sim = _gram(matrix[block], dense)
        s = signs[block]
        sim[np.outer(s, s) < 0] -= 1.0  # "同意" and "不同意" are not one point
        labels = _link(sim, limit)
        start = len(groups)
        for label in range(labels.max() + 1):
            members = [int(p) for p in block[labels == label]]
            groups.append(members)
        if len(pending):
            fresh = [g for g in groups[start:]]
            rows_c = [sparse.csr_matrix(matrix[g].mean(axis=0)) for g in fresh]
            new = sparse.vstack(rows_c, format="csr")
            norms = np.sqrt(np.asarray(new.multiply(new).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            new = sparse.diags(1.0 / norms) @ new
            centres = new if centres is None else sparse.vstack([centres, new], format="csr")
    return groups


def _nearest(
    matrix: sparse.csr_matrix, rows: np.ndarray, centres: sparse.csr_matrix
) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``rows``, the nearest centre and its similarity; ``NEAREST_ROWS`` rows at a
    time, so that a clause with 200,000 comments never holds all rows x all centres at once."""
    best = np.zeros(len(rows), dtype=np.int64)
    score = np.zeros(len(rows))
    for start in range(0, len(rows), NEAREST_ROWS):
        part = rows[start : start + NEAREST_ROWS]
        sims = (matrix[part] @ centres.T).toarray()
        top = sims.argmax(axis=1)
        best[start : start + len(part)] = top
        score[start : start + len(part)] = sims[np.arange(len(part)), top]
    return best, score


@dataclass(frozen=True)
class Unit:
    """A distinct comment: one independent comment, or a campaign counted once."""

    text: str
    representative: int
    members: tuple[int, ...]
    campaign: str | None = None


def build_clusters(
    bucket: str,
    units: Sequence[Unit],
    stance: dict[int, str],
    excluded: frozenset[int] | set[int] = frozenset(),
) -> tuple[Cluster, ...]:
    """Clusters of one digest section, largest first, then the "其他" remainder if any.

    ``excluded`` holds comment ids (flagged spam, abuse, off-topic) that never join a point: a
    unit whose representative is excluded goes to the remainder.
    """
    units = sorted(units, key=lambda u: min(u.members))
    grouping = group(
        [u.text for u in units],
        stances=[stance.get(u.representative, "other") for u in units],
        exclude=[u.representative in excluded for u in units],
    )
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(grouping.labels):
        by_label.setdefault(label, []).append(i)
    rest: list[int] = []
    groups: list[list[int]] = []
    for label in sorted(by_label):
        positions = by_label[label]
        if label >= 0:
            groups.append(sorted(positions, key=lambda i: _centrality(i, grouping, units)))
            continue
        for i in positions:
            if units[i].campaign is not None and units[i].representative not in excluded:
                groups.append([i])  # a campaign is a point of its own even when alone
            else:
                rest.append(i)
    clusters = [make_cluster(bucket, [units[i] for i in g], stance) for g in groups]
    clusters.sort(key=lambda c: (-c.size, c.members[0]))
    left = remainder(bucket, [units[i] for i in rest], stance)
    if left is not None:
        clusters.append(left)
    return tuple(clusters)


def remainder(bucket: str, units: Sequence[Unit], stance: dict[int, str]) -> Cluster | None:
    """The explicit "其他" of a section: the units that make no point (None if there are none)."""
    if not units:
        return None
    members = tuple(sorted(m for u in units for m in u.members))
    return Cluster(
        id=f"{bucket}:{REMAINDER_LABEL}",
        bucket=bucket,
        label=REMAINDER_LABEL,
        keywords=(),
        representative=None,
        quote="",
        members=members,
        distinct=len(units),
        campaigns=(),
        stance=_split(members, stance),
        remainder=True,
    )


def _centrality(i: int, grouping: Grouping, units: Sequence[Unit]) -> tuple[float, int, int]:
    """Most central first; on a tie (two members), the unit that speaks for more comments."""
    return (-round(grouping.closeness[i], 6), -len(units[i].members), i)


def _split(members: Sequence[int], stance: dict[int, str]) -> dict[str, int]:
    counts = Counter(stance.get(m, "other") for m in members)
    return {s: counts.get(s, 0) for s in STANCES}


def make_cluster(bucket: str, units: Sequence[Unit], stance: dict[int, str]) -> Cluster:
    """One cluster; ``units`` come most central first."""
    from analysis.flags import mask_pii

    members = tuple(sorted(m for u in units for m in u.members))
    head = units[0]
    return Cluster(
        id=f"{bucket}:c{members[0]}",
        bucket=bucket,
        label=mask_pii(label_of([u.text for u in units])),
        keywords=(),
        representative=head.representative,
        quote=quote(mask_pii(head.text)),
        members=members,
        distinct=len(units),
        campaigns=tuple(sorted(u.campaign for u in units if u.campaign)),
        stance=_split(members, stance),
    )
