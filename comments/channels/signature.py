"""A letter's closing signature ("此致 敬礼 张三 2026年11月3日", "——李四", "市民王五"): found at
the very end and left out of the comments that are published; the message keeps it whole.

Conservative on purpose: a signature is the last lines only, its name starts with a common
surname and has a cue beside it (a closing formula before it, a dash or a word such as 市民 in
front, a date after it, or it is the sender's own name), so that comment text is never cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACE = r"[ \t\u3000]"
_CN_DIGIT = "〇零一二三四五六七八九"
_DATE = (
    rf"(?:\d{{4}}{_SPACE}*[年./\-]{_SPACE}*\d{{1,2}}{_SPACE}*[月./\-]{_SPACE}*\d{{1,2}}{_SPACE}*日?"
    rf"|[{_CN_DIGIT}]{{4}}年[{_CN_DIGIT}十]{{1,3}}月[{_CN_DIGIT}十]{{1,3}}日)"
)
_CLOSING = (
    rf"(?:此致{_SPACE}*[，,]?\s*敬礼|此致|敬礼|顺祝(?:商祺|工作顺利|安好)|谢谢|感谢)"
    rf"{_SPACE}*[!！。.]?"
)
_ROLE = r"(?:市民|居民|村民|业主|群众|读者|网友|一位市民|一名市民|一位居民)"
# The common surnames (about nine in ten people): a name must start with one.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿"
)
_COMPOUND = "欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|尉迟|长孙|宇文|司徒|夏侯"
_NAME = rf"(?:(?:{_COMPOUND})|[{_SURNAMES}])[\u4e00-\u9fff]{{1,2}}"
SIGNATURE = re.compile(
    rf"(?:^|\n)(?P<block>{_SPACE}*"
    rf"(?P<closing>(?:{_CLOSING}\s*)+)?"
    rf"(?P<dash>(?:——|—|--|－－|-){_SPACE}*)?"
    rf"(?P<role>{_ROLE}{_SPACE}*)?"
    rf"(?P<name>{_NAME})(?:{_SPACE}*(?:敬上|谨上))?"
    rf"(?:{_SPACE}*[,，]?\s*(?P<date>{_DATE}))?"
    rf"\s*)$"
)
# Words that end letters, start with a surname and are no one's name.
_NOT_NAMES = frozenset({"谢谢", "谢谢您", "万分感谢", "周知"})
TAIL = 200  # characters at the end where a signature is looked for
MAX_BLOCK_LINES = 4  # a signature is at most this many lines, closing formula and date included


@dataclass(frozen=True)
class Signed:
    text: str  # without the signature block
    name: str  # the name it was signed with ("" when none was found)


def strip_signature(text: str, sender: str = "") -> Signed:
    """The text without a trailing signature block, and the name it held.

    >>> strip_signature("建议增加车位。\\n此致\\n敬礼\\n张三\\n2026年11月3日")
    Signed(text='建议增加车位。', name='张三')
    >>> strip_signature("第一条：支持")  # no cue: not a signature
    Signed(text='第一条：支持', name='')
    """
    m = SIGNATURE.search(text, max(0, len(text) - TAIL))  # "^" still means a line's start
    if m is None:
        return Signed(text, "")
    name = m.group("name")
    cued = any(m.group(g) for g in ("closing", "dash", "role", "date")) or (
        bool(sender) and name == sender.strip()
    )
    block = m.group("block")
    if not cued or name in _NOT_NAMES or block.strip().count("\n") >= MAX_BLOCK_LINES:
        return Signed(text, "")
    body = text[: m.start("block")].rstrip()
    if not body:
        return Signed(text, "")  # a letter that is only a name: nothing to publish but it
    return Signed(body, name)
