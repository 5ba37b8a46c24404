"""Learned, target-aware stance and tone scores: hashed features and linear weights in numpy.

A comment is read together with its *target*: the text of the clause it is filed under (or the
draft's title for a comment on the whole draft). Features, all hashed into ``2**BITS`` buckets:

- ``c``: character 1–3-grams of the comment (lower-cased, whitespace collapsed);
- ``m``: character 2–3-grams of the comment after every stretch it shares with the target (a
  character bigram found in the target) is replaced by one placeholder, ``TARGET_MARK``: "支持Ⓣ",
  "不Ⓣ", "Ⓣ早该" carry the stance toward the target whatever the target's own words are;
- ``d``: a few dense indicators: how much of the comment the target covers, whether the target
  itself restricts something (禁, 限, 取消…) crossed with the comment's restriction words, and the
  rule cues of ``analysis.stance`` (support, oppose, rhetorical question, sarcasm…).

Training lives in ``analysis.train_stance`` (scikit-learn); the shipped weights
(``analysis/data/stance_model.npz``, float16) are scored here with numpy alone. The file is read
lazily, once; without it ``load()`` returns ``None`` and the rules decide alone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.polarity import _keys  # one n-gram key scheme for both models

__all__ = [
    "BITS",
    "DENSE",
    "MODEL_PATH",
    "TARGET_MARK",
    "Features",
    "LinearModel",
    "StanceModels",
    "features",
    "load",
    "mask_target",
    "target_bigrams",
]

MODEL_PATH = Path(__file__).resolve().parent / "data" / "stance_model.npz"
BITS = 18
TARGET_MARK = "\ue000"
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Function characters: a bigram holding one says nothing about what a target is about.
_FUNCTION = frozenset("的了是和在与及等为对将要把不也就都而或之其以于这那有个我你他她它们")
_RESTRICT_TARGET = re.compile(r"禁|限|取消|停止|不得|不准|严禁|整治|打击|管控|关停|处罚|叫停")
_RESTRICT_COMMENT = re.compile(r"禁|限|取消|停止|不准|不许|严查|整治|打击|管|罚|抓")
_lock = threading.Lock()

# Names of the dense features, in column order after the hashed ones.
DENSE: tuple[str, ...] = (
    "bias",
    "cover_none",
    "cover_low",
    "cover_mid",
    "cover_high",
    "target_restricts",
    "restrict_both",
    "restrict_comment_only",
    "rule_support",
    "rule_oppose",
    "rule_suggest",
    "rule_question",
    "rule_rhetorical",
    "rule_sarcasm",
    "rule_scrap",
    "rule_pos",
    "rule_neg",
    "short",
    "long",
    "no_target",
)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.lower()).strip()


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


_MULT = np.uint64(0x9E3779B97F4A7C15)


def _hash(keys: np.ndarray, salt: int) -> np.ndarray:
    """Multiply-shift hash of 63-bit gram keys into ``BITS`` bits, one salt per namespace."""
    mixed = (keys ^ np.uint64(salt)) * _MULT
    mixed ^= mixed >> np.uint64(29)
    mixed = mixed * _MULT
    return (mixed >> np.uint64(64 - BITS)).astype(np.int64)


@lru_cache(maxsize=256)
def target_bigrams(target: str) -> frozenset[str]:
    """Content bigrams of the target: two CJK or two Latin/digit characters, no function word."""
    t = _clean(target)
    out: set[str] = set()
    for i in range(len(t) - 1):
        pair = t[i : i + 2]
        a, b = pair
        if a in _FUNCTION or b in _FUNCTION:
            continue
        if (_CJK.match(a) and _CJK.match(b)) or (a.isalnum() and b.isalnum() and a.isascii()):
            out.add(pair)
    return frozenset(out)


def mask_target(text: str, target: str) -> tuple[str, float]:
    """The comment with each stretch shared with the target replaced by ``TARGET_MARK``.

    Returns the masked text and the share of the comment's characters that were covered.
    """
    t = _clean(text)
    pairs = target_bigrams(target)
    if not pairs or len(t) < 2:
        return t, 0.0
    covered = [False] * len(t)
    for i in range(len(t) - 1):
        if t[i : i + 2] in pairs:
            covered[i] = covered[i + 1] = True
    out: list[str] = []
    for ch, cov in zip(t, covered, strict=True):
        if not cov:
            out.append(ch)
        elif not out or out[-1] != TARGET_MARK:
            out.append(TARGET_MARK)
    return "".join(out), sum(covered) / len(t)


@dataclass(frozen=True)
class Features:
    """A sparse batch: (row, column, value) triplets over ``2**BITS + len(DENSE)`` columns."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    n: int

    @property
    def width(self) -> int:
        return (1 << BITS) + len(DENSE)


