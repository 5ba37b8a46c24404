"""Clusters of comments making the same point, with labels (key phrases) and representatives.

The unit of clustering is a *distinct* comment: an independent comment, or a whole campaign
represented by its form letter, so that a campaign counts once. Units are embedded as TF-IDF over
character 1-2-grams (no word segmentation needed, robust to typos and mixed scripts), reduced by
truncated SVD (LSA) and grouped by k-means with k = sqrt(n / 2) (2..40). A unit far from its
cluster centre (cosine below ``MIN_COHERENCE``) and every cluster left with a single independent
comment go to the explicit remainder "其他": nothing is dropped.

Cluster ids are ``"{bucket}:c{smallest member comment id}"`` and the remainder is
``"{bucket}:其他"``; new comments have larger ids, so an id survives re-analysis unless its
cluster merges with an older one or splits.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from analysis.duplicates import WIDTH, fold
from analysis.models import STANCES, Cluster
from analysis.text import to_simplified

REMAINDER_LABEL = "其他"
MIN_COHERENCE = 0.2
MAX_K = 40
SVD_DIMS = 64
SVD_ITERATIONS = 2
MAX_FEATURES = 6000
CLUSTER_CHARS = 300
FIT_SAMPLE = 4000
LABEL_SAMPLE = 40
LABEL_CHARS = 150
MAX_PHRASE = 8
SEED = 20170813

_RUNS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
_EDGE_STOP = set("的了是在和与及或等对把将被有这那我你他们也就都而为之其中上下个能要会可")


@dataclass(frozen=True)
class Grouping:
    """The result of clustering units: a label per unit (-1: remainder) and one centre each."""

    labels: tuple[int, ...]
    closeness: tuple[float, ...]  # cosine of each unit to its cluster centre (0.0 in remainder)


def choose_k(n: int) -> int:
    return max(2, min(MAX_K, round(math.sqrt(n / 2))))


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


def embed(texts: Sequence[str]) -> np.ndarray | None:
    """LSA vectors (rows L2-normalised) or None when the texts carry no usable characters."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    counts, _ = char_counts(texts)
    n = len(texts)
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    keep = (df >= (2 if n >= 50 else 1)) & (df <= (0.5 * n if n >= 20 else n))
    if not keep.any():  # every gram in most texts (identical comments): use them all
        keep = df >= 1
    if not keep.any():
        return None
    if keep.sum() > MAX_FEATURES:
        # The most widespread grams that survive max_df: the ones that can make texts alike.
        order = np.argsort(-df * keep, kind="stable")[:MAX_FEATURES]
        keep = np.zeros_like(keep)
        keep[order] = True
    matrix = TfidfTransformer().fit_transform(counts[:, np.flatnonzero(keep)])
    matrix = matrix[:, np.asarray(matrix.sum(axis=0)).ravel() > 0]
    dims = min(SVD_DIMS, matrix.shape[1] - 1, n - 1)
    if dims < 2:
        return None
    # sklearn divides by the total variance for a ratio we do not use; it is 0 when every
    # text is the same, which is a valid input here.
    with np.errstate(divide="ignore", invalid="ignore"):
        svd = TruncatedSVD(dims, n_iter=SVD_ITERATIONS, random_state=SEED)
        if n > FIT_SAMPLE:  # learn the topics on a sample, project everyone: same space, less time
            svd.fit(matrix[_sample(n)])
            reduced = svd.transform(matrix)
        else:
            reduced = svd.fit_transform(matrix)
    return np.asarray(normalize(reduced), dtype=np.float64)


def _sample(n: int) -> np.ndarray:
    """A fixed pseudo-random sample of FIT_SAMPLE row positions (sorted), the same for the same n."""
    return np.sort(np.random.RandomState(SEED).choice(n, FIT_SAMPLE, replace=False))


