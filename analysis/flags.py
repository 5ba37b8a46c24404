"""Moderation flags (spam, abuse, personal data, off-topic) and masking of personal data.

``mask_pii`` runs on every comment shown in a public page or a public export.

>>> flags("加微信 abc12345 领取优惠券，日赚500")
('spam',)
>>> mask_pii("电话13812341234，邮箱zhang@example.com")
'电话138****1234，邮箱z***@example.com'
"""

from __future__ import annotations

import re
from collections.abc import Collection

from analysis.lexicon import ABUSE, OPPOSE, SPAM, SUPPORT
from analysis.text import INVISIBLE, normalize

__all__ = ["FLAGS", "flags", "mask_pii"]

FLAGS: tuple[str, ...] = ("spam", "abuse", "pii", "offtopic")

# Mobile numbers (optionally +86, with spaces or dashes inside) and landlines with area code.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[-\s](\d{3,4})(\d{4})(?!\d)")
# Full-width digits, letters and the marks of phone numbers and addresses, as ASCII: what an
# input method types must be masked like what a keyboard types. (Chinese punctuation stays.)
_ASCII_FORMS = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}
    | {"＠": "@", "．": ".", "－": "-", "＋": "+", "\u3000": " "}
)
# Mainland resident ID: 6-digit region, birth date 18xx-20xx, 3 digits, check digit or X.
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9])([A-Za-z0-9._%+-]*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
)
# Street address: an optional district, then a road/street/lane name, then a house number.
_ADDRESS = re.compile(
    r"([\u4e00-\u9fff]{1,10}(?:路|街|大街|大道|巷|胡同|弄|里))"
    r"((?:[东西南北中]|[一二三四五六七八九十0-9]{1,3})?段?[0-9０-９一二三四五六七八九十百零〇之\-—]+号(?:院|楼)?"
    r"(?:[0-9一二三四五六七八九十]+(?:号楼|栋|幢|单元|楼|层|室))*"
    r"(?:[0-9]+(?:室|号)?)?)"
)
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|cn|net|top|xyz|vip|cc|shop|site)\b", re.I
)
_QQ = re.compile(r"(?:qq|扣扣|企鹅)[号群:：\s]*\d{5,11}", re.I)
_WECHAT = re.compile(
    r"(?:微信|威信|薇信|vx|wx|v信|weixin|加v)[号:：\s]*(?:号[:：]?)?\s*[A-Za-z][-_A-Za-z0-9]{5,19}",
    re.I,
)
_REPEAT = re.compile(r"(.)\1{7,}")
_REPEAT_PHRASE = re.compile(r"(.{2,8}?)\1{4,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Words of the policy field and of commenting on a draft. A comment that has none of them and
# takes no side is off-topic (a neighbour's noise, an exam date): flagged for moderators only.
_ON_TOPIC = re.compile(
    r"信息|网|数据|数字|电子|政务|平台|系统|安全|企业|政府|服务|建设|发展|规定|条款|本条|此条|这条|"
    r"第.{1,4}条|意见|征求|草案|政策|办法|文件|稿|表述|措施|实施|目标|指标|业务|通办|办理|机制|制度|"
    r"体系|技术|专家|智慧|智能|云|5g|光纤|宽带|基站|通信|软件|app|手机|电脑|隐私|信用|产业|人才|"
    r"创新|创业|孵化|众创|资费|收费|费用|标准|监管|执法|公开|共享|开放|改革|法|监督|考核|落实|推进|"
    r"试点|负担|成本|一刀切|形式主义|必要|可行|意思|社保|社会保障|医疗|教育|财政|预算|投入|工程|惠民|"
    r"民生|升级|群众",
    re.I,
)
_STANCE_CUE = re.compile(
    "|".join(re.escape(w) for w in (*SUPPORT, *OPPOSE, "建议", "应当", "应该", "凭什么"))
)
# One pass over the text instead of one per word (flags() runs on every comment at intake).
# The cheap tests below (a digit, "@", "号", an ASCII letter, a first character) only skip a
# pattern that could not match anyway: the flags are the same as without them.
_DIGIT = re.compile(r"\d")
_ABUSE_FIRST = re.compile("[" + "".join(sorted({re.escape(w[0]) for w in ABUSE})) + "]")
_LATIN = re.compile(r"[A-Za-z]", re.I)
_SPAM_WORD = re.compile("|".join(re.escape(w) for w in SPAM))
# ASCII insults ("sb") only as whole tokens, not inside words or numbers.
_ABUSE_WORD = re.compile(
    "|".join(
        rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" if w.isascii() else re.escape(w) for w in ABUSE
    )
)


def _has_pii(text: str, digits: bool) -> bool:
    return bool(
        (digits and (_MOBILE.search(text) or _ID_NUMBER.search(text)))
        or ("@" in text and _EMAIL.search(text))
        or ("号" in text and _ADDRESS.search(text))
        or (digits and _LANDLINE.search(text))
    )


def _is_spam(text: str, lowered: str, digits: bool) -> bool:
    if ("." in text or "://" in text) and _URL.search(text):
        return True
    if digits and _QQ.search(text):
        return True
    if _LATIN.search(text) and _WECHAT.search(text):
        return True
    hits = sum(1 for w in SPAM if w in lowered) if _SPAM_WORD.search(lowered) else 0
    if hits >= 2 or (hits == 1 and not _ON_TOPIC.search(lowered)):
        return True
    if _REPEAT.search(text):
        return True
    # A phrase of at most 8 characters repeated over half the text leaves at most 8 distinct
    # characters there: a text with more distinct characters than that cannot qualify.
    shortest = max(10, len(text) // 2)
    if len(set(text)) > 8 + len(text) - shortest:
        return False
    match = _REPEAT_PHRASE.search(text)
    return bool(match and len(match.group(0)) >= shortest)


def _is_abuse(lowered: str) -> bool:
    return _ABUSE_FIRST.search(lowered) is not None and _ABUSE_WORD.search(lowered) is not None


def flags(text: str, kinds: Collection[str] = FLAGS) -> tuple[str, ...]:
    """The moderation flags a comment raises, in the order of ``FLAGS``; never raises.

    ``kinds`` limits the checks to those flags (intake asks only for the ones that hold a
    comment for moderation).
    """
    if not isinstance(text, str):
        return ()
    clean = normalize(text)
    if not clean:
        return ()
    lowered = clean.lower()
    digits = _DIGIT.search(clean) is not None
    offtopic = "offtopic" in kinds
    spam = ("spam" in kinds or offtopic) and _is_spam(clean, lowered, digits)
    abuse = ("abuse" in kinds or offtopic) and _is_abuse(lowered)
    found = {
        name for name, raised in (("spam", spam), ("abuse", abuse)) if raised and name in kinds
    }
    if "pii" in kinds and _has_pii(clean, digits):
        found.add("pii")
    # Off-topic: enough words to judge, no policy vocabulary, no side taken, not spam or abuse.
    if (
        offtopic
        and not spam
        and not abuse
        and len(_CJK.findall(clean)) >= 10
        and not _ON_TOPIC.search(lowered)
        and not _STANCE_CUE.search(lowered)
    ):
        found.add("offtopic")
    return tuple(f for f in FLAGS if f in found)


def _mask_mobile(m: re.Match[str]) -> str:
    return f"{m.group(1)}****{m.group(3)}"


def _mask_landline(m: re.Match[str]) -> str:
    return f"{m.group(1)}-****{m.group(3)}"


def _mask_id(m: re.Match[str]) -> str:
    return f"{m.group(1)[:3]}{'*' * 11}{m.group(3)[-4:]}"


def _mask_email(m: re.Match[str]) -> str:
    return f"{m.group(1)}***@{m.group(3)}"


def _mask_address(m: re.Match[str]) -> str:
    # The street stays readable (it locates no one); the house number and flat go.
    return f"{m.group(1)}***号"


def mask_pii(text: str) -> str:
    """Mask phone numbers, ID numbers, e-mail addresses and house numbers; never raises.

    The text is otherwise as written, except that invisible characters are dropped and
    full-width digits and letters become ASCII (so that they are masked too).

    >>> mask_pii("身份证110101199003071234，住在中山路123号")
    '身份证110***********1234，住在中山路***号'
    """
    if not isinstance(text, str) or not text:
        return "" if not isinstance(text, str) else text
    # Invisible characters inside a number would hide it from the patterns below.
    out = INVISIBLE.sub("", text).translate(_ASCII_FORMS)
    out = _ID_NUMBER.sub(_mask_id, out)
    out = _MOBILE.sub(_mask_mobile, out)
    out = _LANDLINE.sub(_mask_landline, out)
    out = _EMAIL.sub(_mask_email, out)
    return _ADDRESS.sub(_mask_address, out)