def _batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points of the concatenated texts, the text index of each, and the lengths."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = _codes("".join(texts)) if len(texts) else np.zeros(0, np.uint64)
    return codes, np.repeat(np.arange(len(texts), dtype=np.int64), lengths), lengths


def _gram_rows(
    codes: np.ndarray, doc: np.ndarray, sizes: Sequence[int], salt: int, require: str = ""
) -> tuple[np.ndarray, ...]:
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
        cols.append(_hash(keys[inside], salt + k))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


@lru_cache(maxsize=256)
def _target_keys(target: str) -> np.ndarray:
    pairs = sorted(target_bigrams(target))
    return np.asarray([((ord(a) + 1) << 21) | (ord(b) + 1) for a, b in pairs], dtype=np.uint64)


def _masked(
    codes: np.ndarray, doc: np.ndarray, lengths: np.ndarray, targets: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``mask_target`` for a whole batch: masked codes, their text index, covered share."""
    covered = np.zeros(len(codes), dtype=bool)
    if len(codes) >= 2:
        # One membership test for every target at once: a pair's key (42 bits) tagged with
        # the number of its text's target, against the tagged bigrams of every target.
        pairs = _keys(codes, 2)
        same = doc[:-1] == doc[1:]
        number: dict[str, int] = {}
        tag = np.fromiter(
            (number.setdefault(t, len(number)) for t in targets),
            dtype=np.uint64,
            count=len(targets),
        )
        shift = np.uint64(42)
        valid = np.concatenate(
            [(np.uint64(i) << shift) | _target_keys(t) for t, i in number.items()]
        )
        if len(valid):
            hit = same & np.isin((tag[doc[:-1]] << shift) | pairs, valid)
            covered[:-1] |= hit
            covered[1:] |= hit
    share = np.bincount(doc, weights=covered, minlength=len(lengths)) / np.maximum(lengths, 1)
    run = np.zeros(len(codes), dtype=bool)  # covered, and so was the character before it
    if len(codes) >= 2:
        run[1:] = covered[1:] & covered[:-1] & (doc[1:] == doc[:-1])
    keep = ~run
    masked = np.where(covered, np.uint64(ord(TARGET_MARK)), codes)[keep]
    return masked, doc[keep], share


def features(
    texts: Sequence[str], targets: Sequence[str], cues: Sequence[Sequence[float]] | None = None
) -> Features:
    """Hashed features of each (comment, target) pair; ``cues`` are the rule cue values
    (``analysis.stance_rules.CUE_NAMES``: support, oppose, suggest, question, rhetorical, sarcasm,
    scrap, pos, neg), one row per comment, or ``None`` for zeros."""
    n = len(texts)
    if len(targets) != n:
        raise ValueError("texts and targets differ in length")
    clean = [_clean(t) for t in texts]
    codes, doc, lengths = _batch(clean)
    r1, c1 = _gram_rows(codes, doc, (1, 2, 3), 0x51)
    # Only masked grams that hold the placeholder: the others repeat the plain grams.
    m_codes, m_doc, cover = _masked(codes, doc, lengths, [_clean(t) for t in targets])
    r2, c2 = _gram_rows(m_codes, m_doc, (2, 3), 0x6D, require=TARGET_MARK)
    rows = np.concatenate([r1, r2])
    cols = np.concatenate([c1, c2])
    vals = np.ones(len(rows), dtype=np.float64)
    if len(rows):
        pairs, counts = np.unique(rows * (1 << BITS) + cols, return_counts=True)
        rows = pairs >> BITS
        cols = pairs & ((1 << BITS) - 1)
        vals = 1.0 + np.log(counts)
        norm = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
        vals = vals / norm[rows]
    dense = _dense(clean, targets, cover, cues)
    d_rows, d_cols = np.nonzero(dense)
    return Features(
        rows=np.concatenate([rows, d_rows.astype(np.int64)]),
        cols=np.concatenate([cols, (1 << BITS) + d_cols.astype(np.int64)]),
        vals=np.concatenate([vals, dense[d_rows, d_cols]]),
        n=n,
    )


def _dense(
    clean: Sequence[str],
    targets: Sequence[str],
    cover: np.ndarray,
    cues: Sequence[Sequence[float]] | None,
) -> np.ndarray:
    col = {name: i for i, name in enumerate(DENSE)}
    out = np.zeros((len(clean), len(DENSE)), dtype=np.float64)
    out[:, col["bias"]] = 1.0
    out[:, col["cover_none"]] = cover == 0
    out[:, col["cover_low"]] = (cover > 0) & (cover < 0.1)
    out[:, col["cover_mid"]] = (cover >= 0.1) & (cover < 0.3)
    out[:, col["cover_high"]] = cover >= 0.3
    for i, (text, target) in enumerate(zip(clean, targets, strict=True)):
        t_restricts = bool(_RESTRICT_TARGET.search(target))
        c_restricts = bool(_RESTRICT_COMMENT.search(text))
        out[i, col["target_restricts"]] = t_restricts
        out[i, col["restrict_both"]] = t_restricts and c_restricts
        out[i, col["restrict_comment_only"]] = c_restricts and not t_restricts
        out[i, col["short"]] = len(text) <= 12
        out[i, col["long"]] = len(text) >= 150
        out[i, col["no_target"]] = not target.strip()
    if cues is not None:
        names = tuple(n for n in DENSE if n.startswith("rule_"))
        values = np.asarray(cues, dtype=np.float64).reshape(len(clean), len(names))
        for j, name in enumerate(names):
            out[:, col[name]] = np.minimum(values[:, j], 3.0)
    return out


@dataclass(frozen=True)
class LinearModel:
    """Weights ``(width, classes)`` and biases of a multinomial logistic regression."""

    classes: tuple[str, ...]
    weight: np.ndarray
    bias: np.ndarray

    def scores(self, x: Features) -> np.ndarray:
        """Class log-odds ``(n, classes)``: a sparse dot product with ``np.add.at``."""
        out = np.tile(self.bias.astype(np.float64), (x.n, 1))
        if len(x.rows):
            contrib = self.weight[x.cols].astype(np.float64) * x.vals[:, None]
            for j in range(len(self.classes)):
                out[:, j] += np.bincount(x.rows, weights=contrib[:, j], minlength=x.n)
        return out


@dataclass(frozen=True)
class Stacker:
    """A small dense logistic regression over level-one scores and rule cues."""

    classes: tuple[str, ...]
    weight: np.ndarray  # (inputs, classes)
    bias: np.ndarray

    def scores(self, inputs: np.ndarray) -> np.ndarray:
        return inputs @ self.weight.astype(np.float64) + self.bias.astype(np.float64)


@dataclass(frozen=True)
class StanceModels:
    """The shipped models: stance toward the target (favor/against/none), tone (pos/neg/neu),
    the two stackers that turn them and the rule cues into the five stances and three tones;
    ``genre``, one column: the log-odds that a text reads as a social-media post rather than a
    comment written to the drafters, and ``post_stack``, the stance stacker for such posts
    (``analysis.stance.stance_scores`` mixes the two stackers by it)."""

    stance: LinearModel
    tone: LinearModel
    stance_stack: Stacker
    tone_stack: Stacker
    genre: LinearModel
    post_stack: Stacker

    def post_likeness(self, x: Features) -> np.ndarray:
        """How much each text reads as a social-media post, 0–1 (``genre`` as a probability)."""
        return 1.0 / (1.0 + np.exp(-self.genre.scores(x)[:, 0]))


_PARTS = ("stance", "tone", "stance_stack", "tone_stack", "genre", "post_stack")


def save(models: StanceModels, path: Path = MODEL_PATH) -> None:
    """Write the weights as float16 in one compressed ``.npz``."""
    arrays: dict[str, np.ndarray] = {"bits": np.asarray([BITS])}
    for name in _PARTS:
        part = getattr(models, name)
        arrays[f"{name}_w"] = part.weight.astype(np.float16)
        arrays[f"{name}_b"] = part.bias.astype(np.float32)
        arrays[f"{name}_classes"] = np.asarray(part.classes)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)


@lru_cache(maxsize=4)
def _cached(path: str) -> StanceModels | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["bits"][0]) != BITS:
                return None
            parts = {}
            for name in _PARTS:
                kind = Stacker if name.endswith("_stack") else LinearModel
                parts[name] = kind(
                    tuple(str(c) for c in data[f"{name}_classes"]),
                    data[f"{name}_w"].astype(np.float32),
                    data[f"{name}_b"].astype(np.float64),
                )
    except (OSError, ValueError, KeyError, EOFError):
        return None
    return StanceModels(**parts)  # type: ignore[arg-type]


def load(path: Path = MODEL_PATH) -> StanceModels | None:
    """The shipped models, read once; ``None`` if the file is missing or damaged."""
    with _lock:
        return _cached(str(path))
