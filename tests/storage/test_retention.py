"""Personal data: contacts kept for a retention period, then erased with an audit row."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from comments.cli import main
from comments.storage.models import AuditLog, Comment, utcnow
from comments.storage.retention import purge_contacts
from tests.helpers import stored_comments

pytestmark = pytest.mark.anyio

URL = "/api/drafts/tingche/comments"
PHONE = "13912345678"
MAIL = "li.si@example.cn"


async def post(client, body: str, contact: str) -> str:
    r = await client.post(
        URL, json={"body": body, "name": "李四", "contact": contact, "region": "B区"}
    )
    assert r.status_code == 201, r.text
    return r.json()["receipt"]


def age(engine, receipt: str, days: int) -> None:
    table = Comment.__table__
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.receipt == receipt)
            .values(created_at=utcnow() - timedelta(days=days))
        )


def audit_rows(engine) -> list[AuditLog]:
    with Session(engine) as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == "purge_contacts")))


async def test_contacts_older_than_the_retention_period_are_erased_and_audited(
    client, draft, engine
):
    old = await post(client, "旧意见：停车费太贵。", PHONE)
    new = await post(client, "新意见：应公示收费。", MAIL)
    age(engine, old, 400)
    result = purge_contacts(engine, retention_days=365)
    assert result.erased == 1
    rows = {c.receipt: c for c in stored_comments(engine)}
    assert rows[old].contact == "" and rows[new].contact == MAIL
    # The record itself stays: text, name, region, receipt.
    assert (rows[old].body, rows[old].name, rows[old].region) == (
        "旧意见：停车费太贵。",
        "李四",
        "B区",
    )
    [row] = audit_rows(engine)
    assert row.actor == "system"
    detail = json.loads(row.detail)
    assert detail["erased"] == 1 and detail["retention_days"] == 365
    assert PHONE not in row.detail  # the audit never keeps what it erased


async def test_second_run_erases_nothing_more_but_is_audited_too(client, draft, engine):
    old = await post(client, "意见一。", PHONE)
    age(engine, old, 40)
    assert purge_contacts(engine, retention_days=30).erased == 1
    assert purge_contacts(engine, retention_days=30).erased == 0
    assert [json.loads(r.detail)["erased"] for r in audit_rows(engine)] == [1, 0]


async def test_retention_of_zero_days_keeps_contacts_forever(client, draft, engine):
    old = await post(client, "意见二。", PHONE)
    age(engine, old, 5000)
    result = purge_contacts(engine, retention_days=0)
    assert result.erased == 0 and result.cutoff is None
    assert stored_comments(engine)[0].contact == PHONE
    assert audit_rows(engine) == []


async def test_dry_run_counts_without_touching_anything(client, draft, engine):
    old = await post(client, "意见三。", PHONE)
    age(engine, old, 10)
    assert purge_contacts(engine, retention_days=7, dry_run=True).erased == 1
    assert stored_comments(engine)[0].contact == PHONE
    assert audit_rows(engine) == []


async def test_purge_contacts_command_uses_the_configured_period(
    client, draft, engine, database_url, monkeypatch, capsys
):
    old = await post(client, "意见四。", PHONE)
    await post(client, "意见五。", MAIL)
    age(engine, old, 8)
    monkeypatch.setenv("COMMENTS_DATABASE_URL", database_url)
    monkeypatch.setenv("COMMENTS_CONTACT_RETENTION_DAYS", "7")
    assert main(["purge-contacts", "--dry-run"]) == 0
    assert "将抹去 1 条" in capsys.readouterr().out
    assert main(["purge-contacts"]) == 0
    out = capsys.readouterr().out
    assert "已抹去 1 条意见的联系方式" in out and "保留期 7 天" in out
    assert sorted(c.contact for c in stored_comments(engine)) == ["", MAIL]


def test_purge_contacts_command_with_retention_off_changes_nothing(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("COMMENTS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("COMMENTS_CONTACT_RETENTION_DAYS", "0")
    assert main(["purge-contacts"]) == 0
    assert "永久保留" in capsys.readouterr().out


def test_bad_retention_setting_is_refused_with_a_clear_message(monkeypatch, capsys):
    monkeypatch.setenv("COMMENTS_CONTACT_RETENTION_DAYS", "一年")
    assert main(["purge-contacts"]) == 1
    assert "COMMENTS_CONTACT_RETENTION_DAYS 应为整数" in capsys.readouterr().err


async def test_contact_never_appears_on_public_pages_or_the_public_api(client, draft):
    receipt = await post(client, "意见六。", PHONE)
    pages = [
        await client.get(f"/api/receipts/{receipt}"),
        await client.get(f"/receipts/{receipt}"),
        await client.get("/drafts/tingche"),
        await client.get("/api/drafts/tingche"),
        await client.get("/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert PHONE not in page.text


@pytest.mark.parametrize("name", ["public-comments.csv", "public-comments.json", "feedback.md"])
async def test_public_exports_carry_no_contact_and_no_unpublished_name(
    app, client, draft, engine, name
):
    from comments.exports import export_text

    await post(client, f"意见七：联系我 {MAIL}。", PHONE)
    state = app.state.comments
    with Session(engine) as session:
        fresh = session.get(type(draft), draft.id)
    text = export_text(engine, state.digests, fresh, name, tz="Asia/Shanghai")
    assert text.strip()
    assert PHONE not in text and "李四" not in text  # show_name was not given
    assert MAIL not in text  # personal data inside the comment text is masked too
