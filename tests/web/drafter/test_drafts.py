"""Upload, preview, correct, publish, extend and close a draft in the browser."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from comments import period
from comments.storage.models import AuditLog, Clause, Draft
from tests.conftest import add_draft
from tests.drafter_helpers import (  # noqa: F401
    ORG,
    fast_password_hashing,
    log_in,
    make_account,
)

pytestmark = pytest.mark.anyio

DRAFT_BYTES = (
    "社区停车管理办法（征求意见稿）\n第一条 为规范停车秩序，制定本办法。\n第二条 收费标准由业主大会决定。\n"
).encode()


@pytest.fixture
async def csrf(client, engine):
    return await log_in(client, make_account(engine, "own", ORG))


def today():
    return period.today_in("Asia/Shanghai")


async def upload(client, csrf, data=DRAFT_BYTES, filename="tingche.txt", **fields):
    return await client.post(
        "/drafter/upload",
        data={"csrf_token": csrf, **fields},
        files={"file": (filename, data, "text/plain")},
    )


def only_draft(engine) -> Draft:
    with Session(engine) as session:
        return session.exec(select(Draft)).one()


async def test_uploaded_draft_is_unpublished_until_published(client, engine, csrf):
    deadline = (today() + timedelta(days=20)).isoformat()
    r = await upload(client, csrf, deadline=deadline, slug="tingche")
    assert r.status_code == 303 and r.headers["location"] == "/drafter/drafts/tingche"
    draft = only_draft(engine)
    assert draft.status == "unpublished" and draft.organisation == ORG
    assert draft.title == "社区停车管理办法（征求意见稿）" or "社区停车管理办法" in draft.title
    assert (await client.get("/drafts/tingche")).status_code == 404
    preview = await client.get("/drafter/drafts/tingche")
    assert "第一条" in preview.text and "第二条" in preview.text and "未发布" in preview.text
    r = await client.post(
        "/drafter/drafts/tingche/period", data={"csrf_token": csrf, "action": "publish"}
    )
    assert r.status_code == 303
    assert only_draft(engine).status == "open"
    assert (await client.get("/drafts/tingche")).status_code == 200
    posted = await client.post(
        "/api/drafts/tingche/comments", json={"clause": None, "body": "支持。"}
    )
    assert posted.status_code == 201


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"filename": "draft.pdf", "data": b"%PDF-1.4"}, "只支持 .txt、.md 和 .docx"),
        ({"data": b""}, "文件是空的"),
        ({"data": b"%PDF-1.4 fake"}, "PDF"),
        ({"deadline": "2020-13-01"}, "格式不正确"),
        ({"deadline": "2001-01-01"}, "不能早于今天"),
        ({"slug": "Bad Slug"}, "只能由小写字母"),
    ],
)
async def test_bad_uploads_are_refused_with_a_clear_message_and_store_nothing(
    client, engine, csrf, kwargs, message
):
    r = await upload(client, csrf, **kwargs)
    assert r.status_code in (400, 409)
    assert message in r.text
    with Session(engine) as session:
        assert session.exec(select(Draft)).all() == []
        assert session.exec(select(Clause)).all() == []


async def test_a_docx_that_unpacks_past_the_limit_is_refused_on_the_upload_form(
    client, engine, csrf
):
    import docx

    from tests.helpers import padded_archive

    document = docx.Document()
    document.add_paragraph("第一条 为规范停车秩序，制定本办法。")
    plain = io.BytesIO()
    document.save(plain)
    r = await upload(client, csrf, padded_archive(plain.getvalue(), members=1000), "bomb.docx")
    assert r.status_code == 400
    assert "bomb.docx：.docx 文件包含的部件过多" in r.text and "上限 1000 个" in r.text
    with Session(engine) as session:
        assert session.exec(select(Draft)).all() == []


async def test_upload_without_a_file_is_refused(client, engine, csrf):
    r = await client.post("/drafter/upload", data={"csrf_token": csrf}, files={"other": ("x", b"")})
    assert r.status_code == 400 and "请选择要上传的草案文件" in r.text


async def test_title_and_deadline_can_be_corrected(client, engine, csrf):
    add_draft(engine, organisation=ORG, status="unpublished")
    new_deadline = (today() + timedelta(days=40)).isoformat()
    r = await client.post(
        "/drafter/drafts/tingche/edit",
        data={"csrf_token": csrf, "title": "社区停车管理办法（修订）", "deadline": new_deadline},
    )
    assert r.status_code == 303
    draft = only_draft(engine)
    assert draft.title == "社区停车管理办法（修订）" and draft.deadline.isoformat() == new_deadline
    with Session(engine) as session:
        assert (
            session.exec(select(AuditLog).where(AuditLog.action == "edit_draft")).one().actor
            == "own"
        )


@pytest.mark.parametrize(
    "data,message",
    [
        ({"title": " ", "deadline": ""}, "标题不能为空"),
        ({"title": "x" * 301, "deadline": ""}, "不能超过 300"),
        ({"title": "好标题", "deadline": "明天"}, "格式不正确"),
    ],
)
async def test_bad_corrections_are_refused_and_change_nothing(client, engine, csrf, data, message):
    add_draft(engine, organisation=ORG)
    before = only_draft(engine)
    r = await client.post("/drafter/drafts/tingche/edit", data={"csrf_token": csrf, **data})
    assert r.status_code == 400 and message in r.text
    after = only_draft(engine)
    assert (after.title, after.deadline) == (before.title, before.deadline)


async def test_closing_stops_comments_and_extending_reopens_them(client, engine, csrf):
    add_draft(engine, organisation=ORG, days_left=5)
    page = (await client.get("/drafter/drafts/tingche")).text
    # Ending early stands apart from extending: its own confirmed form and a warning button.
    close = page.split('value="close"', 1)[1].split("</form>", 1)[0]
    assert 'name="confirm" value="1" required' in close and 'class="danger"' in close
    extend = page.split('value="extend"', 1)[1].split("</form>", 1)[0]
    assert "danger" not in extend
    unconfirmed = await client.post(
        "/drafter/drafts/tingche/period", data={"csrf_token": csrf, "action": "close"}
    )
    assert unconfirmed.status_code == 400 and "请勾选“确认立即结束”" in unconfirmed.text
    assert only_draft(engine).status == "open"
    r = await client.post(
        "/drafter/drafts/tingche/period",
        data={"csrf_token": csrf, "action": "close", "confirm": "1"},
    )
    assert r.status_code == 303 and only_draft(engine).status == "closed"
    refused = await client.post(
        "/api/drafts/tingche/comments", json={"clause": None, "body": "晚了吗？"}
    )
    assert refused.status_code >= 400
    later = (today() + timedelta(days=30)).isoformat()
    r = await client.post(
        "/drafter/drafts/tingche/period",
        data={"csrf_token": csrf, "action": "extend", "deadline": later},
    )
    assert r.status_code == 303
    draft = only_draft(engine)
    assert draft.status == "open" and draft.deadline.isoformat() == later
    accepted = await client.post(
        "/api/drafts/tingche/comments", json={"clause": None, "body": "又开放了。"}
    )
    assert accepted.status_code == 201


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "extend", "deadline": ""}, "请填写新的截止日期"),
        ({"action": "extend", "deadline": "2001-01-01"}, "不能早于今天"),
        ({"action": "publish"}, "已经发布"),
        ({"action": "explode"}, "不支持的操作"),
    ],
)
async def test_bad_period_changes_are_refused_and_change_nothing(
    client, engine, csrf, data, message
):
    add_draft(engine, organisation=ORG, days_left=5)
    before = only_draft(engine)
    r = await client.post("/drafter/drafts/tingche/period", data={"csrf_token": csrf, **data})
    assert r.status_code in (400, 409) and message in r.text
    after = only_draft(engine)
    assert (after.status, after.deadline) == (before.status, before.deadline)


async def test_extension_must_be_later_than_the_current_deadline(client, engine, csrf):
    add_draft(engine, organisation=ORG, days_left=10)
    earlier = (today() + timedelta(days=3)).isoformat()
    r = await client.post(
        "/drafter/drafts/tingche/period",
        data={"csrf_token": csrf, "action": "extend", "deadline": earlier},
    )
    assert r.status_code == 400 and "应晚于原截止日期" in r.text


async def test_a_docx_uploaded_under_a_txt_name_is_read_as_a_docx(client, engine, csrf):
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("社区停车管理办法")
    document.add_paragraph("第一条 为规范停车秩序，制定本办法。")
    document.add_paragraph("第二条 本办法适用于本市住宅小区。")
    buffer = io.BytesIO()
    document.save(buffer)
    deadline = (today() + timedelta(days=20)).isoformat()
    r = await upload(
        client,
        csrf,
        data=buffer.getvalue(),
        filename="renamed.txt",
        deadline=deadline,
        slug="renamed",
    )
    assert r.status_code == 303, r.text
    draft = only_draft(engine)
    assert draft.source_text == ""
    with Session(engine) as session:
        keys = {c.key for c in session.exec(select(Clause).where(Clause.draft_id == draft.id))}
    assert "第二条" in keys


@pytest.mark.parametrize("filename", ["2018-08-31.txt", "2018-08-31(1).md"])
async def test_an_upload_named_by_date_gets_its_slug_from_the_title(client, engine, csrf, filename):
    r = await upload(client, csrf, filename=filename)
    draft = only_draft(engine)
    assert draft.slug.startswith("draft-") and "2018" not in draft.slug
    assert r.headers["location"] == f"/drafter/drafts/{draft.slug}"
    r = await upload(client, csrf, filename="tingche.txt")
    with Session(engine) as session:
        slugs = {d.slug for d in session.exec(select(Draft))}
    assert "tingche" in slugs


async def follow(client, r):
    assert r.status_code == 303
    return await client.get(r.headers["location"])


async def test_publishing_without_a_deadline_warns_and_needs_a_confirmation(client, engine, csrf):
    await upload(client, csrf, slug="tingche")
    page = await client.get("/drafter/drafts/tingche")
    assert "尚未设定截止日期" in page.text and 'name="open_ended"' in page.text
    r = await client.post(
        "/drafter/drafts/tingche/period", data={"csrf_token": csrf, "action": "publish"}
    )
    assert r.status_code == 400 and "确认不设截止日期" in r.text
    assert only_draft(engine).status == "unpublished"
    r = await client.post(
        "/drafter/drafts/tingche/period",
        data={"csrf_token": csrf, "action": "publish", "open_ended": "1"},
    )
    page = await follow(client, r)
    assert only_draft(engine).status == "open"
    assert "已发布，未设截止日期（长期开放）。" in page.text
    assert "已保存。" not in page.text


async def test_every_period_action_says_what_it_did(client, engine, csrf):
    deadline = (today() + timedelta(days=20)).isoformat()
    await upload(client, csrf, slug="tingche", deadline=deadline)
    page = await client.get("/drafter/drafts/tingche")
    assert f"发布后征求意见截止到 <strong>{deadline}</strong>" in page.text
    assert 'name="open_ended"' not in page.text
    period_url = "/drafter/drafts/tingche/period"
    r = await client.post(period_url, data={"csrf_token": csrf, "action": "publish"})
    assert f"已发布，征求意见截止到 {deadline}。" in (await follow(client, r)).text
    r = await client.post(period_url, data={"csrf_token": csrf, "action": "close", "confirm": "1"})
    assert "已结束征求意见。" in (await follow(client, r)).text
    later = (today() + timedelta(days=50)).isoformat()
    r = await client.post(
        period_url, data={"csrf_token": csrf, "action": "extend", "deadline": later}
    )
    assert f"已延长到 {later}。" in (await follow(client, r)).text
    r = await client.post(
        "/drafter/drafts/tingche/edit",
        data={"csrf_token": csrf, "title": "社区停车管理办法", "deadline": later},
    )
    assert "已保存标题和截止日期。" in (await follow(client, r)).text
    # A plain visit says nothing happened.
    assert 'role="status"' not in (await client.get("/drafter/drafts/tingche")).text


async def test_the_clause_tree_names_node_kinds_in_chinese(client, engine, csrf):
    await upload(client, csrf, slug="tingche")
    page = (await client.get("/drafter/drafts/tingche")).text
    assert '<span class="tree-kind">条</span>' in page
    assert '<span class="tree-kind">article</span>' not in page


def test_every_kind_the_parser_makes_has_a_chinese_name():
    from pathlib import Path

    from comments.drafts import parse_bytes
    from comments.views import KIND_NAMES

    seeds = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
    law = "某某条例\n第一章 总则\n第一条 为了规范管理，制定本条例。\n第二条 本条例适用于：\n（一）甲；\n（二）乙。\n"
    files = [(p.name, p.read_bytes()) for p in sorted(seeds.glob("*.txt"))]
    kinds = {
        node.kind
        for name, data in [*files, ("law.txt", law.encode())]
        for node in parse_bytes(data, filename=name).walk()
    }
    assert {"article", "chapter", "item", "part", "clause", "box", "annex"} <= kinds
    assert kinds <= set(KIND_NAMES)
