"""Publications of the feedback report: the snapshot rows, and what they say per comment.

Decisions are internal until the drafters publish (发布采纳情况). A publication keeps, for good,
the report as published and the decisions it applied; the public page, ``feedback.md``,
``feedback.docx``, receipts and the public exports read the newest one and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from comments.errors import InputError
from comments.storage.auditlog import audit
from comments.storage.decisions import CommentDecision
from comments.storage.models import (
    Comment,
    Draft,
    FeedbackPublication,
    FeedbackPublicationMember,
)


def latest_publication(session: Session, draft_id: int) -> FeedbackPublication | None:
    return session.exec(
        select(FeedbackPublication)
        .where(FeedbackPublication.draft_id == draft_id)
        .order_by(col(FeedbackPublication.number).desc())
        .limit(1)
    ).first()


def has_publication(session: Session, draft_id: int) -> bool:
    found = session.exec(
        select(FeedbackPublication.id).where(FeedbackPublication.draft_id == draft_id).limit(1)
    ).first()
    return found is not None


def publications_of(session: Session, draft_id: int) -> list[FeedbackPublication]:
    """Every publication of the draft, newest first."""
    return list(
        session.exec(
            select(FeedbackPublication)
            .where(FeedbackPublication.draft_id == draft_id)
            .order_by(col(FeedbackPublication.number).desc())
        )
    )


def next_number(session: Session, draft_id: int) -> int:
    """The number the draft's next publication takes (two publishers racing for it: the
    unique constraint lets one win, the other is told)."""
    last = session.exec(
        select(func.max(FeedbackPublication.number)).where(FeedbackPublication.draft_id == draft_id)
    ).one()
    return int(last or 0) + 1


def add_publication(
    *,
    session: Session,
    draft: Draft,
    report: Mapping[str, Any],
    entries: Sequence[Mapping[str, Any]],
    members: Sequence[Sequence[int]],
    figures: Mapping[str, int],
    actor: str,
) -> FeedbackPublication:
    """Store one publication with its per-comment decisions and an audit row (commits).

    ``entries[i]`` is a published decision and ``members[i]`` the comments it applies to;
    ``figures``: ``comments``, ``decided``, ``points`` as the report counts them.
    """
    assert draft.id is not None
    publication = FeedbackPublication(
        draft_id=draft.id,
        number=next_number(session, draft.id),
        published_by=actor,
        report_json=json.dumps(report, ensure_ascii=False, sort_keys=True),
        decisions_json=json.dumps(list(entries), ensure_ascii=False, sort_keys=True),
        comments=figures["comments"],
        decided=figures["decided"],
        points=figures["points"],
    )
    session.add(publication)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise InputError(
            "publication_race",
            "另一位同事刚刚发布了意见采纳情况。请刷新页面，查看最新发布的内容后再决定是否重新发布。",
            status=409,
        ) from None
    assert publication.id is not None
    rows = [
        {"publication_id": publication.id, "comment_id": comment_id, "entry": entry}
        for entry, ids in enumerate(members)
        for comment_id in ids
    ]
    if rows:
        session.execute(insert(FeedbackPublicationMember), rows)
    audit(
        session,
        actor=actor,
        action="publish_feedback",
        target=draft.slug,
        detail={"number": publication.number, **figures, "decisions": len(entries)},
    )
    session.commit()
    session.refresh(publication)
    return publication


def entries_of(publication: FeedbackPublication) -> list[dict[str, Any]]:
    return list(json.loads(publication.decisions_json))


def report_of(publication: FeedbackPublication) -> dict[str, Any]:
    return dict(json.loads(publication.report_json))


def published_decision(session: Session, comment: Comment) -> CommentDecision | None:
    """The comment's decision as last published, or None (not published, or not in it)."""
    if comment.id is None or comment.status != "published":
        return None
    publication = latest_publication(session, comment.draft_id)
    if publication is None or publication.id is None:
        return None
    member = session.get(FeedbackPublicationMember, (publication.id, comment.id))
    if member is None:
        return None
    entry = entries_of(publication)[member.entry]
    return CommentDecision(
        outcome=entry["outcome"],
        reason=entry["reason"],
        kind=entry["kind"],
        label=entry["label"] if entry["kind"] != "comment" else "",
        decided_at=datetime.fromisoformat(entry["decided_at"]),
    )


def published_outcomes(session: Session, draft_id: int) -> dict[int, tuple[str, str]]:
    """comment id → (outcome, reason) as last published (empty before any publication)."""
    publication = latest_publication(session, draft_id)
    if publication is None:
        return {}
    entries = entries_of(publication)
    rows = session.exec(
        select(FeedbackPublicationMember.comment_id, FeedbackPublicationMember.entry).where(
            FeedbackPublicationMember.publication_id == publication.id
        )
    )
    return {
        comment_id: (entries[entry]["outcome"], entries[entry]["reason"])
        for comment_id, entry in rows
    }
