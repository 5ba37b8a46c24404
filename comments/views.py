"""Rows → plain data for pages and the JSON API (no web framework here)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from analysis import (
    FLAG_NAMES,
    POLARITY_NAMES,
    STANCE_NAMES,
    ClauseInput,
    clause_names,
    comment_flags,
    hold_reason,
    mask_pii,
)
from comments.intake.validate import HELD_FLAGS
from comments.period import period_state
from comments.storage.models import Clause, Comment, Draft

STATUS_LABELS = {"published": "已收到", "pending": "待审核", "hidden": "未公开"}
# A comment's status as the drafters' pages and exports name it.
STATUS_TEXT = {"published": "已公开", "pending": "待审核", "hidden": "已隐藏"}


def days_left(draft: Draft, today: date) -> int | None:
    return (draft.deadline - today).days if draft.deadline else None


def draft_summary(draft: Draft, comments: int, today: date) -> dict[str, Any]:
    period = period_state(draft, today)
    return {
        "slug": draft.slug,
        "title": draft.title,
        "issuer": draft.issuer,
        "contact": draft.contact,
        "opens_on": draft.opens_on.isoformat() if draft.opens_on else None,
        "deadline": draft.deadline.isoformat() if draft.deadline else None,
        "period": period,
        "accepting_comments": period == "open",
        "days_left": days_left(draft, today) if period == "open" else None,
        "is_example": draft.is_example,
        "comment_count": comments,
        "url": f"/drafts/{draft.slug}",
    }


@dataclass
class TreeNode:
    clause: Clause
    comments: int
    children: list[TreeNode] = field(default_factory=list)

    @property
    def rows(self) -> list[list[str]] | None:
        raw = self.clause.rows_json
        return json.loads(raw) if raw else None


def build_tree(clauses: Sequence[Clause], counts: Mapping[str | None, int]) -> list[TreeNode]:
    """Nest the flat, ordered clause rows again by parent key."""
    by_key: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    for clause in clauses:
        node = TreeNode(clause, counts.get(clause.key, 0))
        by_key[clause.key] = node
        parent = by_key.get(clause.parent_key) if clause.parent_key else None
        (parent.children if parent else roots).append(node)
    return roots


def node_dicts(clauses: Sequence[Clause], counts: Mapping[str | None, int]) -> list[dict[str, Any]]:
    def to_dict(node: TreeNode) -> dict[str, Any]:
        c = node.clause
        data: dict[str, Any] = {
            "key": c.key,
            "kind": c.kind,
            "label": c.label,
            "number": c.number,
            "heading": c.heading,
            "text": c.text,
            "comments": node.comments,
            "children": [to_dict(child) for child in node.children],
        }
        if node.rows is not None:
            data["rows"] = node.rows
        return data

    return [to_dict(n) for n in build_tree(clauses, counts)]


def clause_title(clause: Clause | None) -> str:
    if clause is None:
        return "总体意见（对草案全文）"
    text = f"{clause.label}{clause.heading}".strip() or clause.key
    return text if len(text) <= 40 else text[:40] + "…"


def clause_titles(clauses: Sequence[Clause]) -> dict[str | None, str]:
    """Clause key → the name a reader cites it by ("第5条 优化升级宽带网络"), as the digest
    names it (``analysis.clause_names``); ``None`` → the whole draft. ``clauses`` in order."""
    names = clause_names(
        [
            ClauseInput(c.key, c.kind, c.label, c.heading, c.text, c.parent_key, c.position)
            for c in clauses
        ]
    )
    titles: dict[str | None, str] = {None: clause_title(None)}
    titles.update(names)
    return titles


def held_because(comment: Comment) -> str:
    """Why a held comment waits for a drafter, in plain words ("" when it is not held)."""
    if comment.status != "pending":
        return ""
    return hold_reason_of(comment.body)


def hold_reason_of(body: str) -> str:
    """Why a comment with this text is held, in plain words (for the receipt and the API)."""
    return hold_reason(comment_flags(body, HELD_FLAGS)) or "待人工审核后公开"


# Presentation of labels on public pages; the stored label and text never change.
_TIGHT_AFTER = ("、", "）", ")", "．", ".", "：", ":", "】")
_BULLET_PREFIXES = ("--", "——", "－－")


def label_gap(label: str) -> str:
    """The space shown between a label and its heading: none after an enumeration mark
    ("一、总体要求", "（一）总体思路"), one after a 第…章 label ("第一章 总则")."""
    return "" if not label or label.endswith(_TIGHT_AFTER) else " "


# What the parser's node kinds (docs/parsing.md, 层级) are called on the drafters' pages.
KIND_NAMES = {
    "root": "全文",
    "preamble": "前言",
    "book": "编",
    "subbook": "分编",
    "part": "部分",
    "chapter": "章",
    "section": "节",
    "article": "条",
    "paragraph": "款",
    "item": "项",
    "subitem": "目",
    "clause": "条",
    "box": "专栏",
    "bullet": "条目",
    "annex": "附件",
    "table": "表格",
    "row": "表格行",
}


def kind_name(kind: str) -> str:
    """A node kind as the drafters call it ("article" → 条); an unknown kind as it is."""
    return KIND_NAMES.get(kind, kind)


def bullet_rest(para: str) -> str | None:
    """The words of a paragraph that starts with a dash bullet ("--", "——"); None otherwise."""
    for prefix in _BULLET_PREFIXES:
        if para.startswith(prefix) and para[len(prefix) :].strip():
            return para[len(prefix) :].lstrip(" \u3000")
    return None


def short_label(clause: Clause) -> str:
    """A name for a clause in the contents: its label, or its place ("第一点") for a bullet."""
    if clause.kind == "bullet" or not clause.label:
        return clause.key.rsplit("/", 1)[-1]
    return clause.label


def display_title(clause: Clause | None) -> str:
    """``clause_title`` for public pages: a bullet is named by its place and first words."""
    if clause is not None and clause.kind == "bullet" and not clause.heading:
        words = clause.text if len(clause.text) <= 16 else clause.text[:16] + "…"
        return f"{short_label(clause)}：{words}"
    return clause_title(clause)


def receipt_dict(comment: Comment, draft: Draft) -> dict[str, Any]:
    return {
        "receipt": comment.receipt,
        "draft": {"slug": draft.slug, "title": draft.title},
        "clause": comment.clause_key,
        "body": mask_pii(comment.body),  # anyone holding the receipt sees it
        "submitter_type": comment.submitter_type,
        "status": comment.status,
        "status_label": STATUS_LABELS.get(comment.status, comment.status),
        "held_because": held_because(comment),
        "created_at": comment.created_at.isoformat(),
    }


def local_time(moment: datetime, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def masked(text: str | None) -> str:
    """``text`` with personal data masked, as every page shows it unless revealed."""
    from analysis import mask_pii

    return mask_pii(text or "")


# The audit log as a drafter reads it: what was done, and the detail in words, not codes.
AUDIT_ACTIONS = {
    "login": "登录",
    "add_drafter": "添加账户",
    "enable_drafter": "启用账户",
    "disable_drafter": "停用账户",
    "reset_drafter": "重设密码",
    "import_draft": "导入草案",
    "edit_draft": "修改草案信息",
    "publish_draft": "发布草案",
    "close_draft": "立即结束征求意见",
    "extend_draft": "延长征求意见期",
    "publish_comment": "公开意见",
    "hide_comment": "隐藏意见",
    "decide": "记录处理意见",
    "publish_feedback": "发布意见采纳情况",
    "import_message": "导入来信",
    "assign_clause": "指定条款",
    "send_reply": "回复来信",
    "reveal_personal_data": "查看未遮盖的个人信息",
    "purge_contacts": "清除过期的联系方式",
    "correct_comment": "更正意见",
    "correct_point": "整理观点",
}
_DETAIL_KEYS = {
    "after": "改后",
    "before": "改前",
    "channel": "渠道",
    "comment": "意见编号",
    "comments": "意见",
    "deadline": "截止日期",
    "decisions": "处理意见",
    "erased": "清除条数",
    "from": "原为",
    "members": "成员",
    "message_id": "来信编号",
    "number": "第几次发布",
    "outcome": "处理结果",
    "reason": "理由",
    "receipt": "回执",
    "receipts": "回执",
    "retention_days": "保留天数",
    "source": "来源文件",
    "status": "状态",
    "title": "标题",
    "to": "改为",
    "into": "拆出为",
}
_DETAIL_FIELDS = {
    "stance": "立场",
    "polarity": "语气",
    "flags": "标记",
    "clause": "条款",
    "point": "观点",
    "label": "观点标题",
    "reviewed": "已核对",
    "split": "拆分",
    "merge": "合并到",
}
_DETAIL_VALUES = {
    **STANCE_NAMES,
    **POLARITY_NAMES,
    **FLAG_NAMES,
    **STATUS_TEXT,
    "open": "征求意见中",
    "closed": "已结束",
    "unpublished": "未发布",
}


def audit_action(action: str) -> str:
    """An audit row's action in words ("correct_comment" → 更正意见); unknown ones as stored."""
    return AUDIT_ACTIONS.get(action, action)


def audit_detail(detail: str) -> str:
    """An audit row's detail in words: "立场：反对 → 支持", "状态：已公开；截止日期：2026-12-31".
    Detail that is not JSON is shown as stored."""
    try:
        value = json.loads(detail) if detail.strip() else ""
    except ValueError:
        return detail
    if isinstance(value, dict) and "field" in value and ("to" in value or "from" in value):
        name = _DETAIL_FIELDS.get(str(value["field"]), str(value["field"]))
        return f"{name}：{_say(value.get('from'))} → {_say(value.get('to'))}"
    return _say(value)


def _say(value: Any) -> str:
    if isinstance(value, dict):
        return "；".join(f"{_DETAIL_KEYS.get(k, k)}：{_say(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_say(v) for v in value) if value else "无"
    if value is None or value == "":
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return _DETAIL_VALUES.get(value, value)
    return str(value)
