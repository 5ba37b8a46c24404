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


def latest_number(session: Session, draft_id: int) -> int:
    """How many times the draft's report was published (0: never)."""
    last = session.exec(
        select(func.max(FeedbackPublication.number)).where(FeedbackPublication.draft_id == draft_id)
    ).one()
    return int(last or 0)


def has_publication(session: Session, draft_id: int) -> bool:
    return latest_number(session, draft_id) > 0


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
    return latest_number(session, draft_id) + 1


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


def _latest_entries(session: Session, draft_id: int) -> tuple[int, list[dict[str, Any]]] | None:
    """(id, decisions) of the newest publication, without loading its report."""
    row = session.exec(
        select(FeedbackPublication.id, FeedbackPublication.decisions_json)
        .where(FeedbackPublication.draft_id == draft_id)
        .order_by(col(FeedbackPublication.number).desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None:
        return None
    return row[0], list(json.loads(row[1]))


def published_decision(session: Session, comment: Comment) -> CommentDecision | None:
    """The comment's decision as last published, or None (not published, or not in it)."""
    if comment.id is None or comment.status != "published":
        return None
    latest = _latest_entries(session, comment.draft_id)
    if latest is None:
        return None
    publication_id, entries = latest
    member = session.get(FeedbackPublicationMember, (publication_id, comment.id))
    if member is None:
        return None
    entry = entries[member.entry]
    return CommentDecision(
        outcome=entry["outcome"],
        reason=entry["reason"],
        kind=entry["kind"],
        label=entry["label"] if entry["kind"] != "comment" else "",
        decided_at=datetime.fromisoformat(entry["decided_at"]),
    )


def published_outcomes(session: Session, draft_id: int) -> dict[int, tuple[str, str]]:
    """comment id → (outcome, reason) as last published (empty before any publication)."""
    latest = _latest_entries(session, draft_id)
    if latest is None:
        return {}
    publication_id, entries = latest
    rows = session.exec(
        select(FeedbackPublicationMember.comment_id, FeedbackPublicationMember.entry).where(
            FeedbackPublicationMember.publication_id == publication_id
        )
    )
    return {
        comment_id: (entries[entry]["outcome"], entries[entry]["reason"])
        for comment_id, entry in rows
    }