def group(
    texts: Sequence[str], *, k: int | None = None, coherence: float = MIN_COHERENCE
) -> Grouping:
    """Cluster ``texts``: a label per text, -1 for the remainder.

    ``k`` fixes the number of clusters (for evaluation), else it is chosen from n; units whose
    cosine to their centre is below ``coherence`` go to the remainder.
    """
    n = len(texts)
    if n < 3:
        return Grouping(tuple([-1] * n), tuple([0.0] * n))
    folded = {fold(t) for t in texts}
    if len(folded) == 1 and "" not in folded:  # the same words every time: one point
        return Grouping(tuple([0] * n), tuple([1.0] * n))
    vectors = embed(texts)
    if vectors is None:
        return Grouping(tuple([-1] * n), tuple([0.0] * n))
    from sklearn.cluster import KMeans

    clusters = min(k or choose_k(n), n - 1)
    distinct_rows = len(np.unique(np.round(vectors, 6), axis=0))
    clusters = max(1, min(clusters, distinct_rows))
    model = KMeans(clusters, n_init=2 if n <= 1000 else 1, max_iter=50, random_state=SEED)
    if n > FIT_SAMPLE:
        model.fit(vectors[_sample(n)])
        labels = model.predict(vectors).astype(int)
    else:
        labels = model.fit(vectors).labels_.astype(int)
    centres = model.cluster_centers_
    norms = np.linalg.norm(centres, axis=1)
    norms[norms == 0] = 1.0
    closeness = np.einsum("ij,ij->i", vectors, centres[labels] / norms[labels, None])
    out = [int(x) if c >= coherence else -1 for x, c in zip(labels, closeness, strict=True)]
    kept = [float(c) if o >= 0 else 0.0 for c, o in zip(closeness, out, strict=True)]
    return Grouping(tuple(out), tuple(kept))


