"""Static token vectors: a comment embedded as the weighted mean of its known words' vectors.

The shipped table (``data/static_vectors.npz``) holds about 24k Chinese tokens (frequent
characters and jieba words of 2-4 characters) with a float16 vector each, distilled once from
multilingual-e5-small by ``tools/build_vectors.py``. At run time no model and no word segmenter
is needed: every character 1-4-gram of a comment that is a token of the table counts, looked up
with vectorised numpy (about 10⁵ short comments per second). A comment is the mean of its tokens'
vectors weighted by a smoothed inverse frequency (global, from the table) times the inverse
document frequency within the texts embedded together, so that words every comment of a clause
uses ("建议", the clause's own terms) weigh less than the words that make a point.

The build steps (``choose_vocabulary``, ``distil``, ``save``) are plain functions over plain data
that take the encoder as a callable, so they can be checked on a tiny case without the model.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from analysis.duplicates import fold
from analysis.text import to_simplified

PATH = Path(__file__).resolve().parent / "data" / "static_vectors.npz"
MAX_TOKEN = 4
MAX_CHARS_VOCAB = 5000
EMBED_CHARS = 400
SIF_A = 1e-4
CHAR_WEIGHT = 0.35  # a single character says less about the point than a word


@dataclass(frozen=True)
class Table:
    """Tokens, their vectors (float16, rows not normalised) and a weight per token."""

    tokens: tuple[str, ...]
    vectors: np.ndarray
    weights: np.ndarray


def choose_vocabulary(
    counts: Counter[str], size: int, *, min_count: int = 3
) -> tuple[list[str], list[int]]:
    """Frequent characters first (up to a third of ``size``), then the most frequent words.

    Ties break by the token itself, so the same counts always give the same vocabulary.
    """
    ranked = sorted(
        (t for t, c in counts.items() if c >= min_count and 1 <= len(t) <= MAX_TOKEN),
        key=lambda t: (-counts[t], t),
    )
    chars = [t for t in ranked if len(t) == 1][: min(MAX_CHARS_VOCAB, size // 3)]
    words = [t for t in ranked if len(t) > 1][: size - len(chars)]
    tokens = sorted(chars + words)
    return tokens, [counts[t] for t in tokens]


def distil(
    tokens: Sequence[str],
    freq: Sequence[int],
    encode: Callable[[list[str]], np.ndarray],
    *,
    dims: int = 128,
    batch: int = 64,
) -> Table:
    """Embed every token once, centre, reduce by PCA to ``dims`` and attach SIF weights.

    Deterministic for a deterministic encoder: PCA by SVD with each axis's sign fixed so that its
    largest loading is positive.
    """
    rows = [
        np.asarray(encode(list(tokens[i : i + batch])), dtype=np.float64)
        for i in range(0, len(tokens), batch)
    ]
    matrix = np.vstack(rows) if rows else np.zeros((0, dims))
    matrix = matrix - matrix.mean(axis=0, keepdims=True)
    dims = max(1, min(dims, matrix.shape[0] - 1, matrix.shape[1]))
    _, _, axes = np.linalg.svd(matrix, full_matrices=False)
    axes = axes[:dims]
    signs = np.sign(axes[np.arange(dims), np.abs(axes).argmax(axis=1)])
    signs[signs == 0] = 1.0
    reduced = matrix @ (axes * signs[:, None]).T
    total = float(sum(freq)) or 1.0
    weights = np.array([SIF_A / (SIF_A + f / total) for f in freq], dtype=np.float64)
    return Table(tuple(tokens), reduced.astype(np.float16), weights.astype(np.float16))


def save(table: Table, path: Path = PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        tokens=np.array("\n".join(table.tokens)),
        vectors=table.vectors.astype(np.float16),
        weights=table.weights.astype(np.float16),
    )


def load(path: Path = PATH) -> Table | None:
    """The table at ``path``, or None when it is not there."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        tokens = tuple(str(data["tokens"]).split("\n"))
        return Table(tokens, data["vectors"], data["weights"])


@dataclass(frozen=True)
class _Index:
    char_ids: np.ndarray  # code point (BMP) -> dense id, 0 for characters no token uses
    keys: np.ndarray  # sorted uint64 keys of the tokens
    rows: np.ndarray  # table row of each key
    vectors: np.ndarray  # float32
    weights: np.ndarray  # float32, with the single-character factor applied


