"""Exports: comments as CSV (UTF-8 with BOM, for Excel) and JSON, the audit log as CSV, the
feedback report as it stands (Markdown and Word).

Two audiences: the drafters' export carries personal data (names, contacts, receipts) and every
comment, hidden ones included; the public export carries only published comments, names only where
the submitter agreed, and personal data in the text masked.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from analysis import CommentNote, Digest, FeedbackReport
from comments import storage, views
from comments.digests import DigestService
from comments.errors import InputError
from comments.storage import corrections as stored_corrections
from comments.storage import decisions, publications, review
from comments.storage.models import AuditLog, Comment, Draft

BOM = "\ufeff"
# Cells Excel would read as a formula are prefixed so they stay text (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return BOM + out.getvalue()


def public_name(comment: Comment) -> str:
    return comment.name if comment.show_name and comment.name else ""


def comment_records(
    comments: Sequence[Comment],
    titles: Mapping[str | None, str],
    *,
    personal: bool,
    tz: str,
    notes: Mapping[int, CommentNote] | None = None,
    decided: Mapping[int, tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """One plain record per comment; the public form drops unpublished comments and personal data.

    ``decided``: comment id → (outcome, reason) — the recorded decisions for the drafters'
    export, the published ones for the public export.
    """
    records = []
    if not personal:  # imported here: only the public export masks, and the import is not free
        from analysis import mask_pii
    for c in comments:
        assert c.id is not None
        if not personal and c.status != "published":
            continue
        note = notes.get(c.id) if notes else None
        decision = decided.get(c.id) if decided else None
        record: dict[str, Any] = {
            "id": c.id,
            "clause": c.clause_key,
            "clause_title": titles.get(c.clause_key, c.clause_key or ""),
            "created_at": views.local_time(c.created_at, tz),
            "submitter_type": c.submitter_type,
            "channel": c.channel,
            # Public: the region only with the commenter's consent to be named, and masked.
            "region": c.region if personal else (mask_pii(c.region) if c.show_name else ""),
            "body": c.body if personal else mask_pii(c.body),
        }
        if personal:
            record |= {
                "receipt": c.receipt,
                "name": c.name,
                "contact": c.contact,
                "show_name": c.show_name,
                "status": c.status,
            }
        else:
            record["name"] = mask_pii(public_name(c))
        if note is not None:
            record |= {
                "stance": note.stance,
                "polarity": note.polarity,
                "reviewed": note.reviewed,
                "cluster": note.cluster,
                "campaign": note.campaign,
                "flags": list(note.flags),
            }
        if decision is not None:
            outcome, reason = decision
            reason = reason if personal else mask_pii(reason)
            record |= {"decision": outcome, "decision_reason": reason}
        records.append(record)
    return records


_COLUMNS = [
    ("id", "编号"),
    ("receipt", "回执编号"),
    ("clause", "条款"),
    ("clause_title", "条款名称"),
    ("created_at", "提交时间"),
    ("submitter_type", "提交者类型"),
    ("channel", "来源渠道"),
    ("region", "地区"),
    ("name", "姓名或单位"),
    ("contact", "联系方式"),
    ("show_name", "同意公开姓名"),
    ("status", "状态"),
    ("stance", "立场"),
    ("polarity", "语气"),
    ("reviewed", "人工更正"),
    ("cluster", "观点聚类"),
    ("campaign", "批量提交"),
    ("flags", "标记"),
    ("decision", "处理结果"),
    ("decision_reason", "处理理由"),
    ("body", "意见内容"),
]


def comments_csv(records: Sequence[Mapping[str, Any]], *, personal: bool) -> str:
    private = {"receipt", "contact", "show_name", "status"}
    columns = [(k, h) for k, h in _COLUMNS if personal or k not in private]

    def value(record: Mapping[str, Any], key: str) -> object:
        v = record.get(key)
        if key == "clause":
            return v if v is not None else "（总体意见）"
        if key == "status":
            return views.STATUS_TEXT.get(str(v), v)
        if key == "show_name":
            return "是" if v else "否"
        if key == "flags":
            return "、".join(v or [])
        return v

    return _csv([h for _, h in columns], [[value(r, k) for k, _ in columns] for r in records])


def comments_json(draft: Draft, records: Sequence[Mapping[str, Any]], *, personal: bool) -> str:
    data = {
        "draft": {"slug": draft.slug, "title": draft.title, "organisation": draft.organisation},
        "personal_data": personal,
        "count": len(records),
        "comments": list(records),
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def audit_csv(rows: Sequence[AuditLog], tz: str) -> str:
    return _csv(
        ["编号", "时间", "操作人", "操作", "对象", "详情"],
        [
            [a.id, views.local_time(a.created_at, tz), a.actor, a.action, a.target, a.detail]
            for a in rows
        ],
    )


EXPORT_NAMES = (
    "digest.md",
    "feedback.md",
    "feedback.docx",
    "comments.csv",
    "comments.json",
    "public-comments.csv",
    "public-comments.json",
    "audit.csv",
    "labels.jsonl",
)


def current_feedback(engine: Engine, digests: DigestService, draft: Draft) -> FeedbackReport:
    """The feedback report as it stands (recorded decisions, fresh digest): what publishing
    would publish now. Blocking: runs the digest when it is stale."""
    assert draft.id is not None
    digest = digests.get(draft).digest
    with Session(engine) as session:
        return decisions.feedback_report(session, draft.id, digest)


def feedback_docx(engine: Engine, digests: DigestService, draft: Draft) -> bytes:
    """``feedback.docx`` of the current report, for the drafters to review before publishing."""
    from analysis import render_feedback_docx

    return render_feedback_docx(current_feedback(engine, digests, draft))


def export_text(engine: Engine, digests: DigestService, draft: Draft, name: str, *, tz: str) -> str:
    """The text of one export of a draft (blocking: runs the digest when it is stale).

    ``comments.*`` carry personal data and the recorded decisions (drafters only);
    ``public-comments.*`` carry the decisions as last published; ``feedback.md`` is the current
    report (a preview of what publishing would publish), masked like everything public.
    """
    from analysis import render_digest_markdown, render_feedback_markdown

    assert draft.id is not None
    if name == "digest.md":
        return render_digest_markdown(digests.get(draft).digest)
    if name == "feedback.md":
        return render_feedback_markdown(current_feedback(engine, digests, draft))
    if name == "labels.jsonl":
        digest = digests.get(draft).digest
        with Session(engine) as session:
            return labels_jsonl(session, draft, digest)
    if name not in EXPORT_NAMES or not name.endswith((".csv", ".json")):
        raise InputError("unknown_export", "没有这种导出格式。", status=404)
    personal = not name.startswith("public-")
    with Session(engine) as session:
        if name == "audit.csv":
            rows = storage.audit_log(session, limit=1_000_000, draft_slug=draft.slug)
            return audit_csv(rows, tz)
        comments = list(storage.comments_of(session, draft.id))
        titles = views.clause_titles(storage.clauses_of(session, draft.id))
        if personal:
            stored = review.decisions_of(session, draft.id)
            members = review.decision_members(session, draft.id)
            decided = {
                i: (d.outcome, d.reason)
                for i, d in decisions.effective_by_comment(stored, members).items()
            }
        else:  # the public sees decisions only once published, and as published
            decided = publications.published_outcomes(session, draft.id)
    latest = digests.latest(draft.id)
    records = comment_records(
        comments,
        titles,
        personal=personal,
        tz=tz,
        notes={n.id: n for n in latest.digest.comments} if latest and personal else None,
        decided=decided,
    )
    if name.endswith(".csv"):
        return comments_csv(records, personal=personal)
    return comments_json(draft, records, personal=personal)


def labels_jsonl(session: Session, draft: Draft, digest: Digest) -> str:
    """What people confirmed, one JSON object per comment: training data for
    ``python -m analysis.train_stance --labels FILE`` (text masked; drafters only).

    Each line has ``id``, ``clause``, ``target`` (the clause text the stance is toward), ``text``
    and only the fields a person set: ``stance``, ``polarity``, ``flags``, ``point`` (the name
    of the confirmed point the comment is in).
    """
    from analysis import mask_pii

    assert draft.id is not None
    fixes = stored_corrections.latest_comment_fixes(session, draft.id)
    point_of: dict[int, str] = {}
    for point, members in stored_corrections.points_with_members(session, draft.id):
        if point.merged_into is None:
            point_of.update(dict.fromkeys(members, point.label))
    notes = {n.id: n for n in digest.comments}
    labels = {c.id: c.label for s in digest.sections for c in s.clusters if c.confirmed}
    point_of = {
        m: labels.get(notes[m].cluster or "", name) if m in notes else name
        for m, name in point_of.items()
    }
    ids = sorted(set(fixes) | set(point_of))
    bodies = {c.id: c for c in review.comments_by_ids(session, draft.id, ids)}
    texts = {c.key: c.text for c in storage.clauses_of(session, draft.id)}
    lines = []
    for comment_id in ids:
        comment = bodies.get(comment_id)
        if comment is None:
            continue
        fix = fixes.get(comment_id, {})
        note = notes.get(comment_id)
        clause = note.bucket if note else comment.clause_key
        row: dict[str, Any] = {
            "id": comment_id,
            "draft": draft.slug,
            "clause": clause,
            "target": texts.get(clause or "", draft.title),
            "text": mask_pii(comment.body),
        }
        row |= {k: fix[k] for k in ("stance", "polarity", "flags") if k in fix}
        if comment_id in point_of and point_of[comment_id]:
            row["point"] = point_of[comment_id]
        lines.append(json.dumps(row, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
