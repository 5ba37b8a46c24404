"""Messages received outside the web form and the comments made from them.

A message is stored whole (``InboundMessage``, unique per draft by its source: Message-ID, or
file and row), its comments beside it with receipts like web comments. A comment whose clause
could not be inferred with confidence is filed under the whole draft with ``proposed_clause``
set (``""``: no proposal) until a drafter assigns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from comments.intake.receipts import new_receipts
from comments.storage.auditlog import audit
from comments.storage.models import Comment, Draft, InboundMessage, ReplySend, utcnow


@dataclass(frozen=True)
class Piece:
    """One comment of a message: its text and where it goes."""

    text: str
    clause: str | None
    confidence: float | None
    proposed: str | None  # set (maybe "") while the clause waits for a drafter
    status: str  # published | pending


def source_key(source: str) -> str:
    """The stored form of a source: as it is when short, else its start and a hash of it all."""
    if len(source) <= 255:
        return source
    import hashlib

    return source[:230] + "#" + hashlib.blake2b(source.encode(), digest_size=12).hexdigest()


def message_by_source(session: Session, draft_id: int, source: str) -> InboundMessage | None:
    return session.exec(
        select(InboundMessage).where(
            InboundMessage.draft_id == draft_id, InboundMessage.source == source
        )
    ).first()


def store_message(
    session: Session,
    draft: Draft,
    *,
    channel: str,
    source: str,
    text: str,
    sender: str,
    contact: str,
    subject: str,
    received_on: object,
    submitter_type: str,
    pieces: Sequence[Piece],
    actor: str,
) -> tuple[InboundMessage, list[Comment]]:
    """The message and one comment per piece, in the caller's transaction."""
    assert draft.id is not None
    message = InboundMessage(
        draft_id=draft.id,
        channel=channel,
        source=source[:255],
        sender=sender[:200],
        contact=contact[:200],
        subject=subject,
        text=text,
        received_on=received_on,  # type: ignore[arg-type]
    )
    session.add(message)
    session.flush()
    comments = [
        Comment(
            draft_id=draft.id,
            clause_key=piece.clause,
            receipt=receipt,
            body=piece.text.strip(),
            submitter_type=submitter_type,
            name=sender[:100],
            contact=contact[:200],
            status=piece.status,
            channel=channel,
            message_id=message.id,
            clause_confidence=piece.confidence,
            proposed_clause=piece.proposed,
        )
        for piece, receipt in zip(pieces, new_receipts(len(pieces)), strict=True)
    ]
    session.add_all(comments)
    session.flush()
    audit(
        session,
        actor=actor,
        action="import_message",
        target=f"{draft.slug}:{message.source}"[:255],
        detail={"channel": channel, "comments": [c.id for c in comments]},
    )
    return message, comments


def messages_of(session: Session, draft_id: int) -> list[InboundMessage]:
    return list(
        session.exec(
            select(InboundMessage)
            .where(InboundMessage.draft_id == draft_id)
            .order_by(col(InboundMessage.id).desc())
        )
    )


def message_by_id(session: Session, draft_id: int, message_id: int) -> InboundMessage | None:
    message = session.get(InboundMessage, message_id)
    return message if message is not None and message.draft_id == draft_id else None


def comments_of_message(session: Session, message_id: int) -> list[Comment]:
    return list(
        session.exec(
            select(Comment).where(Comment.message_id == message_id).order_by(col(Comment.id))
        )
    )


def waiting_for_clause(session: Session, draft_id: int) -> list[Comment]:
    """Comments whose clause a drafter has yet to confirm (待确认条款), oldest first."""
    return list(
        session.exec(
            select(Comment)
            .where(Comment.draft_id == draft_id, col(Comment.proposed_clause).is_not(None))
            .order_by(col(Comment.id))
        )
    )


def assign_clause(
    session: Session, comment: Comment, key: str | None, *, slug: str, actor: str
) -> None:
    """A drafter's answer for a waiting comment: its clause (None: the whole draft)."""
    before = comment.clause_key
    comment.clause_key = key
    comment.proposed_clause = None
    comment.clause_confidence = 1.0
    session.add(comment)
    audit(
        session,
        actor=actor,
        action="assign_clause",
        target=f"{slug}#{comment.id}",
        detail={"from": before, "to": key},
    )


def claim_reply(session: Session, message_id: int, token: str, actor: str) -> int | None:
    """Claim the send form's one-time token (commits); None when it was claimed before: the
    same form submitted again, whose reply is sent or on its way."""
    claim = ReplySend(message_id=message_id, token=token, actor=actor)
    session.add(claim)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return claim.id


def reply_sent(session: Session, claim_id: int) -> None:
    """The claimed reply went out (the caller commits, with its audit row)."""
    claim = session.get(ReplySend, claim_id)
    if claim is not None:
        claim.sent_at = utcnow()
        session.add(claim)


def release_reply(session: Session, claim_id: int) -> None:
    """The claimed reply did not go out: the same form may try again (commits)."""
    claim = session.get(ReplySend, claim_id)
    if claim is not None:
        session.delete(claim)
        session.commit()


def replies_sent(session: Session, message_id: int) -> list[ReplySend]:
    """The replies sent to a message, oldest first."""
    return list(
        session.exec(
            select(ReplySend)
            .where(ReplySend.message_id == message_id, col(ReplySend.sent_at).is_not(None))
            .order_by(col(ReplySend.id))
        )
    )
