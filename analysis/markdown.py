"""The digest and the public feedback report as Markdown: deterministic bytes, personal data masked.

Every piece of user text goes through ``_text``: personal data masked (``analysis.flags.mask_pii``),
line breaks flattened, ``& < >`` turned into entities (so ``<script>`` comes out inert) and Markdown
syntax (``| * _ ` [ ] # ~ \\``) escaped, so no comment can break a table or inject HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.citation import clause_names
from analysis.feedback import BASIS, PENDING, FeedbackReport
from analysis.models import (
    OUTCOMES,
    STANCES,
    Cluster,
    Digest,
    Section,
    Suggestion,
    Tally,
)
from analysis.tally import FLAG_ORDER
from analysis.text import INVISIBLE
from analysis.titles import chinese_number

STANCE_NAMES = {
    "support": "支持",
    "oppose": "反对",
    "suggest": "建议",
    "question": "疑问",
    "other": "其他",
}
POLARITY_NAMES = {"pos": "正面", "neg": "负面", "neu": "中性"}
FLAG_NAMES = {
    "spam": "广告/垃圾信息",
    "abuse": "辱骂",
    "offtopic": "无关",
    "pii": "含个人信息",
    "flood": "刷屏",
}
MAX_IDS = 30
TOP_CLAUSES = 10

_MARKUP = re.compile(r"([\\`*_\[\]#~|])")


def _mask(text: str) -> str:
    from analysis.flags import mask_pii

    return mask_pii(text)


def _text(text: str) -> str:
    """User text made safe for Markdown and HTML: masked, on one line, escaped."""
    flat = " ".join(INVISIBLE.sub(" ", _mask(text)).split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKUP.sub(r"\\\1", flat)


def _n(value: int) -> str:
    return f"{value:,}"


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def _ids(ids: Sequence[int]) -> str:
    shown = " ".join(f"#{i}" for i in ids[:MAX_IDS])
    return (
        shown if len(ids) <= MAX_IDS else f"{shown} …（共 {_n(len(ids))} 条，完整名单见 JSON 汇总）"
    )


def _names(digest: Digest) -> dict[str, str]:
    """Each section as a reader cites it ("第5条　优化升级宽带网络"), escaped; never its key."""
    gap = "\u3000"  # names hold no other whitespace of this kind; ``_text`` would flatten it
    names = clause_names(digest.sections, gap=gap)
    return {k: gap.join(_text(part) for part in v.split(gap)) for k, v in names.items()}


def _batch(number: int) -> str:
    """A campaign as the digest names it within its clause: 批量 A, 批量 B, … (its id holds the
    clause key)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"批量 {letters[number]}" if number < len(letters) else f"批量 {number + 1}"


def _split(counts: dict[str, int], names: dict[str, str]) -> str:
    return " · ".join(f"{names[k]} {_n(v)}" for k, v in counts.items() if v)


def _period(digest: Digest) -> str:
    d = digest.draft
    opens = d.opens.isoformat() if d.opens else "未设定"
    deadline = d.deadline.isoformat() if d.deadline else "未设定"
    return f"{opens} 至 {deadline}"


def _stance_table(tally: Tally) -> list[str]:
    head = "| " + " | ".join(STANCE_NAMES[s] for s in STANCES) + " |"
    rule = "|" + "---:|" * len(STANCES)
    row = (
        "| "
        + " | ".join(
            f"{_n(tally.stance.get(s, 0))}（{_pct(tally.stance.get(s, 0), tally.comments)}）"
            for s in STANCES
        )
        + " |"
    )
    return [head, rule, row]


def _change(s: Suggestion) -> tuple[str, str]:
    target = f"“{_text(s.target)}”" if s.target else "（本条）"
    if s.operation == "delete":
        return target, "删除"
    if s.operation == "insert":
        where = f"在{target}后增加" if s.target else "增加"
        return target if s.target else "—", f"{where}“{_text(s.proposed)}”"
    return target, f"“{_text(s.proposed)}”"


