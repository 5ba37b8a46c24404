"""The limits of a posted form (files, fields, the size of one field) hold on the one parse that
happens, whether the CSRF check or the route reads the form first."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from comments.storage.models import Draft
from comments.web.common import FORM
from comments.web.drafter.channels import MAX_FILES
from tests.conftest import add_draft
from tests.drafter_helpers import ORG, fast_password_hashing, log_in, make_account  # noqa: F401
from tests.helpers import comment_count

pytestmark = pytest.mark.anyio

INTAKE = "/drafter/drafts/tingche/intake/upload"


def letters(count: int) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", (f"信{i}.txt", f"第一条：支持（{i}）。".encode(), "text/plain"))
        for i in range(count)
    ]


@pytest.fixture
async def desk(client, engine):
    add_draft(engine, organisation=ORG)
    me = make_account(engine, "收文员", ORG)
    return {"csrf": await log_in(client, me), "me": me}


async def test_an_import_of_more_files_than_the_limit_is_refused_and_imports_nothing(
    client, engine, desk
):
    r = await client.post(INTAKE, data={"csrf_token": desk["csrf"]}, files=letters(MAX_FILES + 1))
    assert r.status_code == 400
    assert f"一次最多上传 {MAX_FILES} 个文件，请分批上传。" in r.text
    assert comment_count(engine) == 0
    r = await client.post(INTAKE, data={"csrf_token": desk["csrf"]}, files=letters(MAX_FILES))
    assert r.status_code == 200 and f"共导入 {MAX_FILES} 条意见" in r.text


async def test_the_file_limit_holds_for_a_token_caller_too(client, engine, desk):
    r = await client.post(INTAKE, files=letters(MAX_FILES + 1), headers=desk["me"].bearer)
    assert r.status_code == 400 and f"一次最多上传 {MAX_FILES} 个文件" in r.text
    assert comment_count(engine) == 0


async def test_a_draft_upload_takes_one_file(client, engine, desk):
    text = "社区停车管理办法\n第一条 为规范停车秩序，制定本办法。\n".encode()
    files = [("file", ("a.txt", text, "text/plain")), ("file", ("b.txt", text, "text/plain"))]
    r = await client.post("/drafter/upload", data={"csrf_token": desk["csrf"]}, files=files)
    assert r.status_code == 400 and "一次最多上传 1 个文件" in r.text
    with Session(engine) as session:
        assert [d.slug for d in session.exec(select(Draft))] == ["tingche"]


async def test_other_forms_take_no_file_and_bounded_fields(client, engine, desk):
    url = "/drafter/drafts/tingche/corrections"
    r = await client.post(
        url, data={"csrf_token": desk["csrf"]}, files={"f": ("a.txt", b"x", "text/plain")}
    )
    assert r.status_code == 400 and "这个表单不接受上传文件。" in r.text
    fields = {"csrf_token": desk["csrf"], **{f"f{i}": "1" for i in range(FORM.max_fields)}}
    r = await client.post(url, data=fields)
    assert r.status_code == 400 and f"表单内容项过多（上限 {FORM.max_fields} 项）" in r.text


async def test_a_text_field_over_the_part_limit_is_refused_on_an_upload(client, engine, desk):
    text = "社区停车管理办法\n第一条 为规范停车秩序，制定本办法。\n".encode()
    title = "字" * (FORM.max_part_size // 3 + 1)  # within the upload's body limit
    r = await client.post(
        "/drafter/upload",
        data={"csrf_token": desk["csrf"], "title": title},
        files={"file": ("a.txt", text, "text/plain")},
    )
    assert r.status_code == 400 and "表单中有一项内容过长（上限 64 KB）" in r.text
    with Session(engine) as session:
        assert [d.slug for d in session.exec(select(Draft))] == ["tingche"]
