"""Moderation flags: spam, abuse, personal data (found by ``pii.py``), off-topic; hold reasons.

Spam and abuse are scored, not triggered by single words: a genuine comment that says 推广, 限时
or 公众号 in a policy sense is not held, while an ad with a contact, shop language (代开发票, 刷单,
游戏代练) or a link, keyboard mashing and content-free insults are. The threshold is set for
precision: holding a real comment is worse than publishing an ad that a drafter can still hide.

>>> flags("加微信 abc12345 领取优惠券，日赚500")
('spam',)
>>> hold_reason(("pii",))
'含联系方式等个人信息，待人工审核后公开'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from analysis.lexicon import OPPOSE, SUPPORT
from analysis.pii import _CJK, _LANDLINE, _MOBILE, _NUMBERISH, ascii_forms, has_pii, mask_pii
from analysis.text import normalize

__all__ = ["FLAGS", "flags", "hold_reason", "mask_pii", "spam_score"]

FLAGS: tuple[str, ...] = ("spam", "abuse", "pii", "offtopic")

# ---------------------------------------------------------------------------------------------
# Spam and abuse, scored
# ---------------------------------------------------------------------------------------------

_URL = re.compile(
    r"(?:https?://|www\.)[^\s\u4e00-\u9fff]+|\b[a-z0-9-]+\.(?:com|cn|net|top|xyz|vip|cc|shop|site)\b",
    re.I,
)
# The patterns below are matched against lower-cased text, without re.I: case-insensitive
# matching turns off the regex engine's scan for the first character, which makes them 3-8
# times slower on the comment post's path.
_QQ = re.compile(r"(?:qq|扣扣|企鹅)[号群:：\s]*\d{5,11}")
_WECHAT = re.compile(
    r"(?:微信|威信|薇信|vx|wx|v信|weixin|加v)[号:：\s]*(?:号[:：]?)?\s*[a-z][-_a-z0-9]{5,19}"
)
_SAME_WECHAT = re.compile(r"同微信|微信同号|加我微信|加微信")
# Shop language: each is worth 2 (two make an ad on their own, one needs a contact or a price).
_AD_STRONG = re.compile(
    r"代开发票|发票代开|代开各类|开发票|真票|刷单|游戏代练|代练|上分|陪玩|包过|无抵押|无担保|当天放款|"
    r"日赚|日结|躺赚|月入过万|博彩|娱乐城|代孕|办证|招代理|兼职|宝妈|买二送一|买一送一|产地直供|"
    r"首页排名|seo|同城交友|点数低|优惠券|领券|包邮|免费上门|点击链接|点击进入|详询|咨询热线|"
    r"欢迎咨询|一对一|专业代办|代办各类|加盟|招商热线|批发价|厂家直销"
)
# Words that ads use but comments use too: worth 1 each, and together at most 2.
# (Words and prices apart: a pattern that starts with a look-behind gets no first-character scan.)
_AD_WEAK = re.compile(
    r"低价|特价|限时|优惠|促销|推广|公众号|扫码|关注|免费|正宗|代理|代办|咨询|价格|仅需|低至"
)
_AD_PRICE = re.compile(r"(?<!\d)\d+\s*元\s*/|(?<!\d)\d+元起")
# Classified ads (a flat to let, a job, a trade for hire): words that comments use too. Two of
# them beside a contact (a phone number, a 400/800 hotline, QQ or WeChat) are worth 2; one is
# not ("房子出租给别人，被中介骗了押金，电话…" is a complaint).
_CLASSIFIED = re.compile(
    r"出售|急售|出租|转让|回收|承接|招聘|急招|诚聘|包吃住|包吃包住|有意者|欢迎来电|来电咨询|"
    r"服务热线|上门服务|质量保证|价格实惠"
)
_HOTLINE = re.compile(r"(?<!\d)[48]00[-\s]?\d{3}[-\s]?\d{4}(?!\d)")
# A comment on the draft: its words take points off.
_POLICY = re.compile(
    r"建议|规划|政府|应当|应该|希望|第.{1,4}条|征求|草案|条款|政策|请问|是否|能否|为什么|为何|怎么|"
    r"我们|老百姓|群众|部门|监管|落实|被骗|骗子|诈骗|举报|投诉|打击|防范"
)
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
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


def _has_phone(text: str) -> bool:
    return bool(_NUMBERISH.search(text)) and bool(
        _MOBILE.search(text) or _LANDLINE.search(text) or _HOTLINE.search(text)
    )


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
    if _QQ.search(lowered) or _WECHAT.search(lowered):
        score += 3
    elif _SAME_WECHAT.search(text):
        score += 2
    shop = min(2, len(_AD_STRONG.findall(lowered)))
    score += 2 * shop
    # Words such as 推广 or 关注 count only next to shop language or a contact: a shared news
    # link that says 关注 is not an ad.
    if shop or score > url:
        weak = len(_AD_WEAK.findall(lowered))
        if weak < 2 and "元" in lowered:
            weak += len(_AD_PRICE.findall(lowered))
        score += min(2, weak)
    classified = not shop and len(set(_CLASSIFIED.findall(lowered))) >= 2
    phone = (classified or score > 0) and _has_phone(text)  # looked for only when it can count
    if classified and (phone or score > url):
        score += 2
    if score and phone:
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
    clean = ascii_forms(normalize(text))
    if not clean:
        return ()
    offtopic = "offtopic" in kinds
    spam = ("spam" in kinds or offtopic) and spam_score(clean) >= SPAM_THRESHOLD
    abuse = ("abuse" in kinds or offtopic) and _is_abuse(clean)
    found = {
        name for name, raised in (("spam", spam), ("abuse", abuse)) if raised and name in kinds
    }
    if "pii" in kinds and has_pii(clean):
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
