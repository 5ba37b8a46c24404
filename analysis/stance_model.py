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

These feed the *general* level one, which must read targets it has never seen. A target seen
often in training also has weights of its own (``analysis.known_targets``); the hashing and the
sparse scoring are ``analysis.grams``.

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

from analysis.grams import BITS, Features, LinearModel, batch, clean, gram_rows, log_counts
from analysis.known_targets import KnownTargets
from analysis.polarity import _keys

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
TARGET_MARK = "\ue000"
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


@lru_cache(maxsize=256)
def target_bigrams(target: str) -> frozenset[str]:
    """Content bigrams of the target: two CJK or two Latin/digit characters, no function word."""
    t = clean(target)
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
    t = clean(text)
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
    cleaned = [clean(t) for t in texts]
    codes, doc, lengths = batch(cleaned)
    r1, c1 = gram_rows(codes, doc, (1, 2, 3), 0x51)
    # Only masked grams that hold the placeholder: the others repeat the plain grams.
    aims = [clean(t) for t in targets]
    m_codes, m_doc, cover = _masked(codes, doc, lengths, aims)
    r2, c2 = gram_rows(m_codes, m_doc, (2, 3), 0x6D, require=TARGET_MARK)
    rows, cols, vals = log_counts(np.concatenate([r1, r2]), np.concatenate([c1, c2]), n)
    dense = _dense(cleaned, targets, cover, cues)
    d_rows, d_cols = np.nonzero(dense)
    return Features(
        rows=np.concatenate([rows, d_rows.astype(np.int64)]),
        cols=np.concatenate([cols, (1 << BITS) + d_cols.astype(np.int64)]),
        vals=np.concatenate([vals, dense[d_rows, d_cols]]),
        n=n,
        width=(1 << BITS) + len(DENSE),
        texts=tuple(cleaned),
        targets=tuple(aims),
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
    (``analysis.stance.stance_scores`` mixes the two stackers by it); ``known``, the targets seen
    often in training with weights of their own (``analysis.known_targets``), if any."""

    stance: LinearModel
    tone: LinearModel
    stance_stack: Stacker
    tone_stack: Stacker
    genre: LinearModel
    post_stack: Stacker
    known: KnownTargets | None = None

    def level_one(self, x: Features) -> np.ndarray:
        """Favor/against/none log-odds (``stance.classes``): the general model's, blended with
        the known target's own model for a comment under a known target."""
        general = self.stance.scores(x)
        return general if self.known is None else self.known.level_one(general, x)

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
    if models.known is not None:
        arrays["known_keys"] = np.asarray(models.known.keys)
        arrays["known_idf"] = models.known.idf.astype(np.float16)
        arrays["known_w"] = models.known.model.weight.astype(np.float16)
        arrays["known_b"] = models.known.model.bias.astype(np.float32)
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
            if "known_keys" in data:
                parts["known"] = KnownTargets(
                    tuple(str(k) for k in data["known_keys"]),
                    LinearModel(
                        parts["stance"].classes,
                        data["known_w"].astype(np.float32),
                        data["known_b"].astype(np.float64),
                    ),
                    data["known_idf"].astype(np.float32),
                )
    except (OSError, ValueError, KeyError, EOFError):
        return None
    return StanceModels(**parts)  # type: ignore[arg-type]


def load(path: Path = MODEL_PATH) -> StanceModels | None:
    """The shipped models, read once; ``None`` if the file is missing or damaged."""
    with _lock:
        return _cached(str(path))
