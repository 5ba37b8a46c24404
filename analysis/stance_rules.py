"""The cue rules of stance and tone: lexicons with negation scope, suggestion patterns, question
forms, rhetorical questions and sarcasm. ``read_rules`` is what the learned model reads as features
and what answers alone when there is no clause text or no model file (``analysis.stance``)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from analysis import lexicon

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
