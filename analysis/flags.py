"""Moderation flags (spam, abuse, personal data, off-topic) and masking of personal data.

Spam and abuse are scored, not triggered by single words: a genuine comment that says 推广, 限时
or 公众号 in a policy sense is not held, while an ad with a contact, shop language (代开发票, 刷单,
游戏代练) or a link, keyboard mashing and content-free insults are. The threshold is set for
precision: holding a real comment is worse than publishing an ad that a drafter can still hide.

``mask_pii`` runs on every comment shown in a public page or a public export.

>>> flags("加微信 abc12345 领取优惠券，日赚500")
('spam',)
>>> mask_pii("电话13812341234，邮箱zhang@example.com")
'电话138****1234，邮箱z***@example.com'
>>> hold_reason(("pii",))
'含联系方式等个人信息，待人工审核后公开'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from analysis.lexicon import OPPOSE, SUPPORT
from analysis.text import INVISIBLE, normalize

__all__ = ["FLAGS", "flags", "hold_reason", "mask_pii", "spam_score"]

FLAGS: tuple[str, ...] = ("spam", "abuse", "pii", "offtopic")

# ---------------------------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------------------------

# Full-width digits, letters and the marks of phone numbers and addresses, as ASCII, and every
# dash as "-": what an input method types must be found like what a keyboard types. (Chinese
# punctuation such as 。and （ stays: the patterns accept it where it occurs in personal data.)
_ASCII_FORMS = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}
    | {"＠": "@", "．": ".", "－": "-", "＋": "+", "\u3000": " "}
    | {d: "-" for d in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"}
)
_OPEN = r"[(（]"
_CLOSE = r"[)）]"
# A count or an amount right after a number: 13800000000元 is money, not a phone.
_NOT_UNIT = r"(?!\s*(?:元|万|亿|千|百|个|户|人|次|台|部|件|米|公里|吨|%|‰))"
# Mobile: optional +86/0086 (maybe in brackets), 1[3-9]x with the first three digits maybe in
# brackets, then 4 + 4 digits, each group maybe set off by a space, a dash or a dot.
_MOBILE = re.compile(
    rf"(?<![\d.\-])(?:{_OPEN}?(?:\+|00)?86{_CLOSE}?[-\s]?)?{_OPEN}?(1[3-9]\d){_CLOSE}?"
    rf"[-\s.]?(\d{{4}})[-\s.]?(\d{{4}})(?![\d])" + _NOT_UNIT
)
# Landline: area code (010, 02x: 3 digits + 8; 0[3-9]xx: 4 digits + 7 or 8), maybe in brackets,
# maybe set off by a dash or a space. A 400/800 number (400-028-7766) is a company's, not a person's.
_LANDLINE = re.compile(
    rf"(?<![\d\-])(?:{_OPEN}(0(?:10|2\d)){_CLOSE}|(0(?:10|2\d)))[-\s]?(\d{{4}})[-\s]?(\d{{4}})"
    rf"(?![\d\-])|(?<![\d\-])(?:{_OPEN}(0[3-9]\d{{2}}){_CLOSE}|(0[3-9]\d{{2}}))[-\s]?"
    rf"(\d{{3,4}})[-\s]?(\d{{4}})(?![\d\-])" + _NOT_UNIT
)
_PROVINCES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
# Resident ID: 6-digit region, birth date, 3 digits, check digit (18 digits, maybe grouped
# 6 8 4 by spaces) or the old 15-digit form (2-digit year, no check digit).
_ID_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])([1-8]\d{{5}})[\s-]?((?:18|19|20)\d{{2}}{_DATE})[\s-]?(\d{{3}}[0-9Xx])"
    rf"(?![0-9A-Za-z])|(?<![0-9A-Za-z])([1-8]\d{{5}})(\d{{2}}{_DATE})(\d{{3}})(?![0-9A-Za-z])"
)
_ID_CUE = re.compile(r"身份证|证件|身份号|公民号码|id", re.I)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# E-mail: ASCII or Chinese local part and domain; a 。 typed for the dot still counts.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*|[\u4e00-\u9fff]{1,2})"
    r"\s?@\s?((?:[A-Za-z0-9-]+|[\u4e00-\u9fff]{1,8})(?:\s?[.。]\s?(?:[A-Za-z0-9-]+|[\u4e00-\u9fff]{1,8}))*"
    r"\s?[.。]\s?(?:[A-Za-z]{2,10}|中国|公司|网络|在线|集团|中文网))(?![A-Za-z0-9])"
)
_OFFICIAL_MAIL = re.compile(r"gov\s?[.。]\s?cn$|\.gov$", re.I)
_NUM = r"[0-9一二三四五六七八九十百零〇两]"
_FLAT = (
    rf"(?:{_NUM}{{1,4}}(?:号楼|栋|幢|座|单元|楼|层|室|号|户))*(?:附{_NUM}{{1,4}}号)?"
    rf"(?:{_NUM}{{1,4}}(?:号楼|栋|幢|座|单元|楼|层|室|号|户))*(?:\d{{2,5}})?"
)
# House level: a road/street/lane and its number; a village and its group (组/社); a building
# with its unit or flat. The name stays readable (it locates no one); the numbers go.
_ROAD = re.compile(
    r"([\u4e00-\u9fff]{1,10}?(?:路|街|大街|大道|巷|胡同|弄))"
    rf"((?:[东西南北中]|{_NUM}{{1,3}})?段?(?:{_NUM}{{1,3}}[巷弄])?{_NUM}{{1,5}}[号#]" + _FLAT + ")"
)
_VILLAGE = re.compile(
    rf"([\u4e00-\u9fff]{{1,8}}?村)((?:{_NUM}{{1,3}}|第{_NUM}{{1,3}})(?:组|社|村民小组)"
    rf"(?:{_NUM}{{1,5}}号)?" + _FLAT + ")"
)
_BUILDING = re.compile(
    rf"(?<![0-9A-Za-z])({_NUM}{{1,3}}(?:号楼|栋|幢|座)(?:{_NUM}{{1,2}}单元(?:{_NUM}{{1,5}}"
    rf"(?:室|号|楼|层)?)?|\d{{2,5}}(?:室|号)|\d{{3,4}}(?![\d多户人套平米个万元余名家间辆年天次])))"
)


# Cheap tests that only skip a pattern which could not match anyway (flags run on every post):
# every phone or ID number has three digits in a row followed by four more digits or marks.
_DIGIT = re.compile(r"\d")
_NUMBERISH = re.compile(r"\d{3}[\d\s.\-)）]{4,}")


def _id_valid(m: re.Match[str], text: str) -> bool:
    """A checksum-valid 18-digit ID, an old 15-digit one, or an ID-shaped number after 身份证."""
    region = m.group(1) or m.group(4)
    if region[:2] not in _PROVINCES:
        return False
    if not m.group(1):
        return True
    digits = (m.group(1) + m.group(2) + m.group(3)).upper()
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] == digits[17]:
        return True
    return _ID_CUE.search(text, max(0, m.start() - 12), m.start()) is not None


def _email_personal(m: re.Match[str]) -> bool:
    return _OFFICIAL_MAIL.search(m.group(2)) is None


def _has_pii(text: str) -> bool:
    digits = _DIGIT.search(text) is not None
    if digits:
        if _NUMBERISH.search(text) and (
            _MOBILE.search(text)
            or _LANDLINE.search(text)
            or any(_id_valid(m, text) for m in _ID_NUMBER.finditer(text))
        ):
            return True
        if _BUILDING.search(text):
            return True
    if "@" in text and any(_email_personal(m) for m in _EMAIL.finditer(text)):
        return True
    if "村" in text and ("组" in text or "社" in text) and _VILLAGE.search(text):
        return True
    return ("号" in text or "#" in text) and _ROAD.search(text) is not None


# ---------------------------------------------------------------------------------------------
# Spam and abuse, scored
# ---------------------------------------------------------------------------------------------

_URL = re.compile(
    r"(?:https?://|www\.)[^\s\u4e00-\u9fff]+|\b[a-z0-9-]+\.(?:com|cn|net|top|xyz|vip|cc|shop|site)\b",
    re.I,
)
_QQ = re.compile(r"(?:qq|扣扣|企鹅)[号群:：\s]*\d{5,11}", re.I)
_WECHAT = re.compile(
    r"(?:微信|威信|薇信|vx|wx|v信|weixin|加v)[号:：\s]*(?:号[:：]?)?\s*[A-Za-z][-_A-Za-z0-9]{5,19}",
    re.I,
)
_SAME_WECHAT = re.compile(r"同微信|微信同号|加我微信|加微信")
# Shop language: each is worth 2 (two make an ad on their own, one needs a contact or a price).
_AD_STRONG = re.compile(
    r"代开发票|发票代开|代开各类|开发票|真票|刷单|游戏代练|代练|上分|陪玩|包过|无抵押|无担保|当天放款|"
    r"日赚|日结|躺赚|月入过万|博彩|娱乐城|代孕|办证|招代理|兼职|宝妈|买二送一|买一送一|产地直供|"
    r"首页排名|seo|同城交友|点数低|优惠券|领券|包邮|免费上门|点击链接|点击进入|详询|咨询热线|"
    r"欢迎咨询|一对一|专业代办|代办各类|加盟|招商热线|批发价|厂家直销",
    re.I,
)
# Words that ads use but comments use too: worth 1 each, and together at most 2.
_AD_WEAK = re.compile(
    r"低价|特价|限时|优惠|促销|推广|公众号|扫码|关注|免费|正宗|代理|代办|咨询|价格|仅需|低至|"
    r"(?<!\d)\d+\s*元\s*/|(?<!\d)\d+元起"
)
# A comment on the draft: its words take points off.
_POLICY = re.compile(
    r"建议|规划|政府|应当|应该|希望|第.{1,4}条|征求|草案|条款|政策|请问|是否|能否|为什么|为何|怎么|"
    r"我们|老百姓|群众|部门|监管|落实|被骗|骗子|诈骗|举报|投诉|打击|防范"
)
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_RUN = re.compile(r"(.)\1{3,}")
_NOT_WORD = re.compile(r"[\s\W_]+")
_REPEAT_PHRASE = re.compile(r"(.{1,8}?)\1{3,}")
SPAM_THRESHOLD = 3

# Abuse: insults that hold a comment whatever else it says, and rude words that only count when
# repeated or when the comment says nothing else.
_INSULT = re.compile(
    r"傻逼|傻b|傻x|煞笔|沙比|(?<![a-z0-9])sb(?![a-z0-9/])|nmsl|操你|草泥马|脑残|智障|狗官|王八蛋|"
    r"畜生|人渣|狗东西|吃屎|去死|滚蛋|你妈的|他妈的|蠢货|蠢猪|猪脑子|白痴|混蛋|败类",
    re.I,
)
_RUDE = re.compile(
    r"(?:全是|都是|就是|真是?|太|好|纯|一堆|一群)垃圾|垃圾(?:政策|文件|规划|官员|东西|玩意)|"
    r"垃圾(?=[,，。.!！?？~～\s]|$)|废物(?!利用|回收|处理|排放)|(?<![我你他她姨姑舅爸老])妈的|卧槽|贪官|放屁|狗屁|屁话|"
    r"不要脸|弱智|滚出|(?<![a-z\u4e00-\u9fff])滚(?![a-z\u4e00-\u9fff])|"
    r"玩意儿?|贱人"
)
# Every insult and rude word starts with one of these characters.
_ABUSE_FIRST = re.compile(
    r"[傻煞沙snmo操草脑智狗王畜人吃去滚你他全都就真太好纯一垃废妈卧贪放屁不白弱蠢猪混败玩贱]"
)
_STANCE_CUE = re.compile(
    "|".join(re.escape(w) for w in (*SUPPORT, *OPPOSE, "建议", "应当", "应该", "凭什么"))
)
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


def _gibberish(text: str) -> bool:
    """Keyboard mashing, one character held down, a word pasted over and over."""
    if _CJK.search(text) and len(set(text)) > 9 + 0.4 * len(text):
        return False
    compact = _NOT_WORD.sub("", text)
    if len(compact) < 4:
        return False
    cjk = _CJK.search(compact) is not None
    # A repeat filling 60% of the text leaves few distinct characters: skip the search otherwise.
    if cjk and len(set(compact)) > 8 + 0.4 * len(compact):
        return False
    # Repeats that fill most of the text ("啊啊啊啊啊啊", "好好好好", "哈哈哈哈").
    repeated = sum(len(m.group(0)) for m in _REPEAT_PHRASE.finditer(compact))
    if len(compact) >= 8 and repeated >= 0.6 * len(compact):
        return True
    if cjk:
        return False
    letters = re.sub(r"[^a-z]", "", compact.lower())
    if len(letters) >= 4:
        rows = sum(
            1
            for i in range(len(letters) - 3)
            if any(
                letters[i : i + 4] in row or letters[i : i + 4][::-1] in row for row in _KEYBOARD
            )
        )
        vowels = sum(letters.count(v) for v in "aeiou")
        if rows or vowels <= len(letters) // 6 or _RUN.search(letters):
            return True
    return bool(_RUN.search(compact)) and len(set(compact)) <= 4


def spam_score(text: str) -> int:
    """Points of advertising and gibberish in a normalised comment; ``SPAM_THRESHOLD`` holds it."""
    lowered = text.lower()
    score = 0
    if _gibberish(text):
        score += 3
    if ("." in text or "://" in text) and any(
        not re.search(r"gov\.cn|\.gov\b", m.group(0), re.I) for m in _URL.finditer(text)
    ):
        score += 2
    url = score
    if _QQ.search(lowered) or _WECHAT.search(text):
        score += 3
    elif _SAME_WECHAT.search(text):
        score += 2
    shop = min(2, len(_AD_STRONG.findall(lowered)))
    score += 2 * shop
    # Words such as 推广 or 关注 count only next to shop language or a contact: a shared news
    # link that says 关注 is not an ad.
    if shop or score > url:
        score += min(2, len(_AD_WEAK.findall(lowered)))
    if score and _NUMBERISH.search(text) and (_MOBILE.search(text) or _LANDLINE.search(text)):
        score += 1
    if score and _POLICY.search(text):
        score -= 2
    if score and len(text) > 120:
        score -= 2
    return score


def _is_abuse(text: str) -> bool:
    lowered = text.lower()
    if not _ABUSE_FIRST.search(lowered):
        return False
    if _INSULT.search(lowered):
        return True
    rude = len(_RUDE.findall(lowered))
    if not rude:
        return False
    if rude >= 3 and len(text) <= 60:
        return True
    # One or two rude words in a comment that says nothing else.
    return len(_CJK.findall(text)) <= 20 and not _POLICY.search(text) and rude >= 1


def flags(text: str, kinds: Collection[str] = FLAGS) -> tuple[str, ...]:
    """The moderation flags a comment raises, in the order of ``FLAGS``; never raises.

    ``kinds`` limits the checks to those flags (intake asks only for the ones that hold a
    comment for moderation).
    """
    if not isinstance(text, str):
        return ()
    clean = normalize(text).translate(_ASCII_FORMS)
    if not clean:
        return ()
    offtopic = "offtopic" in kinds
    spam = ("spam" in kinds or offtopic) and spam_score(clean) >= SPAM_THRESHOLD
    abuse = ("abuse" in kinds or offtopic) and _is_abuse(clean)
    found = {
        name for name, raised in (("spam", spam), ("abuse", abuse)) if raised and name in kinds
    }
    if "pii" in kinds and _has_pii(clean):
        found.add("pii")
    lowered = clean.lower()
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


_REASONS = {"spam": "疑似广告", "abuse": "含不文明用语", "pii": "含联系方式等个人信息"}


def hold_reason(found: Iterable[str]) -> str:
    """Why a comment is held, in plain words for the citizen's receipt; "" when nothing holds it.

    >>> hold_reason(["spam", "pii"])
    '疑似广告、含联系方式等个人信息，待人工审核后公开'
    """
    kinds = set(found) if not isinstance(found, str) else {found}
    reasons = [text for name, text in _REASONS.items() if name in kinds]
    if not reasons:
        return "待人工审核后公开" if kinds - {"offtopic"} else ""
    return "、".join(reasons) + "，待人工审核后公开"


# ---------------------------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------------------------


def _mask_mobile(m: re.Match[str]) -> str:
    return f"{m.group(1)}****{m.group(3)}"


def _mask_landline(m: re.Match[str]) -> str:
    area = m.group(1) or m.group(2) or m.group(5) or m.group(6)
    last = m.group(4) or m.group(8)
    return f"{area}-****{last}"


def _mask_email(m: re.Match[str]) -> str:
    if not _email_personal(m):
        return m.group(0)
    local = m.group(1)
    if _CJK.match(local):
        return f"{local[0]}**@{m.group(2)}"
    return f"{local[0]}***@{m.group(2)}"


def _mask_road(m: re.Match[str]) -> str:
    # The street stays readable (it locates no one); the house number and flat go.
    return f"{m.group(1)}***号"


def _mask_village(m: re.Match[str]) -> str:
    return f"{m.group(1)}***"


def mask_pii(text: str) -> str:
    """Mask phone numbers, ID numbers, e-mail addresses and house-level addresses; never raises.

    The text is otherwise as written, except that invisible characters are dropped, full-width
    digits and letters become ASCII and dashes become "-" (so that they are masked too).

    >>> mask_pii("身份证110101199003071234，住在中山路123号")
    '身份证110***********1234，住在中山路***号'
    >>> mask_pii("家住三河村5组23号，小区5栋2单元302室")
    '家住三河村***，小区***'
    """
    if not isinstance(text, str) or not text:
        return "" if not isinstance(text, str) else text
    # Invisible characters inside a number would hide it from the patterns below.
    out = INVISIBLE.sub("", text).translate(_ASCII_FORMS)

    def mask_id(m: re.Match[str]) -> str:
        if not _id_valid(m, out):
            return m.group(0)
        region = m.group(1) or m.group(4)
        tail = (m.group(3) or m.group(6))[-4:] if m.group(1) else m.group(6)[-3:]
        return f"{region[:3]}{'*' * 11}{tail}" if m.group(1) else f"{region[:3]}{'*' * 9}{tail}"

    out = _ID_NUMBER.sub(mask_id, out)
    out = _MOBILE.sub(_mask_mobile, out)
    out = _LANDLINE.sub(_mask_landline, out)
    if "@" in out:
        out = _EMAIL.sub(_mask_email, out)
    out = _ROAD.sub(_mask_road, out)
    out = _VILLAGE.sub(_mask_village, out)
    return _BUILDING.sub("***", out)
