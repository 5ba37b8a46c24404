"""Targets seen often in training, each with n-gram weights of its own.

Every draft brings new targets (its clauses), which the general level one of
``analysis.stance_model`` reads through what transfers between targets: the words around the
target's own words, the rule cues. A target seen in training with at least ``MIN_KNOWN``
labelled texts — the five NLPCC 2016 topics, or a clause an office labelled that often and
retrained on (``python -m analysis.train_stance --labels``) — also has weights of its own: the
comment's character 1–3-grams hashed with a salt of that target, idf-weighted, in one
logistic regression over all known targets (so, in effect, one model per target).

For a comment filed under a known target the level one is the blend ``KNOWN_SHARE`` × the known
model's log-probabilities + the rest × the general one's. A target is known when its content
characters (CJK, Latin letters, digits) contain a known key: a clause that states the topic
("关于深圳禁摩限电") matches "深圳禁摩限电". Any other target is read by the general model alone,
exactly as without this part. ``MIN_KNOWN``, ``KNOWN_SHARE`` and the known model's
regularisation were chosen by cross-validation on the NLPCC training posts (docs/evaluation.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analysis.grams import BITS, Features, LinearModel, batch, gram_rows, log_counts, log_softmax

__all__ = [
    "KNOWN_SHARE",
    "MIN_KEY",
    "MIN_KNOWN",
    "KnownTargets",
    "blend",
    "known_features",
    "match_key",
    "target_key",
]

MIN_KNOWN = 100  # labelled texts under one target before it gets weights of its own
MIN_KEY = 4  # content characters of a known key: a shorter one would match by accident
KNOWN_SHARE = 0.7
_OTHER = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")


def target_key(target: str) -> str:
    """The content characters of a target, lower-cased: its key among the known targets."""
    return _OTHER.sub("", target.lower())


def _salt(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest(), "little")


def known_features(
    texts: Sequence[str], keys: Sequence[str], idf: np.ndarray | None = None
) -> Features:
    """Each cleaned text's character 1–3-grams hashed with the salt of its known key (a text
    with key ``""`` has none), valued ``1 + log(count)`` × ``idf`` and scaled to unit length."""
    n = len(texts)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for key in sorted(set(keys) - {""}):
        picked = [i for i, k in enumerate(keys) if k == key]
        codes, doc, _ = batch([texts[i] for i in picked])
        r, c = gram_rows(codes, doc, (1, 2, 3), _salt(key))
        rows.append(np.asarray(picked, dtype=np.int64)[r])
        cols.append(c)
    r_all = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c_all = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    r_all, c_all, vals = log_counts(r_all, c_all, n, idf)
    return Features(r_all, c_all, vals, n, 1 << BITS)


@lru_cache(maxsize=1024)
def match_key(keys: tuple[str, ...], target: str) -> str:
    """The key of ``keys`` that ``target``'s content holds (the longest, if several), or ``""``."""
    content = target_key(target)
    found = [k for k in keys if k in content]
    return max(found, key=lambda k: (len(k), k)) if found else ""


def blend(general: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The level one of texts under a known target, from both models' class log-odds."""
    return KNOWN_SHARE * log_softmax(known) + (1.0 - KNOWN_SHARE) * log_softmax(general)


@dataclass(frozen=True)
class KnownTargets:
    """The known keys, the logistic regression over their salted n-grams (the level one's
    classes, in its order) and the idf weight of each hashed column."""

    keys: tuple[str, ...]
    model: LinearModel
    idf: np.ndarray

    def match(self, target: str) -> str:
        """The known key ``target`` holds (the longest, if several), or ``""``."""
        return match_key(self.keys, target)

    def features(self, texts: Sequence[str], targets: Sequence[str]) -> Features:
        return known_features(texts, [self.match(t) for t in targets], self.idf)

    def level_one(self, general: np.ndarray, x: Features) -> np.ndarray:
        """``general`` (the general level one's scores of ``x``) with each row under a known
        target replaced by the blend."""
        keys = [self.match(t) for t in x.targets]
        rows = [i for i, k in enumerate(keys) if k]
        if not rows:
            return general
        kx = self.features([x.texts[i] for i in rows], [x.targets[i] for i in rows])
        out = general.astype(np.float64, copy=True)
        out[rows] = blend(general[rows], self.model.scores(kx))
        return out
