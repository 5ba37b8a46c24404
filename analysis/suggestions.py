"""Concrete wording changes asked for in comments: replace, delete, insert.

Recognised forms (quotes optional unless stated; “”‘’「」『』"' all count as quotes):

- replace: 建议将“X”改为“Y” · 把X修改成Y · “X”应改为“Y”
- delete:  建议将“X”删除 / 删去 / 去掉 · 建议删除“X”
- insert:  在“X”后增加“Y” (anchored) · 建议增加“Y” · 增加……的规定 / 条款 / 内容 (unanchored) ·
           增加一款 / 一条 / 以下内容：“Y” (a new provision: Y whole, whatever it says)

The target is checked against the clause text (after folding width, case and punctuation); a
suggestion whose target is not in the clause is kept and marked ``in_clause=False`` so that the
drafter sees it. Suggestions asking for the same change are merged; the id is
``"{bucket}:s{smallest comment id}"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.duplicates import fold
from analysis.models import Suggestion
from analysis.text import nfkc, to_simplified

_O = r"[“\"‘'「『]?"
_C = r"[”\"’'」』]?"
_T = r"[^“”\"‘’'「」『』,，。;；!！?？:：\n]"
_END = r"(?=[,，。;；!！?？\n]|$)"
_WORDING = (
    r"(?:一词|一句|字样|的表述|这句话|这一表述|的内容|等字|[一二两三四五六七八九十\d几]个?字)?"
)
_WHERE = rf"(?:{_T}{{0,20}}?(?:中|里|内)的?)??"

_REPLACE = (
    re.compile(
        rf"(?:将|把)\s*{_WHERE}{_O}(?P<target>{_T}{{1,60}}?){_C}\s*{_WORDING}\s*(?:应|应当|要)?"
        rf"(?:修改|更改|改|替换|调整|修订|变更)(?:为|成)\s*{_O}(?P<proposed>{_T}{{1,80}}?){_C}{_END}"
    ),
    re.compile(
        rf"[“\"‘「『](?P<target>[^“”\"‘’「」『』\n]{{1,60}})[”\"’」』]\s*{_WORDING}\s*(?:应|应当|宜|建议)?"
        rf"(?:修改|更改|改|替换|调整|修订)(?:为|成)\s*[“\"‘「『](?P<proposed>[^“”\"‘’「」『』\n]{{1,80}})[”\"’」』]"
    ),
)
_DELETE = (
    re.compile(
        rf"(?:将|把)\s*{_WHERE}{_O}(?P<target>{_T}{{1,60}}?){_C}\s*{_WORDING}\s*(?:应|应当|予以|要)?"
        rf"(?:删除|删去|删掉|去掉|去除|取消){_END}"
    ),
    re.compile(
        rf"(?:建议|应|应当|请)(?:删除|删去|删掉|去掉|去除)\s*{_WHERE}{_O}(?P<target>{_T}{{1,60}}?){_C}\s*{_WORDING}{_END}"
    ),
)
_INSERT_ANCHORED = re.compile(
    rf"在\s*{_O}(?P<target>{_T}{{1,60}}?){_C}\s*(?:之后|后面|后|之前|前面|前)\s*(?:增加|增补|补充|加上|添加|加入|写入)"
    rf"\s*{_O}(?P<proposed>{_T}{{1,80}}?){_C}{_END}"
)
# 增加一款 / 一条 / 如下内容：“…”: a new provision, quoted whole (its own words may say 删除).
_INSERT_PROVISION = re.compile(
    r"(?:增加|增补|补充|增设|添加|加上|加入|写入)\s*(?:一款|一项|一条|一句|一段|一章|一节|"
    r"(?:如下|以下|下列)(?:内容|规定|表述|条款)?)[^“\"‘「『\n]{0,12}?[:：,，]\s*"
    r"[“\"‘「『](?P<proposed>[^“”\"‘’「」『』\n]{1,200})[”\"’」』]"
)
_INSERT = (
    re.compile(
        r"(?:增加|增补|补充|添加|加上|加入|写入)\s*[“\"‘「『](?P<proposed>[^“”\"‘’「」『』\n]{1,120})[”\"’」』]"
    ),
    re.compile(
        rf"(?:增加|增设|补充|增补|添加|加入|写入|明确)(?P<proposed>{_T}{{2,80}}?的(?:规定|条款|内容|表述|要求|措施|条文|规则|标准)){_END}"
    ),
)
# X改为Y / X改成Y with no 将/把 in front: the target is the run of words before 改.
_REPLACE_BARE = re.compile(
    rf"(?:^|[,，。;；!！?？\s]|建议|应当|应该|应|最好)\s*{_O}(?P<target>{_T}{{1,30}}?){_C}\s*(?:应|应当|要|最好)?"
    rf"(?:修改|更改|改)(?:为|成)\s*{_O}(?P<proposed>{_T}{{1,80}}?){_C}{_END}"
)
# 建议删除 / 改成“Y” with nothing in between: the target is the phrase quoted just before.
_BACK_DELETE = re.compile(
    r"(?:建议|应当|应该|应|请)?(?:删除|删去|删掉|去掉)(?=[,，。;；!！?？]|或|$)"
)
_BACK_REPLACE = re.compile(
    r"(?:或者|或|建议|应当|应该|应)\s*(?:修改|更改|改)(?:为|成)\s*[“\"‘「『](?P<proposed>[^“”\"‘’「」『』\n]{1,80})[”\"’」』]"
)
_QUOTED = re.compile(r"[“\"‘「『](?P<q>[^“”\"‘’「」『』\n]{1,60})[”\"’」』]")
# 建议增加/补充/增设/明确… up to the end of the clause: a structured addition.
_ADD_FREE = re.compile(
    rf"(?:建议|希望|应当|应该|应|请|要)(?:在{_T}{{1,30}}?(?:中|里|部分))?(?P<verb>增加|增补|补充|增设|添加|加上|加入|写入|明确)"
    rf"(?P<proposed>{_T}{{2,80}}?){_END}"
)
_INSERT_ANCHORED_BARE = re.compile(
    rf"在\s*{_O}(?P<target>{_T}{{1,60}}?){_C}\s*(?:之后|后面|后|之前|前面|前)\s*(?:增加|增补|补充|加上|添加|加入|写入)"
    rf"\s*(?P<proposed>{_T}{{2,80}}?){_END}"
)
# The body is read NFKC-folded, which turns full-width punctuation into ASCII; proposed wording
# in Chinese gets its own punctuation back.
_FULL_WIDTH = str.maketrans(
    {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
)
_CJK = re.compile(r"[\u4e00-\u9fff]")

_TRIGGERS = (
    "改",
    "删",
    "去掉",
    "去除",
    "取消",
    "增",
    "补充",
    "添加",
    "加上",
    "加入",
    "写入",
    "明确",
)


def extract(text: str) -> list[tuple[str, str, str]]:
    """The wording changes one comment asks for, as (operation, target, proposed).

    >>> extract("建议将“原则上”删除。")
    [('delete', '原则上', '')]
    >>> extract("建议将“鼓励”改为“支持”")
    [('replace', '鼓励', '支持')]
    """
    # The patterns are simplified Chinese; a comment typed in traditional script asks the same.
    body = to_simplified(nfkc(text))
    if not any(t in body for t in _TRIGGERS):
        return []
    found: list[tuple[str, str, str]] = []
    used: list[tuple[int, int]] = []

    def add(op: str, match: re.Match[str], target: str, proposed: str) -> None:
        start, end = match.span()
        if any(start < e and s < end for s, e in used):
            return
        target, proposed = target.strip(), proposed.strip()
        if op != "insert" and not fold(target):
            return
        if op != "delete" and not fold(proposed):
            return
        used.append((start, end))
        if _CJK.search(proposed):
            proposed = proposed.translate(_FULL_WIDTH)
        found.append((op, target, proposed))

    for m in _INSERT_PROVISION.finditer(body):
        add("insert", m, "", m["proposed"])
    for pattern in _REPLACE:
        for m in pattern.finditer(body):
            add("replace", m, m["target"], m["proposed"])
    for m in _INSERT_ANCHORED.finditer(body):
        add("insert", m, m["target"], m["proposed"])
    for m in _INSERT_ANCHORED_BARE.finditer(body):
        add("insert", m, m["target"], m["proposed"])
    for pattern in _DELETE:
        for m in pattern.finditer(body):
            add("delete", m, m["target"], "")
    for m in _BACK_DELETE.finditer(body):
        before = _last_quoted(body, m.start())
        if before:
            add("delete", m, before, "")
    for m in _BACK_REPLACE.finditer(body):
        before = _last_quoted(body, m.start())
        if before:
            add("replace", m, before, m["proposed"])
    for m in _REPLACE_BARE.finditer(body):
        target = _strip_lead(m["target"])
        if target and not _QUOTED.fullmatch(m["proposed"]):
            add("replace", m, target, m["proposed"])
    for pattern in _INSERT:
        for m in pattern.finditer(body):
            add("insert", m, "", m["proposed"])
    for m in _ADD_FREE.finditer(body):
        proposed = m["proposed"].strip('“”"‘’「」『』 ')
        if m["verb"] == "明确":
            proposed = "明确" + proposed
        add("insert", m, "", proposed)
    found.sort(key=lambda f: body.find(f[1] or f[2]))
    return found


_LEADS = re.compile(
    r"^(?:建议|应当|应该|应|最好|请|把|将|第[一二三四五六七八九十百\d]+条(?:第[一二三四五六七八九十\d]+款)?(?:中|里)?的?|其中的?)+"
)


def _strip_lead(target: str) -> str:
    """Drop "建议", "第三条中的" and the like from the front of an unquoted target."""
    return _LEADS.sub("", target.strip()).strip('“”"‘’「」『』 ')


def _last_quoted(body: str, before: int) -> str:
    """The last phrase quoted before position ``before`` (in the same sentence or the one before)."""
    found = ""
    for m in _QUOTED.finditer(body, 0, before):
        found = m["q"]
    return found


def _locate(target: str, clause: str) -> str:
    """Drop a leading "第二条里的" when only the rest of the target is in the clause."""
    if not target or fold(target) in clause:
        return target
    for marker in ("中的", "里的", "中", "里"):
        head, sep, tail = target.rpartition(marker)
        if sep and head and fold(tail) and fold(tail) in clause:
            return tail
    return target


DIFF_CONTEXT = 12


def diff(op: str, target: str, proposed: str, clause_text: str) -> tuple[str, str]:
    """The clause words around ``target`` before and after the change ("", "" if not found)."""
    flat = " ".join(clause_text.split())
    at = flat.find(target) if target else -1
    if at < 0:
        return "", ""
    start = max(0, at - DIFF_CONTEXT)
    end = min(len(flat), at + len(target) + DIFF_CONTEXT)
    head, tail = flat[start:at], flat[at + len(target) : end]
    if op == "replace":
        new = proposed
    elif op == "delete":
        new = ""
    else:
        new = target + proposed
    return head + target + tail, head + new + tail


def find_suggestions(
    comments: Sequence[tuple[int, str]], clause_text: str, bucket: str
) -> tuple[Suggestion, ...]:
    """Merged suggestions of one digest section, most asked first."""
    clause = fold(clause_text)
    merged: dict[tuple[str, str, str], tuple[str, str, list[int]]] = {}
    for comment_id, body in sorted(comments):
        for op, found, proposed in extract(body):
            target = _locate(found, clause)
            key = (op, fold(target), fold(proposed))
            if key not in merged:
                merged[key] = (target, proposed, [])
            ids = merged[key][2]
            if not ids or ids[-1] != comment_id:
                ids.append(comment_id)
    out = [
        Suggestion(
            id=f"{bucket}:s{ids[0]}",
            bucket=bucket,
            operation=op,
            target=target,
            proposed=proposed,
            in_clause=(folded_target in clause) if folded_target else True,
            comments=tuple(ids),
            before=diff(op, target, proposed, clause_text)[0],
            after=diff(op, target, proposed, clause_text)[1],
        )
        for (op, folded_target, _), (target, proposed, ids) in merged.items()
    ]
    out.sort(key=lambda s: (-len(s.comments), s.comments[0], s.operation, s.target, s.proposed))
    return tuple(out)