def _cluster_lines(number: int, cluster: Cluster) -> list[str]:
    split = _split(cluster.stance, STANCE_NAMES)
    if cluster.remainder:
        return [
            f"{number}. 其他（未归入以上观点）— {_n(cluster.size)} 条（{split}）",
            f"   全部意见：{_ids(cluster.members)}",
        ]
    if cluster.confirmed:
        mark = "人工确认" + ("、已审阅" if cluster.reviewed else "")
        if cluster.proposed:
            mark += f"；新增 {_n(len(cluster.proposed))} 条待确认：{_ids(cluster.proposed)}"
    else:
        mark = "机器建议"
    lines = [
        f"{number}. **{_text(cluster.label)}** — {_n(cluster.size)} 条（独立 {_n(cluster.distinct)} 条；{split}）〔{mark}〕"
    ]
    if cluster.quote:
        lines.append(f"   > “{_text(cluster.quote)}”（#{cluster.representative}）")
    lines.append(f"   全部意见：{_ids(cluster.members)}")
    return lines


def _section(section: Section, name: str) -> list[str]:
    t = section.tally
    out = [f"## {name}", ""]
    if section.excerpt:
        out += [f"> {_text(section.excerpt)}", ""]
    out.append(
        f"**{_n(t.comments)} 条意见**（独立 {_n(t.distinct)} 条）"
        + (f"　另有未公开 {_n(t.hidden)} 条（待审核或已隐藏）" if t.hidden else "")
    )
    if section.rollup.comments != t.comments:
        out.append(
            f"含下级条款共 {_n(section.rollup.comments)} 条（独立 {_n(section.rollup.distinct)} 条）"
        )
    out.append("")
    if t.comments:
        out += [*_stance_table(t), ""]
    if section.clusters:
        out += ["### 观点聚类", ""]
        for number, cluster in enumerate(section.clusters, start=1):
            out += _cluster_lines(number, cluster)
        out.append("")
    if section.campaigns:
        out += ["### 批量提交", ""]
        for number, c in enumerate(section.campaigns):
            kind = "同一来源短时间内重复提交" if c.flood else "内容基本相同"
            out.append(
                f"- **{_batch(number)}**：{_n(c.size)} 条{kind}（模板见 #{c.representative}）：“{_text(c.text[:80])}”"
            )
            if c.additions:
                extra = "；".join(
                    f"“{_text(a.text[:60])}”（#{a.comment}）" for a in c.additions[:5]
                )
                out.append(f"  - {_n(len(c.additions))} 处在模板之外补充了内容，如 {extra}")
            out.append(f"  - 全部意见：{_ids(c.members)}")
        out.append("")
    if section.suggestions:
        out += ["### 具体修改建议", "", "| 原文 | 建议改为 | 提出意见 |", "|---|---|---|"]
        for s in section.suggestions:
            before, after = _change(s)
            if s.target and not s.in_clause:
                before += "（本条中未找到）"
            out.append(f"| {before} | {after} | {_n(len(s.comments))} 条（{_ids(s.comments)}） |")
        out.append("")
    if section.flagged:
        out += ["### 待审", ""]
        for flag, ids in section.flagged.items():
            out.append(f"- {FLAG_NAMES.get(flag, flag)} {_n(len(ids))} 条（{_ids(ids)}）")
        out.append("")
    return out