def _key(ids: Sequence[int]) -> int:
    key = 0
    for i in ids:
        key = (key << 16) | i
    return key


def build_index(table: Table) -> _Index:
    chars = sorted({ch for t in table.tokens for ch in t if ord(ch) < 0x10000})
    char_ids = np.zeros(0x10000, dtype=np.int64)
    for n, ch in enumerate(chars, start=1):
        char_ids[ord(ch)] = n
    keys = np.array(
        [
            _key([int(char_ids[ord(ch)]) for ch in t]) if all(ord(ch) < 0x10000 for ch in t) else 0
            for t in table.tokens
        ],
        dtype=np.uint64,
    )
    order = np.argsort(keys, kind="stable")
    weights = table.weights.astype(np.float32).copy()
    weights[[i for i, t in enumerate(table.tokens) if len(t) == 1]] *= CHAR_WEIGHT
    return _Index(char_ids, keys[order], order, table.vectors.astype(np.float32), weights)


@functools.lru_cache(maxsize=1)
def shipped() -> _Index | None:
    """The index of the shipped table, loaded once per process (None when it is absent)."""
    table = load()
    return build_index(table) if table is not None else None


def token_counts(texts: Sequence[str], index: _Index) -> sparse.csr_matrix:
    """Counts of each table token (as a character 1-4-gram) per text, vectorised."""
    heads = [fold(to_simplified(t))[:EMBED_CHARS] for t in texts]
    joined = "\x00".join(heads) + "\x00"
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    ids = np.where(points < 0x10000, index.char_ids[np.minimum(points, 0xFFFF)], 0)
    ids[points == 0] = 0
    doc = np.cumsum(points == 0) - (points == 0)  # the text each position belongs to
    rows_all: list[np.ndarray] = []
    cols_all: list[np.ndarray] = []
    for size in range(1, MAX_TOKEN + 1):
        count = len(ids) - size + 1
        if count <= 0:
            break
        keys = np.zeros(count, dtype=np.uint64)
        ok = np.ones(count, dtype=bool)
        for j in range(size):
            part = ids[j : j + count]
            keys = (keys << np.uint64(16)) | part.astype(np.uint64)
            ok &= part > 0
        starts = np.flatnonzero(ok)
        keys = keys[ok]
        at = np.searchsorted(index.keys, keys)
        at = np.minimum(at, len(index.keys) - 1)
        hit = index.keys[at] == keys
        rows_all.append(doc[starts[hit]])
        cols_all.append(index.rows[at[hit]])
    rows = np.concatenate(rows_all) if rows_all else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols_all) if cols_all else np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(len(texts), len(index.rows)),
    )
    matrix.sum_duplicates()
    return matrix


def embed(texts: Sequence[str], index: _Index | None = None) -> np.ndarray | None:
    """One L2-normalised row per text (zeros for a text with no known token), or None."""
    index = index if index is not None else shipped()
    if index is None or not texts:
        return None
    counts = token_counts(texts, index)
    n = len(texts)
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    idf = np.log((n + 1) / (df + 1)) + 1.0 if n >= 5 else np.ones(counts.shape[1])
    weights = counts.copy()
    weights.data = np.sqrt(weights.data)  # a word said three times is not three points
    weights = weights.multiply((index.weights * idf.astype(np.float32))[None, :]).tocsr()
    out = np.asarray(weights @ index.vectors, dtype=np.float64)
    norms = np.linalg.norm(out, axis=1)
    norms[norms == 0] = 1.0
    return out / norms[:, None]


def size_bytes(path: Path = PATH) -> int:
    return path.stat().st_size if path.exists() else 0


def coverage(texts: Sequence[str], index: _Index) -> float:
    """Share of texts with at least one known token (for benchmarks)."""
    counts = token_counts(texts, index)
    return float((np.diff(counts.indptr) > 0).mean()) if len(texts) else math.nan


@functools.lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """The words (2+ characters) of the shipped table, for cutting labels at word boundaries."""
    table = load()
    return frozenset(t for t in table.tokens if len(t) > 1) if table is not None else frozenset()
