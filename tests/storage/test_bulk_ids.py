"""Ids bound in bulk: more ids than a statement may bind (65,535 on PostgreSQL, 32,766 on
SQLite) go in chunks, on both backends."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from comments.intake.receipts import new_receipts
from comments.storage import corrections as stored
from comments.storage import review
from comments.storage.db import in_chunks
from comments.storage.models import Comment, PointMember
from tests.conftest import add_draft

MANY = 70_000  # more than either database binds in one statement


@pytest.fixture
def engine(engine):
    """SQLite as built by default (32,766 parameters; this Python's build allows 250,000)."""
    if engine.dialect.name == "sqlite":
        engine.dispose()

        @event.listens_for(engine, "connect")
        def upstream_limit(connection, _record) -> None:
            connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)

    return engine


def _comments(engine, draft_id: int, count: int) -> list[int]:
    with Session(engine) as session:
        rows = [
            Comment(draft_id=draft_id, clause_key=None, receipt=r, body=f"第{i}条意见：支持。")
            for i, r in enumerate(new_receipts(count))
        ]
        session.add_all(rows)
        session.commit()
        return [c.id for c in rows]


def test_in_chunks_keeps_every_value_in_order() -> None:
    values = list(range(2_001))
    chunks = list(in_chunks(values))
    assert [len(c) for c in chunks] == [900, 900, 201]
    assert [v for c in chunks for v in c] == values
    assert list(in_chunks([])) == []


def test_comments_by_ids_takes_more_ids_than_a_statement_binds(engine) -> None:
    draft = add_draft(engine)
    other = add_draft(engine, slug="other")
    mine = _comments(engine, draft.id, 3)
    theirs = _comments(engine, other.id, 1)
    asked = [*range(10**6, 10**6 + MANY), *reversed(mine), *theirs, mine[0]]
    with Session(engine) as session:
        found = review.comments_by_ids(session, draft.id, asked)
    assert [c.id for c in found] == sorted(mine)


def test_a_point_takes_and_releases_more_members_than_a_statement_binds(engine) -> None:
    draft = add_draft(engine)
    ids = _comments(engine, draft.id, 1_000)
    with Session(engine) as session:
        point = stored.new_point(session, draft_id=draft.id, bucket="b", label="", actor="t")
        stored.set_members(session, point, ids)
        stored.release(session, [*range(10**6, 10**6 + MANY), *ids[:600]])
        session.commit()
        assert stored.members_of(session, point) == ids[600:]
        assert session.exec(select(func.count()).select_from(PointMember)).one() == 400
