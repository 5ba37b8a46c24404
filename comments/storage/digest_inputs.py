"""What analysis reads from the database: a draft's clauses and comments, and their fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from comments.storage.corrections import correction_mark, load_corrections
from comments.storage.models import Clause, Comment, Draft

if TYPE_CHECKING:
    from analysis import ClauseInput, CommentInput, Corrections, DraftInfo


@dataclass(frozen=True)
class Fingerprint:
    comments: int
    newest: int
    hidden: int
    pending: int
    corrections: int = 0  # the newest correction id: a correction makes the digest stale


def fingerprint(engine: Engine, draft_id: int) -> Fingerprint:
    table = Comment.__table__  # type: ignore[attr-defined]
    query = select(
        func.count(),
        func.coalesce(func.max(table.c.id), 0),
        func.coalesce(func.sum(case((table.c.status == "hidden", 1), else_=0)), 0),
        func.coalesce(func.sum(case((table.c.status == "pending", 1), else_=0)), 0),
    ).where(table.c.draft_id == draft_id)
    with engine.connect() as connection:
        count, newest, hidden, pending = connection.execute(query).one()
    return Fingerprint(
        int(count), int(newest), int(hidden), int(pending), correction_mark(engine, draft_id)
    )


def load_inputs(
    engine: Engine, draft: Draft
) -> tuple[DraftInfo, list[ClauseInput], list[CommentInput], Corrections]:
    from analysis import ClauseInput, CommentInput, DraftInfo  # jieba/snownlp load lazily too

    assert draft.id is not None
    clauses_t = Clause.__table__  # type: ignore[attr-defined]
    comments_t = Comment.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        clauses = [
            ClauseInput(
                key=r.key,
                kind=r.kind,
                label=r.label,
                heading=r.heading,
                text=r.text,
                parent=r.parent_key,
                order=r.position,
            )
            for r in connection.execute(
                select(
                    clauses_t.c.key,
                    clauses_t.c.kind,
                    clauses_t.c.label,
                    clauses_t.c.heading,
                    clauses_t.c.text,
                    clauses_t.c.parent_key,
                    clauses_t.c.position,
                )
                .where(clauses_t.c.draft_id == draft.id)
                .order_by(clauses_t.c.position)
            )
        ]
        comments = [
            CommentInput(
                id=r.id,
                clause=r.clause_key,
                body=r.body,
                submitter_type=r.submitter_type,
                region=r.region,
                created_at=r.created_at,
                client=r.client_hash,
                # Held comments wait for a drafter: no figure counts them until published.
                hidden=r.status != "published",
            )
            for r in connection.execute(
                select(
                    comments_t.c.id,
                    comments_t.c.clause_key,
                    comments_t.c.body,
                    comments_t.c.submitter_type,
                    comments_t.c.region,
                    comments_t.c.created_at,
                    comments_t.c.client_hash,
                    comments_t.c.status,
                )
                .where(comments_t.c.draft_id == draft.id)
                .order_by(comments_t.c.id)
            )
        ]
    info = DraftInfo(
        slug=draft.slug,
        title=draft.title,
        issuer=draft.issuer,
        opens=draft.opens_on,
        deadline=draft.deadline,
        total_clauses=len(clauses),
    )
    with Session(engine) as session:
        fixed = load_corrections(session, draft.id)
    return info, clauses, comments, fixed
