"""Hashed character n-grams and linear models over them, in numpy alone.

The learned stance, tone and known-target models (``analysis.stance_model``,
``analysis.known_targets``) share these: a batch of texts becomes one array of code points, every
k-gram inside a text becomes a 63-bit key (``analysis.polarity._keys``), and a salted
multiply-shift hash puts it in one of ``2**BITS`` columns. Scoring is a sparse dot product.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.polarity import _keys  # one n-gram key scheme for every model

__all__ = [
    "BITS",
    "Features",
    "LinearModel",
    "batch",
    "clean",
    "gram_rows",
    "hash_grams",
    "log_counts",
    "log_softmax",
]

BITS = 18
_SPACE = re.compile(r"\s+")
_MULT = np.uint64(0x9E3779B97F4A7C15)


def clean(text: str) -> str:
    """Lower-cased, whitespace collapsed: the form every model reads."""
    return _SPACE.sub(" ", text.lower()).strip()


def hash_grams(keys: np.ndarray, salt: int) -> np.ndarray:
    """Multiply-shift hash of 63-bit gram keys into ``BITS`` bits, one salt per namespace."""
    mixed = (keys ^ np.uint64(salt)) * _MULT
    mixed ^= mixed >> np.uint64(29)
    mixed = mixed * _MULT
    return (mixed >> np.uint64(64 - BITS)).astype(np.int64)


@dataclass(frozen=True)
class Features:
    """A sparse batch: (row, column, value) triplets over ``width`` columns. ``texts`` and
    ``targets`` are the cleaned comments and their targets, for models that read them again."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    n: int
    width: int
    texts: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()


def batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points of the concatenated texts, the text index of each, and the lengths."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    joined = "".join(texts)
    codes = (
        np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        if len(texts)
        else np.zeros(0, np.uint64)
    )
    return codes, np.repeat(np.arange(len(texts), dtype=np.int64), lengths), lengths


def gram_rows(
    codes: np.ndarray, doc: np.ndarray, sizes: Sequence[int], salt: int, require: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and hashed columns of every k-gram inside one text (holding ``require``, if set)."""
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for k in sizes:
        keys = _keys(codes, k)
        if not len(keys):
            continue
        start = doc[: len(keys)]
        inside = start == doc[k - 1 : k - 1 + len(keys)]
        if require:
            mark = np.uint64(ord(require))
            held = np.zeros(len(keys), dtype=bool)
            for j in range(k):
                held |= codes[j : j + len(keys)] == mark
            inside &= held
        rows.append(start[inside])
        cols.append(hash_grams(keys[inside], salt + k))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def log_counts(
    rows: np.ndarray, cols: np.ndarray, n: int, weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct (row, column) once, valued ``1 + log(count)`` (times ``weight[column]``,
    if given), each row scaled to unit length."""
    if not len(rows):
        return rows, cols, np.zeros(0, np.float64)
    pairs, counts = np.unique(rows * (1 << BITS) + cols, return_counts=True)
    rows = pairs >> BITS
    cols = pairs & ((1 << BITS) - 1)
    vals = 1.0 + np.log(counts)
    if weight is not None:
        vals = vals * weight[cols]
    norm = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
    return rows, cols, vals / np.maximum(norm[rows], 1e-12)


def log_softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise log-probabilities of class log-odds."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class LinearModel:
    """Weights ``(width, classes)`` and biases of a multinomial logistic regression."""

    classes: tuple[str, ...]
    weight: np.ndarray
    bias: np.ndarray

    def scores(self, x: Features) -> np.ndarray:
        """Class log-odds ``(n, classes)``: a sparse dot product, one ``bincount`` per class."""
        out = np.tile(self.bias.astype(np.float64), (x.n, 1))
        if len(x.rows):
            contrib = self.weight[x.cols].astype(np.float64) * x.vals[:, None]
            for j in range(len(self.classes)):
                out[:, j] += np.bincount(x.rows, weights=contrib[:, j], minlength=x.n)
        return out