def _windows(ids: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of every window of ``size`` character ids (16 bits each) and their start positions."""
    count = len(ids) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    keys = np.zeros(count, dtype=np.uint64)
    ok = np.ones(count, dtype=bool)
    for j in range(size):
        part = ids[j : j + count]
        keys = (keys << np.uint64(16)) | part.astype(np.uint64)
        ok &= part > 0
    return keys[ok], np.flatnonzero(ok)


def key_phrases(groups: Sequence[Sequence[str]], limit: int = 3) -> list[tuple[str, ...]]:
    """For each group of texts, character 2-4-grams frequent in it and rare in the others.

    Vectorised over all groups at once: characters become dense 16-bit ids (0 separates runs and
    texts), an n-gram becomes one integer (its length follows from its magnitude), and document
    frequencies come from sorting.
    """
    sample = [list(g[:LABEL_SAMPLE]) for g in groups]
    texts = [t[:LABEL_CHARS] for g in sample for t in g]
    owner = np.repeat(np.arange(len(sample)), [len(g) for g in sample])
    runs = ["\x00".join(_RUNS.findall(t.translate(WIDTH).lower())) for t in texts]
    points = np.frombuffer(("\x00".join(runs) + "\x00").encode("utf-32-le"), dtype=np.uint32)
    chars, ids = np.unique(np.concatenate([[0], points]), return_inverse=True)
    ids = ids.ravel()[1:].astype(np.int64)
    if len(chars) >= 1 << 16 or not texts:
        return [() for _ in groups]
    stop = np.isin(
        chars, np.frombuffer("".join(sorted(_EDGE_STOP)).encode("utf-32-le"), dtype=np.uint32)
    )
    stop |= (chars >= ord("0")) & (chars <= ord("9"))
    doc = np.searchsorted(np.cumsum([len(r) + 1 for r in runs]), np.arange(len(ids)), side="right")
    parts_k: list[np.ndarray] = []
    parts_d: list[np.ndarray] = []
    for size in (2, 3, 4):
        keys, starts = _windows(ids, size)
        good = ~stop[ids[starts]] & ~stop[ids[starts + size - 1]]
        parts_k.append(keys[good])
        parts_d.append(doc[starts[good]])
    keys = np.concatenate(parts_k)
    docs = np.concatenate(parts_d)
    order = np.lexsort((docs, keys))
    keys, docs = keys[order], docs[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
    keys, docs = keys[first], docs[first]  # one row per (gram, text)
    grams, index, df_all = np.unique(keys, return_inverse=True, return_counts=True)
    index = index.ravel()
    length = (
        2
        + (grams >= np.uint64(1 << 32)).astype(np.int64)
        + (grams >= np.uint64(1 << 48)).astype(np.int64)
    )
    groups_of = owner[docs]
    out: list[tuple[str, ...]] = []
    for g, members in enumerate(sample):
        size = len(members)
        k_idx, df = np.unique(index[groups_of == g], return_counts=True)
        if not len(k_idx):
            out.append(())
            continue
        outside = df_all[k_idx] - df
        score = (df / size) * (np.log((len(texts) - size + 1) / (outside + 1)) + 1.0)
        score *= 1 + 0.3 * (length[k_idx] - 2)
        if size > 1:
            score[df < 2] = 0.0
        ranked = np.lexsort((k_idx, -score))[:40]
        chosen: list[str] = []
        support: list[int] = []
        for r in ranked:
            if score[r] <= 0 or len(chosen) == limit:
                break
            gram = _decode(int(grams[k_idx[r]]), chars)
            _place(gram, int(df[r]), chosen, support)
        out.append(tuple(chosen))
    return out


def _place(gram: str, df: int, chosen: list[str], support: list[int]) -> None:
    """Add ``gram`` to the phrases, or grow the phrase it continues ("网络身份" + "身份管理")."""
    for i, phrase in enumerate(chosen):
        if gram in phrase:
            return
        if phrase in gram:
            return
        size = _overlap(phrase, gram)
        if size == 0:
            continue
        # Grow a phrase by a gram that continues it and is about as common; drop any other
        # gram that shares characters with it (a fragment of the same words).
        if size >= 2 and df >= 0.7 * support[i] and len(phrase) + len(gram) - size <= MAX_PHRASE:
            chosen[i] = (
                phrase + gram[size:] if phrase.endswith(gram[:size]) else gram + phrase[size:]
            )
        return
    chosen.append(gram)
    support.append(df)


def _decode(key: int, chars: np.ndarray) -> str:
    letters: list[str] = []
    while key:
        letters.append(chr(int(chars[key & 0xFFFF])))
        key >>= 16
    return "".join(reversed(letters))


def _overlap(a: str, b: str) -> int:
    """Length of the longest end of one phrase that starts the other ("电子客" and "子客票": 2)."""
    for size in range(min(len(a), len(b)) - 1, 0, -1):
        if a.endswith(b[:size]) or b.endswith(a[:size]):
            return size
    return 0


@dataclass(frozen=True)
class Unit:
    """A distinct comment: one independent comment, or a campaign counted once."""

    text: str
    representative: int
    members: tuple[int, ...]
    campaign: str | None = None


def quote(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def lead(text: str, limit: int = 24) -> str:
    """The opening phrase of a text, without a short salutation ("尊敬的领导：")."""
    body = " ".join(text.split())
    head, sep, rest = body.partition("：")
    if sep and len(head) <= 10 and rest:
        body = rest
    phrase = re.split(r"[，。；！？,.;!?]", body, maxsplit=1)[0] or body
    return quote(phrase, limit)


def build_clusters(
    bucket: str, units: Sequence[Unit], stance: dict[int, str]
) -> tuple[Cluster, ...]:
    """Clusters of one digest section, largest first, then the "其他" remainder if any."""
    units = sorted(units, key=lambda u: min(u.members))
    grouping = group([u.text for u in units])
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(grouping.labels):
        by_label.setdefault(label, []).append(i)
    rest: list[int] = []
    groups: list[list[int]] = []
    for label in sorted(by_label):
        positions = by_label[label]
        if label >= 0 and (len(positions) > 1 or units[positions[0]].campaign is not None):
            groups.append(sorted(positions, key=lambda i: (-grouping.closeness[i], i)))
            continue
        for i in positions:
            if units[i].campaign is not None:
                groups.append([i])  # a campaign is a point of its own even when alone
            else:
                rest.append(i)
    rest.sort()
    # The remainder takes part in labelling as contrast, so that its words do not label others.
    phrases = key_phrases([[units[i].text for i in g] for g in [*groups, rest]])
    clusters = [
        _cluster(bucket, [units[i] for i in g], stance, p)
        for g, p in zip(groups, phrases, strict=False)
    ]
    clusters.sort(key=lambda c: (-c.size, c.members[0]))
    if rest:
        members = tuple(sorted(m for i in rest for m in units[i].members))
        clusters.append(
            Cluster(
                id=f"{bucket}:{REMAINDER_LABEL}",
                bucket=bucket,
                label=REMAINDER_LABEL,
                keywords=(),
                representative=None,
                quote="",
                members=members,
                distinct=len(rest),
                campaigns=(),
                stance=_split(members, stance),
                remainder=True,
            )
        )
    return tuple(clusters)


def _split(members: Sequence[int], stance: dict[int, str]) -> dict[str, int]:
    counts = Counter(stance.get(m, "other") for m in members)
    return {s: counts.get(s, 0) for s in STANCES}


def _cluster(
    bucket: str, units: Sequence[Unit], stance: dict[int, str], phrases: tuple[str, ...]
) -> Cluster:
    """One cluster; ``units`` come most central first."""
    members = tuple(sorted(m for u in units for m in u.members))
    head = units[0]
    # Key phrases need at least two texts to agree; one text (a lone campaign) speaks for itself.
    keywords = phrases if len(units) > 1 else ()
    return Cluster(
        id=f"{bucket}:c{members[0]}",
        bucket=bucket,
        label=" · ".join(keywords) if keywords else lead(head.text),
        keywords=keywords,
        representative=head.representative,
        quote=quote(head.text),
        members=members,
        distinct=len(units),
        campaigns=tuple(sorted(u.campaign for u in units if u.campaign)),
        stance=_split(members, stance),
    )
