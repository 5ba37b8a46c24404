"""Retention of personal data: contact details are erased once their retention period is over.

A comment's contact (phone, e-mail, address) is kept only so that the drafting office can ask the
commenter a question while the draft is being worked on. ``COMMENTS_CONTACT_RETENTION_DAYS`` after
a comment was made, ``comments purge-contacts`` erases it; the comment itself, its text, region
and receipt stay, because they are the legal record. A message received by e-mail or letter
(``InboundMessage``) loses its sender's address the same way. Every run leaves one audit row
with the number of contacts erased and the cut-off, never the contacts themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from comments.storage.auditlog import audit
from comments.storage.models import Comment, InboundMessage, utcnow


@dataclass(frozen=True)
class PurgeResult:
    erased: int
    cutoff: datetime | None  # None: retention is off (0 days), nothing was touched


def purge_contacts(
    engine: Engine,
    *,
    retention_days: int,
    actor: str = "system",
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeResult:
    """Erase the contact of every comment older than ``retention_days`` (0: keep forever)."""
    if retention_days <= 0:
        return PurgeResult(0, None)
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    table = Comment.__table__  # type: ignore[attr-defined]
    due = (table.c.created_at < cutoff) & (table.c.contact != "")
    with Session(engine) as session:
        if dry_run:
            count = session.execute(select(func.count()).select_from(table).where(due)).scalar()
            return PurgeResult(int(count or 0), cutoff)
        # One transaction: the contacts and the audit row that records their erasure go together.
        erased = session.execute(update(table).where(due).values(contact="")).rowcount  # type: ignore[attr-defined]
        inbound = InboundMessage.__table__  # type: ignore[attr-defined]
        session.execute(
            update(inbound)
            .where((inbound.c.created_at < cutoff) & (inbound.c.contact != ""))
            .values(contact="")
        )
        audit(
            session,
            actor=actor,
            action="purge_contacts",
            target="comment",
            detail={
                "erased": int(erased),
                "retention_days": retention_days,
                "before": cutoff.isoformat(timespec="seconds"),
            },
        )
        session.commit()
    return PurgeResult(int(erased), cutoff)
