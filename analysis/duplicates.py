"""Campaigns: groups of copied comments (form letters) and floods from one client.

Two comments belong to the same campaign when their character 3-gram sets are near-identical
(Jaccard >= ``JACCARD``) or one is contained in the other (a form letter with sentences added,
containment >= ``CONTAINMENT``). Candidates come from MinHash LSH (banded signatures computed with
numpy) and are then checked exactly, so LSH only decides what is compared, never what is merged.
Independent comments making the same point in their own words share far fewer 3-grams and stay
apart. Traditional characters are read as simplified first, so a copy retyped in traditional
script still joins its campaign. Texts shorter than ``MIN_CHARS`` (after normalisation) never form a text campaign: many
people write "同意" on their own. A flood (one client sending the same text ``FLOOD_MIN`` times
within ``FLOOD_WINDOW``) is a campaign whatever its length.

Campaign ids are ``"{bucket}:k{smallest member id}"``: new comments have larger ids, so an id
survives re-analysis unless two campaigns merge (the older id wins) or one splits.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import numpy as np

from analysis.models import Addition, Campaign, CommentInput
from analysis.text import sentences, to_simplified

JACCARD = 0.5
CONTAINMENT = 0.8
MIN_CHARS = 20
MIN_CONTAINED_SHINGLES = 20
FLOOD_MIN = 3
FLOOD_WINDOW = timedelta(minutes=10)
MAX_SHINGLES = 2000
SIGNATURE_CHARS = 400  # MinHash looks at the opening; the exact check sees up to MAX_SHINGLES
MAX_ADDITIONS = 50
NUM_PERM = 60
BANDS = 20  # 20 bands of 3 rows: P(candidate) is 0.93 at Jaccard 0.5, 0.42 at 0.3
PIVOTS = 8

WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_NON_WORD = re.compile(r"[\W_]+")
_RNG = np.random.RandomState(20170813)
_A = _RNG.randint(0, 1 << 62, size=NUM_PERM, dtype=np.int64).astype(np.uint64) * np.uint64(
    2
) + np.uint64(1)
_B = _RNG.randint(0, 1 << 62, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_MIX = np.uint64(0xFF51AFD7ED558CCD)


def fold(text: str) -> str:
    """Full width to half width, lower case, no whitespace or punctuation: the text copies share."""
    return _NON_WORD.sub("", text.translate(WIDTH).lower())


def shingles(folded: str) -> set[str]:
    """Character 3-grams of a folded text (the whole text when shorter)."""
    if len(folded) < 3:
        return {folded} if folded else set()
    limit = min(len(folded) - 2, MAX_SHINGLES)
    return {folded[i : i + 3] for i in range(limit)}


def similar(a: set[str], b: set[str]) -> bool:
    """The exact test behind every merge: near-identical, or one contained in the other."""
    if not a or not b:
        return False
    common = len(a & b)
    if common >= JACCARD * (len(a) + len(b) - common):
        return True
    small = min(len(a), len(b))
    return small >= MIN_CONTAINED_SHINGLES and common >= CONTAINMENT * small


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            # The smaller index (older comment) stays the root.
            if rj < ri:
                ri, rj = rj, ri
            self.parent[rj] = ri


def _signatures(texts: Sequence[str]) -> np.ndarray:
    """MinHash signatures (len(texts) x NUM_PERM) of folded texts of 3+ characters.

    Vectorised: each 3-gram is its three code points packed in 63 bits, mixed, then hashed by
    NUM_PERM multiply-add functions; the minimum per text comes from ``minimum.reduceat``.
    """
    heads = [t[:SIGNATURE_CHARS] for t in texts]
    lengths = np.fromiter((len(t) for t in heads), dtype=np.int64, count=len(heads))
    points = np.frombuffer("".join(heads).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    grams = (points[:-2] << np.uint64(42)) | (points[1:-1] << np.uint64(21)) | points[2:]
    ends = np.cumsum(lengths)
    valid = np.ones(len(grams), dtype=bool)
    valid[ends[ends - 1 < len(grams)] - 1] = False
    valid[ends[ends - 2 < len(grams)] - 2] = False
    values = grams[valid]
    values ^= values >> np.uint64(33)
    values *= _MIX
    values ^= values >> np.uint64(29)
    starts = ends - lengths - 2 * np.arange(len(heads), dtype=np.int64)
    out = np.empty((len(heads), NUM_PERM), dtype=np.uint64)
    buffer = np.empty_like(values)
    for k in range(NUM_PERM):
        # (a * x + b) mod 2**64: ordering by the full word is ordering by its strong high bits.
        np.multiply(values, _A[k], out=buffer)
        buffer += _B[k]
        out[:, k] = np.minimum.reduceat(buffer, starts)
    return out


def _near_pairs(texts: Sequence[str], uf: _UnionFind, index: Sequence[int]) -> None:
    """Union every verified near-duplicate pair among ``texts`` (positions mapped by ``index``)."""
    if len(texts) < 2:
        return
    signatures = _signatures(texts)
    sets: dict[int, set[str]] = {}

    def grams(i: int) -> set[str]:
        if i not in sets:
            sets[i] = shingles(texts[i])
        return sets[i]

    rows = NUM_PERM // BANDS
    for band in range(BANDS):
        part = signatures[:, band * rows : (band + 1) * rows]
        buckets: dict[bytes, list[int]] = defaultdict(list)
        for i, key in enumerate(map(bytes, part)):
            buckets[key].append(i)
        for members in buckets.values():
            if len(members) < 2:
                continue
            # Compare each member with a few pivots only: a 5,000-copy form letter costs
            # 5,000 x PIVOTS checks, not 5,000 squared.
            pivots: list[int] = [members[0]]
            for i in members[1:]:
                if uf.find(index[i]) == uf.find(index[pivots[0]]):
                    continue
                for p in pivots:
                    if similar(grams(i), grams(p)):
                        uf.union(index[i], index[p])
                        break
                else:
                    if len(pivots) < PIVOTS:
                        pivots.append(i)


def _floods(comments: Sequence[CommentInput], folded: Sequence[str]) -> list[list[int]]:
    """Positions of comments one client sent FLOOD_MIN+ times within FLOOD_WINDOW, same text."""
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, c in enumerate(comments):
        if c.client and folded[i]:
            by_key[(c.client, folded[i])].append(i)
    floods: list[list[int]] = []
    earliest = datetime.min
    for positions in by_key.values():
        if len(positions) < FLOOD_MIN:
            continue
        timed = sorted(positions, key=lambda i: (comments[i].created_at or earliest, i))
        start = 0
        chosen: set[int] = set()
        for end in range(len(timed)):
            t_end = comments[timed[end]].created_at
            while start < end:
                t_start = comments[timed[start]].created_at
                if t_end is None or t_start is None or t_end - t_start <= FLOOD_WINDOW:
                    break
                start += 1
            if end - start + 1 >= FLOOD_MIN:
                chosen.update(timed[start : end + 1])
        if chosen:
            floods.append(sorted(chosen))
    return floods


def _additions(
    members: Iterable[int],
    comments: Sequence[CommentInput],
    folded: Sequence[str],
    template: str,
) -> tuple[Addition, ...]:
    base = shingles(template)
    seen: set[str] = set()
    found: list[Addition] = []
    for i in members:
        if folded[i] == template:
            continue
        for sentence in sentences(comments[i].body):
            key = fold(to_simplified(sentence))  # compared like the template, which is simplified
            if len(key) < 4 or key in seen:
                continue
            grams = shingles(key)
            if len(grams & base) < 0.5 * len(grams):
                seen.add(key)
                found.append(Addition(comments[i].id, sentence))
                if len(found) >= MAX_ADDITIONS:
                    return tuple(found)
    return tuple(found)


def find_campaigns(comments: Sequence[CommentInput], bucket: str) -> tuple[Campaign, ...]:
    """Campaigns among ``comments`` (one digest section), largest first.

    >>> from analysis.models import CommentInput
    >>> letter = "我们坚决反对在第三条中增加收费项目，此举将加重群众负担，请予删除。"
    >>> cs = [CommentInput(i, "1", f"尊敬的领导：{letter}") for i in (5, 7, 9)]
    >>> [(c.id, c.size) for c in find_campaigns(cs, "1")]
    [('1:k5', 3)]
    """
    ordered = sorted(comments, key=lambda c: c.id)
    folded = [fold(to_simplified(c.body)) for c in ordered]
    uf = _UnionFind(len(ordered))
    in_flood: set[int] = set()
    for flood in _floods(ordered, folded):
        in_flood.update(flood)
        for i in flood[1:]:
            uf.union(flood[0], i)
    # Exact copies first: one LSH entry per distinct long text.
    first: dict[str, int] = {}
    for i, f in enumerate(folded):
        if len(f) < MIN_CHARS:
            continue
        if f in first:
            uf.union(first[f], i)
        else:
            first[f] = i
    distinct = list(first.values())
    _near_pairs([folded[i] for i in distinct], uf, distinct)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(ordered)):
        groups[uf.find(i)].append(i)
    campaigns: list[Campaign] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        # The representative: the text sent most often, the oldest copy of it on a tie.
        counts = Counter(folded[i] for i in members)
        rep = min(members, key=lambda i: (-counts[folded[i]], i))
        template = folded[rep]
        ids = tuple(ordered[i].id for i in members)
        campaigns.append(
            Campaign(
                id=f"{bucket}:k{min(ids)}",
                bucket=bucket,
                representative=ordered[rep].id,
                text=ordered[rep].body,
                members=ids,
                additions=_additions(members, ordered, folded, template),
                flood=any(i in in_flood for i in members),
            )
        )
    campaigns.sort(key=lambda c: (-c.size, c.members[0]))
    return tuple(campaigns)