def render_digest_markdown(digest: Digest) -> str:
    """``digest.md``: what a drafter circulates. Same digest, same bytes; personal data masked."""
    d, t = digest.draft, digest.totals
    by_key = {s.key: s for s in digest.sections}
    cited = _names(digest)
    clauses = [s for s in digest.sections if s.kind != "bucket"]
    touched = sum(1 for s in clauses if s.tally.comments)
    out = [f"# 意见汇总分析：{_text(d.title)}", ""]
    out.append(
        f"- 征求意见期：{_period(digest)}"
        + (f"　·　起草单位：{_text(d.issuer)}" if d.issuer else "")
    )
    out.append(
        f"- 共收到意见 **{_n(t.comments)}** 条（{_split(t.submitters, {k: k for k in t.submitters}) or '无'}）"
        + (f"，另有未公开 {_n(t.hidden)} 条（待审核或已隐藏，不计入统计）" if t.hidden else "")
    )
    out.append(
        f"- 去除批量复制后独立意见 **{_n(t.distinct)}** 条；识别批量提交 **{_n(t.campaigns)}** 组（共 {_n(t.in_campaigns)} 条）"
    )
    out.append(
        "- 立场："
        + " · ".join(f"{STANCE_NAMES[s]} {_pct(t.stance.get(s, 0), t.comments)}" for s in STANCES)
    )
    out.append(
        "- 倾向："
        + " · ".join(
            f"{v} {_pct(t.polarity.get(k, 0), t.comments)}" for k, v in POLARITY_NAMES.items()
        )
    )
    silent = "、".join(cited[k] for k in digest.ranking.uncommented if k in by_key) or "无"
    out.append(f"- 涉及条款 {touched} / {len(clauses)}；**未收到意见的条款**：{silent}")
    flagged = " · ".join(
        f"{FLAG_NAMES[f]} {_n(t.flags.get(f, 0))} 条" for f in FLAG_ORDER if t.flags.get(f)
    )
    out += [f"- 已标记待审：{flagged or '无'}（个人信息已遮盖）", ""]
    if digest.ranking.most_discussed:
        out += [
            "## 最受关注的条款",
            "",
            "| 条款 | 意见数 | 独立意见 | 支持 | 反对 | 建议 | 疑问 | 主要观点 |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for key in digest.ranking.most_discussed[:TOP_CLAUSES]:
            s = by_key[key]
            st = s.tally.stance
            points = "；".join(
                _text(c.label) for c in [c for c in s.clusters if not c.remainder][:2]
            )
            shares = " | ".join(
                _pct(st.get(x, 0), s.tally.comments)
                for x in ("support", "oppose", "suggest", "question")
            )
            out.append(
                f"| {cited[key]} | {_n(s.tally.comments)} | {_n(s.tally.distinct)} | {shares} | {points or '—'} |"
            )
        out.append("")
    if digest.ranking.most_opposed:
        names = "、".join(
            f"{cited[k]}（反对 {_n(by_key[k].tally.stance['oppose'])} 条）"
            for k in digest.ranking.most_opposed[:5]
        )
        out += [f"**反对意见最集中的条款**：{names}", ""]
    out += ["---", ""]
    for section in digest.sections:
        if section.tally.comments or section.tally.hidden:
            out += _section(section, cited[section.key])
    return "\n".join(out).rstrip() + "\n"


def _cn_heading(n: int) -> str:
    return f"{chinese_number(n)}、"


def _count(comments: int, copies: int) -> str:
    return _n(comments) + (f"（含批量提交 {_n(copies)} 条）" if copies else "")


def render_feedback_markdown(report: FeedbackReport) -> str:
    """``feedback.md``, the public 意见采纳情况说明: the report's figures, outcomes and reasons
    (``build_feedback_report``); no comment text, no personal data, every cell escaped."""
    out = [f"# {_text(report.title)}", ""]
    number = iter(range(1, 10))
    out += [f"## {_cn_heading(next(number))}基本情况", ""]
    out += [_text(report.opening()) + _text(report.totals_sentence()), "", _text(BASIS), ""]
    out += [f"## {_cn_heading(next(number))}采纳情况", ""]
    out += ["| 处理结果 | 意见要点 | 意见数 |", "|---|---:|---:|"]
    for outcome in OUTCOMES:
        points, comments = report.by_outcome.get(outcome, (0, 0))
        out.append(f"| {outcome} | {_n(points)} | {_n(comments)} |")
    if report.pending_comments:
        out.append(f"| {PENDING} | {_n(report.pending_points)} | {_n(report.pending_comments)} |")
    out += ["", f"## {_cn_heading(next(number))}主要意见及处理情况", ""]
    if report.empty:
        out += ["尚未对意见作出处理。", ""]
    for clause in report.clauses:
        out += [f"### {_text(clause.title)}", ""]
        out += ["| 序号 | 意见要点 | 意见数 | 处理结果 | 理由 |", "|---:|---|---:|---|---|"]
        for i, item in enumerate(clause.items, start=1):
            out.append(
                f"| {i} | {_text(item.label)} | {_count(item.comments, item.copies)} "
                f"| {item.outcome} | {_text(item.reason) or '—'} |"
            )
        out.append("")
        if clause.pending_comments:
            out += [f"本条另有 {_n(clause.pending_comments)} 条意见尚在研究。", ""]
    if report.pending:
        out += [f"## {_cn_heading(next(number))}尚在研究的意见", ""]
        out += ["以下意见尚未作出处理，处理结果将另行公布。", ""]
        out += ["| 条款 | 意见要点 | 意见数 |", "|---|---:|---:|"]
        for clause in report.pending:
            out.append(
                f"| {_text(clause.title)} | {_n(clause.pending_points)} "
                f"| {_n(clause.pending_comments)} |"
            )
        out.append("")
    out += [f"## {_cn_heading(next(number))}未予采纳意见的主要理由", ""]
    out += [f"- {_text(r)}" for r in report.refusals] or ["- 无"]
    return "\n".join(out).rstrip() + "\n"
