"""Comment rows: counts and look-ups by draft, status and receipt.

The batched insert of new comments lives in ``storage/inserts.py``; moderation in ``review.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from comments.storage.models import Comment, Draft


def comment_counts(session: Session, draft_id: int) -> dict[str | None, int]:
    """Published comments per clause key (``None``: on the whole draft)."""
    rows = session.exec(
        select(Comment.clause_key, func.count())
        .where(Comment.draft_id == draft_id, Comment.status == "published")
        .group_by(Comment.clause_key)
    )
    return {key: count for key, count in rows}


def status_counts(session: Session, draft_id: int) -> dict[str, int]:
    """Comments per status (published / pending / hidden)."""
    rows = session.exec(
        select(Comment.status, func.count())
        .where(Comment.draft_id == draft_id)
        .group_by(Comment.status)
    )
    return {status: count for status, count in rows}


def comment_ids_with_status(session: Session, draft_id: int, status: str) -> set[int]:
    rows = session.exec(
        select(Comment.id).where(Comment.draft_id == draft_id, Comment.status == status)
    )
    return {i for i in rows if i is not None}


def comment_by_receipt(session: Session, receipt: str) -> tuple[Comment, Draft] | None:
    row = session.exec(
        select(Comment, Draft)
        .join(Draft, col(Draft.id) == col(Comment.draft_id))
        .where(Comment.receipt == receipt)
    ).first()
    return (row[0], row[1]) if row else None


def comments_of(session: Session, draft_id: int) -> Sequence[Comment]:
    return session.exec(
        select(Comment).where(Comment.draft_id == draft_id).order_by(col(Comment.id))
    ).all()
