"""Audit rows: who did what, on what, and why. Every drafter action writes one."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from comments.storage.models import AuditLog


def audit(session: Session, *, actor: str, action: str, target: str, detail: object) -> None:
    """Add an audit row (who, what, on what, why) to the caller's transaction."""
    text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    session.add(AuditLog(actor=actor, action=action, target=target[:255], detail=text))


def audit_log(
    session: Session,
    *,
    limit: int = 200,
    offset: int = 0,
    target_prefix: str = "",
    draft_slug: str = "",
) -> list[AuditLog]:
    """Audit rows, newest first; ``draft_slug``: the draft's own rows and its comments' rows."""
    query = select(AuditLog).order_by(col(AuditLog.id).desc())
    if target_prefix:
        query = query.where(col(AuditLog.target).startswith(target_prefix))
    if draft_slug:
        target = col(AuditLog.target)
        query = query.where(
            (target == draft_slug)
            | target.startswith(f"{draft_slug}#", autoescape=True)
            | target.startswith(f"{draft_slug}:", autoescape=True)
        )
    return list(session.exec(query.offset(offset).limit(limit)))
