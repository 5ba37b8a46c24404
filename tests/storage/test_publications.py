"""Publication rows: numbered per draft, kept, audited; what they say per comment; the migration."""

from __future__ import annotations

import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, select

from comments.errors import InputError
from comments.storage import publications
from comments.storage.db import MIGRATIONS
from comments.storage.models import AuditLog, Comment, utcnow
from tests.conftest import add_draft

REPORT = {"title": "《办法（征求意见稿）》意见采纳情况说明"}


def entry(outcome: str, reason: str, kind: str = "cluster") -> dict[str, object]:
    return {
        "kind": kind,
        "target": "第一章/第一条:c1",
        "outcome": outcome,
        "reason": reason,
        "label": "老旧小区停车更难",
        "comments": 1,
        "decided_at": utcnow().isoformat(),
    }


def comment(session: Session, draft_id: int, receipt: str, status: str = "published") -> Comment:
    row = Comment(draft_id=draft_id, receipt=receipt, body="意见。", status=status)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def publish(session, draft, entries, members, actor="own"):
    return publications.add_publication(
        session=session,
        draft=draft,
        report=REPORT,
        entries=entries,
        members=members,
        figures={"comments": 2, "decided": sum(len(m) for m in members), "points": len(entries)},
        actor=actor,
    )


def test_publications_are_numbered_kept_and_audited(engine):
    draft = add_draft(engine)
    with Session(engine) as session:
        a = comment(session, draft.id, "AAAAAA-000001")
        b = comment(session, draft.id, "AAAAAA-000002")
        assert publications.latest_publication(session, draft.id) is None
        assert publications.published_decision(session, a) is None
        first = publish(session, draft, [entry("采纳", "已采纳。")], [(a.id, b.id)])
        second = publish(
            session,
            draft,
            [entry("采纳", "已采纳。"), entry("不予采纳", "不采纳。", "comment")],
            [(a.id,), (b.id,)],
            actor="boss",
        )
        assert (first.number, second.number) == (1, 2)
        assert [p.number for p in publications.publications_of(session, draft.id)] == [2, 1]
        assert publications.latest_publication(session, draft.id).id == second.id
        assert publications.report_of(first) == REPORT
        assert json.loads(first.decisions_json)[0]["outcome"] == "采纳"  # the first is kept
        # What a receipt shows: the newest publication's decision for that comment.
        assert publications.published_decision(session, b).outcome == "不予采纳"
        assert publications.published_decision(session, b).label == ""  # its own decision
        assert publications.published_decision(session, a).label == "老旧小区停车更难"
        assert publications.published_outcomes(session, draft.id) == {
            a.id: ("采纳", "已采纳。"),
            b.id: ("不予采纳", "不采纳。"),
        }
        audit = session.exec(select(AuditLog).where(AuditLog.action == "publish_feedback")).all()
    assert [(r.actor, r.target, json.loads(r.detail)["number"]) for r in audit] == [
        ("own", "tingche", 1),
        ("boss", "tingche", 2),
    ]
    assert json.loads(audit[1].detail) == {
        "number": 2,
        "comments": 2,
        "decided": 2,
        "points": 2,
        "decisions": 2,
    }


def test_a_hidden_comment_shows_no_published_decision(engine):
    draft = add_draft(engine)
    with Session(engine) as session:
        hidden = comment(session, draft.id, "AAAAAA-000003", status="hidden")
        publish(session, draft, [entry("采纳", "已采纳。")], [(hidden.id,)])
        assert publications.published_decision(session, hidden) is None


def test_two_publications_with_one_number_are_refused_clearly(engine, monkeypatch):
    draft = add_draft(engine)
    with Session(engine) as session:
        publish(session, draft, [entry("采纳", "已采纳。")], [()])
        # Another publisher read the same next number and stored it first.
        monkeypatch.setattr(publications, "next_number", lambda session, draft_id: 1)
        with pytest.raises(InputError) as raised:
            publish(session, draft, [entry("不予采纳", "不采纳。")], [()])
    assert raised.value.status == 409 and "刚刚发布" in raised.value.message
    with Session(engine) as session:
        [kept] = publications.publications_of(session, draft.id)
        assert publications.entries_of(kept)[0]["outcome"] == "采纳"
        audit = session.exec(select(AuditLog).where(AuditLog.action == "publish_feedback")).all()
        assert [json.loads(a.detail)["number"] for a in audit] == [1]  # nothing of the loser


def _alembic(engine):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_the_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    # The rate-limit table has a MetaData of its own (storage/ratelimits.py).
    assert [d for d in diff if "ratelimit" not in str(d)] == []


def test_the_newer_migrations_go_down_and_up_again(engine):
    """Publications (0008), channels (0007) and corrections (0006)."""
    config = _alembic(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    gone = set(inspect(engine).get_table_names())
    assert not {"feedbackpublication", "inboundmessage", "correction", "point"} & gone
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    tables = set(inspect(engine).get_table_names())
    assert {"feedbackpublication", "feedbackpublicationmember"} <= tables
    assert {"inboundmessage", "correction", "point", "pointmember"} <= tables
    assert "channel" in {c["name"] for c in inspect(engine).get_columns("comment")}
