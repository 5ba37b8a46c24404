"""Moderation and adoption decisions: the rows drafters write about comments.

Every function that changes something commits and leaves an audit row (``auditlog.audit``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from comments.errors import InputError
from comments.intake.payload import clean_text
from comments.storage.auditlog import audit
from comments.storage.db import in_chunks
from comments.storage.models import (
    DECISION_KINDS,
    DECISION_OUTCOMES,
    Comment,
    Decision,
    DecisionMember,
    Draft,
    utcnow,
)

MAX_REASON_CHARS = 2000
MODERATION_ACTIONS = {"publish": "published", "hide": "hidden"}


def moderate_comment(
    *, session: Session, draft: Draft, comment_id: int, action: str, reason: str, actor: str
) -> Comment:
    """Publish or hide one comment with a reason (commits). Hiding never deletes."""
    status = MODERATION_ACTIONS.get(action)
    if status is None:
        raise InputError("bad_action", "处理方式只能是“公开”或“隐藏”。")
    reason = clean_text(reason, multiline=True)
    if not reason:
        raise InputError("missing_reason", "请填写处理理由。")
    if len(reason) > MAX_REASON_CHARS:
        raise InputError("reason_too_long", f"理由不能超过 {MAX_REASON_CHARS} 个字。")
    comment = session.get(Comment, comment_id)
    if comment is None or comment.draft_id != draft.id:
        raise InputError("unknown_comment", "这份草案中没有这条意见。", status=404)
    before = comment.status
    comment.status = status
    session.add(comment)
    audit(
        session,
        actor=actor,
        action=f"{action}_comment",
        target=f"{draft.slug}#{comment.id}",
        detail={
            "comment": comment.id,
            "receipt": comment.receipt,
            "from": before,
            "to": status,
            "reason": reason,
        },
    )
    session.commit()
    session.refresh(comment)
    return comment


def comments_by_ids(session: Session, draft_id: int, ids: Iterable[int]) -> list[Comment]:
    """The draft's comments among ``ids``, by id (any number of ids)."""
    found: list[Comment] = []
    for chunk in in_chunks(sorted(set(ids))):
        found.extend(
            session.exec(
                select(Comment)
                .where(Comment.draft_id == draft_id, col(Comment.id).in_(chunk))
                .order_by(col(Comment.id))
            )
        )
    return found


def comments_with_status(session: Session, draft_id: int, status: str) -> list[Comment]:
    return list(
        session.exec(
            select(Comment)
            .where(Comment.draft_id == draft_id, Comment.status == status)
            .order_by(col(Comment.id))
        )
    )


def record_decision(
    *,
    session: Session,
    draft: Draft,
    target_kind: str,
    target_id: str,
    clause_key: str | None,
    label: str,
    outcome: str,
    reason: str,
    members: Sequence[int],
    actor: str,
) -> Decision:
    """Record (or replace) the decision on a cluster, suggestion or comment (commits).

    ``members`` are the comments the decision covers as the drafter saw them; a comment's own
    decision overrides its cluster's. The decision is internal until the drafters publish the
    feedback report (``comments.feedback.publish``).
    """
    assert draft.id is not None
    if target_kind not in DECISION_KINDS:
        raise InputError("bad_target", "处理对象只能是观点聚类、修改建议或单条意见。")
    if not outcome.strip():
        # The forms start with no outcome chosen, so that none is taken by default.
        raise InputError(
            "missing_outcome", "请选择处理结果：" + "、".join(DECISION_OUTCOMES) + "之一。"
        )
    if outcome not in DECISION_OUTCOMES:
        raise InputError("bad_outcome", "处理结果只能是：" + "、".join(DECISION_OUTCOMES) + "。")
    reason = clean_text(reason, multiline=True)
    if not reason:
        raise InputError("missing_reason", "请填写处理理由。")
    if len(reason) > MAX_REASON_CHARS:
        raise InputError("reason_too_long", f"理由不能超过 {MAX_REASON_CHARS} 个字。")
    target_id = target_id.strip()
    if not target_id or len(target_id) > 64:
        raise InputError("bad_target", "缺少处理对象。")
    member_ids = sorted(set(members))
    found = {c.id for c in comments_by_ids(session, draft.id, member_ids)}
    if len(found) != len(member_ids):
        raise InputError("unknown_comment", "处理对象包含不属于这份草案的意见。", status=404)
    decision = session.exec(
        select(Decision).where(
            Decision.draft_id == draft.id,
            Decision.target_kind == target_kind,
            Decision.target_id == target_id,
        )
    ).first()
    before = None
    if decision is None:
        decision = Decision(
            draft_id=draft.id,
            target_kind=target_kind,
            target_id=target_id,
            outcome=outcome,
            reason=reason,
            decided_by=actor,
        )
    else:
        before = {"outcome": decision.outcome, "reason": decision.reason, "by": decision.decided_by}
        for member in session.exec(
            select(DecisionMember).where(DecisionMember.decision_id == decision.id)
        ):
            session.delete(member)
    decision.clause_key = clause_key
    decision.label = label[:2000]
    decision.outcome, decision.reason = outcome, reason
    decision.decided_by, decision.decided_at = actor, utcnow()
    session.add(decision)
    session.flush()
    assert decision.id is not None
    session.add_all(DecisionMember(decision_id=decision.id, comment_id=i) for i in member_ids)
    audit(
        session,
        actor=actor,
        action="decide",
        target=f"{draft.slug}:{target_kind}:{target_id}",
        detail={
            "outcome": outcome,
            "reason": reason,
            "comments": len(member_ids),
            "before": before,
        },
    )
    session.commit()
    session.refresh(decision)
    return decision


def decision_count(session: Session, draft_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Decision).where(Decision.draft_id == draft_id)
        ).one()
    )


def decisions_of(session: Session, draft_id: int) -> list[Decision]:
    return list(
        session.exec(
            select(Decision).where(Decision.draft_id == draft_id).order_by(col(Decision.id))
        )
    )


def decisions_covering(session: Session, comment_id: int) -> list[Decision]:
    """Every decision whose members include the comment (its own, its cluster's, ...)."""
    return list(
        session.exec(
            select(Decision)
            .join(DecisionMember, col(DecisionMember.decision_id) == col(Decision.id))
            .where(DecisionMember.comment_id == comment_id)
        )
    )


def decision_members(session: Session, draft_id: int) -> dict[int, list[int]]:
    """decision id -> the comment ids it covers, for every decision on the draft."""
    rows = session.exec(
        select(DecisionMember.decision_id, DecisionMember.comment_id)
        .join(Decision, col(Decision.id) == col(DecisionMember.decision_id))
        .where(Decision.draft_id == draft_id)
        .order_by(col(DecisionMember.comment_id))
    )
    members: dict[int, list[int]] = {}
    for decision_id, comment_id in rows:
        members.setdefault(decision_id, []).append(comment_id)
    return members
