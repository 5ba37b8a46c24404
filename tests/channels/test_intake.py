"""Comments by e-mail, letter and spreadsheet: read, split, mapped to clauses, imported once."""

from __future__ import annotations

import io
import json
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session, select

from comments.channels import import_files
from comments.channels.read import read_file
from comments.channels.split import split_points
from comments.cli import main
from comments.storage.db import make_engine, migrate
from comments.storage.models import Comment, InboundMessage
from tests.conftest import add_draft
from tests.drafter_helpers import ORG, fast_password_hashing, log_in, make_account  # noqa: F401

ARTICLE_ONE = "第一章/第一条"


def eml(body: str, *, subject: str = "对停车办法的意见", ident: str = "<m1@example.cn>",
        date: str = "Mon, 01 Dec 2026 09:00:00 +0800", attachments=()) -> bytes:  # fmt: skip
    m = EmailMessage()
    m["From"] = "张三 <zhangsan@example.cn>"
    m["To"] = "scjxwxxh@163.com"
    m["Subject"] = subject
    m["Message-ID"] = ident
    m["Date"] = date
    m.set_content(body)
    for name, data, kind in attachments:
        main_type, sub_type = kind.split("/")
        m.add_attachment(data, maintype=main_type, subtype=sub_type, filename=name)
    return bytes(m)


def docx_bytes(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def comments_in(engine) -> list[Comment]:
    with Session(engine) as session:
        return list(session.exec(select(Comment).order_by(Comment.id)))


def test_a_message_citing_two_clauses_becomes_two_comments_that_hold_the_whole_text_unsigned(
    engine,
):
    draft = add_draft(engine)
    body = (
        "您好，对《社区停车管理办法》提两点意见：\n"
        "一、关于第一条，建议把老旧小区也纳入适用范围。\n"
        "二、关于第二条，收费标准应当公示。\n张三"
    )
    [report] = import_files(engine, draft, [("m.eml", eml(body))], actor="t", max_chars=5000)
    assert report.problems == [] and len(report.created) == 2
    rows = comments_in(engine)
    assert [c.clause_key for c in rows] == [ARTICLE_ONE, "第一章/第二条"]
    # Every character but the sender's closing signature, which only the message keeps.
    unsigned = body.removesuffix("\n张三")
    assert re.sub(r"\s", "", "".join(c.body for c in rows)) == re.sub(r"\s", "", unsigned)
    assert all(c.channel == "email" and c.message_id == rows[0].message_id for c in rows)
    assert all(c.name == "张三" and c.contact == "zhangsan@example.cn" for c in rows)
    assert len({c.receipt for c in rows}) == 2
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
    assert message.text == body and message.source == "<m1@example.cn>"


def test_pieces_together_are_the_whole_message():
    text = "您好：\n第1条：网速太慢。\n第12条：资费太贵，建议降价。\n谢谢！"
    pieces = split_points(text)
    assert len(pieces) == 2 and "".join(pieces) == text


def test_importing_the_same_files_again_creates_nothing(engine):
    draft = add_draft(engine)
    files = [
        ("m.eml", eml("第一条写得很好，支持。")),
        ("l.txt", "关于第二条：收费应公示。".encode()),
    ]
    first = import_files(engine, draft, files, actor="t", max_chars=5000)
    again = import_files(engine, draft, files, actor="t", max_chars=5000)
    assert sum(len(r.created) for r in first) == 2
    assert sum(len(r.created) for r in again) == 0
    assert sum(len(r.skipped) for r in again) == 2
    assert len(comments_in(engine)) == 2


def test_a_spreadsheet_in_gb18030_with_synonym_headers_and_a_bad_row(engine):
    draft = add_draft(engine)
    csv_text = (
        "序号,提出单位,条款,意见及建议,联系电话\n"
        "1,市交通局,第一条,建议明确适用范围。,\n"
        "2,市住建局,,,\n"
        "3,市发改委,第九十九条,收费应当听证。,0281234567\n"
    )
    [report] = import_files(
        engine, draft, [("汇总表.csv", csv_text.encode("gb18030"))], actor="t", max_chars=5000
    )
    assert len(report.created) == 2
    assert [p.where for p in report.refused] == ["汇总表.csv 第 3 行"]
    [note] = [p for p in report.problems if p.note]  # imported, with a remark
    assert note.where == "汇总表.csv 第 4 行" and "没有找到条款“第九十九条”" in note.message
    first, third = comments_in(engine)
    assert first.clause_key == ARTICLE_ONE and first.name == "市交通局"
    assert first.channel == "spreadsheet"
    # 第九十九条 is not in the draft: the comment waits for a drafter, under the whole draft.
    assert third.clause_key is None and third.proposed_clause is not None


def test_an_xlsx_and_a_docx_letter(engine):
    draft = add_draft(engine)
    book = xlsx_bytes([["部门意见汇总表"], ["提出人", "意见内容"], ["李四", "第二条的收费太高。"]])
    letter = docx_bytes("尊敬的起草单位：", "关于第一条，建议增加电动车停放区域。", "王五")
    reports = import_files(
        engine, draft, [("a.xlsx", book), ("信.docx", letter)], actor="t", max_chars=5000
    )
    assert [len(r.created) for r in reports] == [1, 1]
    xlsx_row, docx_row = comments_in(engine)
    assert xlsx_row.clause_key == "第一章/第二条" and xlsx_row.name == "李四"
    assert docx_row.channel == "letter" and docx_row.clause_key == ARTICLE_ONE


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("bad.eml", b"\x00\x01garbage", "不是有效的电子邮件"),
        ("empty.csv", b"", "文件为空"),
        ("nocol.csv", "姓名,电话\n张三,1\n".encode(), "没有找到“意见内容”列"),
        ("x.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("broken.xlsx", b"PK\x03\x04 not really", "不是有效的 .xlsx 文件"),
        ("huge.mbox", b"From a\n" + b"x" * (21 * 1024 * 1024), "文件过大"),
    ],
)
def test_bad_files_get_a_clear_message_and_the_others_are_imported(engine, name, data, expected):
    draft = add_draft(engine)
    good = ("ok.txt", "第一条：支持。".encode())
    reports = import_files(engine, draft, [(name, data), good], actor="t", max_chars=5000)
    assert reports[0].created == [] and expected in reports[0].problems[0].message
    assert len(reports[1].created) == 1


def test_an_archive_that_unpacks_huge_is_a_problem_and_the_others_are_imported(engine, monkeypatch):
    import comments.channels.letters as channel_read
    from tests.helpers import padded_archive

    monkeypatch.setattr(channel_read, "MAX_FILE_BYTES", 1024 * 1024)  # unpacked at most 5 MB
    draft = add_draft(engine)
    book = padded_archive(xlsx_bytes([["意见内容"], ["第一条：支持。"]]), unpacked=6 * 1024 * 1024)
    letter = padded_archive(docx_bytes("第二条：收费太高。"), members=1000)
    attached = eml("意见见附件。", attachments=[("意见.docx", letter, "application/octet-stream")])
    good = ("ok.txt", "第一条：支持。".encode())
    reports = import_files(
        engine,
        draft,
        [("表.xlsx", book), ("信.docx", letter), ("m.eml", attached), good],
        actor="t",
        max_chars=5000,
    )
    assert [r.created for r in reports[:2]] == [[], []]
    assert reports[0].problems[0].message.startswith(".xlsx 文件解压后过大（6.0 MB，上限 5.0 MB）")
    assert reports[1].problems[0].message.startswith(".docx 文件包含的部件过多")
    [problem] = reports[2].problems
    assert "意见.docx" in problem.where and "包含的部件过多" in problem.message
    assert len(reports[3].created) == 1 and len(comments_in(engine)) == 2


def test_a_binary_attachment_is_named_and_the_text_one_read():
    message = eml(
        "意见见附件。",
        attachments=[
            ("意见.txt", "关于第二条：收费应当公示。".encode(), "text/plain"),
            ("照片.jpg", b"\xff\xd8\xff\xe0binary", "image/jpeg"),
        ],
    )
    result = read_file("m.eml", message)
    assert "收费应当公示" in result.letters[0].text
    assert any("照片.jpg" in p.where for p in result.problems)


def test_a_message_received_after_the_deadline_is_refused(engine):
    draft = add_draft(engine, days_left=-1)
    late = eml("第一条：支持。", date="Wed, 30 Dec 2099 09:00:00 +0800")
    [report] = import_files(engine, draft, [("late.eml", late)], actor="t", max_chars=5000)
    assert report.created == [] and "晚于截止日期" in report.problems[0].message


def test_an_mbox_with_two_messages(engine):
    draft = add_draft(engine)
    box = b"".join(
        b"From sender@example.cn Mon Dec  1 09:00:00 2026\n" + eml(body, ident=f"<b{i}@x>") + b"\n"
        for i, body in enumerate(["第一条：支持。", "第二条：反对收费。"])
    )
    [report] = import_files(engine, draft, [("box.mbox", box)], actor="t", max_chars=5000)
    assert len(report.created) == 2 and report.problems == []


def cli_database(tmp_path: Path, monkeypatch):
    """A SQLite database with the test draft, which the CLI will use; its engine."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("COMMENTS_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    add_draft(engine)
    return engine


def test_the_cli_prints_per_file_json(tmp_path: Path, capsys, monkeypatch):
    cli_database(tmp_path, monkeypatch).dispose()
    path = tmp_path / "m.eml"
    path.write_bytes(eml("关于第一条，建议写明适用范围。"))
    assert main(["intake", "tingche", str(path), "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    [created] = report["created"]
    assert created["clause"] == ARTICLE_ONE and created["receipt"] and created["confidence"] >= 0.9
    assert main(["intake", "tingche", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["already_imported"] == ["<m1@example.cn>"]


# -- the drafters' side -----------------------------------------------------------------------


@pytest.fixture
async def desk(client, engine):
    add_draft(engine, organisation=ORG)
    me = make_account(engine, "收文员", ORG)
    return {"csrf": await log_in(client, me), "me": me}


@pytest.mark.anyio
async def test_upload_queue_assign_and_the_reply(client, engine, desk):
    page = await client.get("/drafter/drafts/tingche/intake")
    assert page.status_code == 200 and "来信与表格" in page.text
    files = [
        (
            "files",
            (
                "m.eml",
                eml("第一条：支持，建议尽快实施。\n第二条：收费应当公示。"),
                "message/rfc822",
            ),
        ),
        ("files", ("l.txt", "我觉得这个办法总体不错，没什么意见。".encode(), "text/plain")),
        ("files", ("bad.csv", "姓名\n张三\n".encode(), "text/csv")),
    ]
    r = await client.post(
        "/drafter/drafts/tingche/intake/upload", data={"csrf_token": desk["csrf"]}, files=files
    )
    assert r.status_code == 200, r.text
    assert "共导入 3 条意见" in r.text and "没有找到“意见内容”列" in r.text
    rows = comments_in(engine)
    waiting = [c for c in rows if c.proposed_clause is not None]
    assert len(waiting) == 1 and waiting[0].clause_key is None
    queue = await client.get("/drafter/drafts/tingche/unassigned")
    assert queue.status_code == 200 and "总体不错" in queue.text
    token = re.search(r'name="digest" value="([^"]*)"', queue.text).group(1)  # type: ignore[union-attr]
    r = await client.post(
        "/drafter/drafts/tingche/corrections",
        data={
            "csrf_token": desk["csrf"],
            "comment": str(waiting[0].id),
            "clause": "__general__",
            "assign": "1",
            "digest": token,
            "next": "/drafter/drafts/tingche/unassigned",
        },
    )
    assert r.status_code == 303, r.text
    with Session(engine) as session:
        again = session.get(Comment, waiting[0].id)
        assert again is not None and again.proposed_clause is None and again.clause_key is None
    message_id = rows[0].message_id
    page = await client.get(f"/drafter/drafts/tingche/messages/{message_id}")
    assert page.status_code == 200 and rows[0].receipt in page.text and rows[1].receipt in page.text
    reply = await client.get(f"/drafter/drafts/tingche/messages/{message_id}/reply.txt")
    assert reply.status_code == 200 and reply.text.count("/receipts/") == 2
    missing = await client.get("/drafter/drafts/tingche/messages/99999")
    assert missing.status_code == 404


@pytest.mark.anyio
async def test_the_corrections_api_answers_a_comment_waiting_for_its_clause(client, engine, desk):
    draft = add_draft(engine, slug="other", organisation=ORG)
    import_files(
        engine, draft, [("l.txt", "我觉得总体上还行。".encode())], actor="t", max_chars=5000
    )
    [waiting] = [c for c in comments_in(engine) if c.proposed_clause is not None]
    r = await client.post(
        "/api/drafts/other/corrections",
        json={"comment": waiting.id, "clause": ARTICLE_ONE},
        headers=desk["me"].bearer,
    )
    assert r.status_code == 201, r.text
    with Session(engine) as session:
        again = session.get(Comment, waiting.id)
    assert again is not None and again.proposed_clause is None
    assert again.clause_key == ARTICLE_ONE


def test_review_cases_an_unknown_charset_two_comment_columns_and_another_laws_article(engine):
    from comments.channels.infer import ClauseIndex, ClauseRef

    odd = (
        b"From: a@example.cn\nSubject: x\nMessage-ID: <odd@x>\n"
        b"Content-Type: text/plain; charset=x-unknown\n\n\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1\n"
    )
    result = read_file("odd.eml", odd)
    assert len(result.letters) == 1 and result.letters[0].text
    sheet = "序号,条款,意见内容,修改建议,提出单位\n1,第一条,期限太短。,改为三十日,市局\n"
    [row] = read_file("t.csv", sheet.encode()).letters
    assert row.text == "期限太短。" and row.sender == "市局"
    index = ClauseIndex(
        [ClauseRef("第一章/第十二条", "article", "第十二条", 12, "", "收费。", None)]
    )
    assert index.infer("依照《民法典》第十二条的规定，建议删除。").how != "citation"
    assert index.infer("关于第十二条，建议删除。").key == "第一章/第十二条"


def test_a_long_file_name_is_imported_row_by_row_and_again_not_at_all(engine):
    draft = add_draft(engine)
    name = "部门意见汇总表" * 40 + ".csv"
    sheet = "意见内容\n第一条：支持。\n第二条：反对收费。\n".encode()
    first = import_files(engine, draft, [(name, sheet)], actor="t", max_chars=5000)
    again = import_files(engine, draft, [(name, sheet)], actor="t", max_chars=5000)
    assert len(first[0].created) == 2 and first[0].problems == []
    assert again[0].created == [] and len(again[0].skipped) == 2


@pytest.mark.anyio
async def test_the_list_of_messages_names_each_by_subject_or_file_and_words(client, engine, desk):
    files = [
        ("files", ("表.csv", "意见内容\n建议公示收费标准。\n".encode(), "text/csv")),
        ("files", ("信.txt", "第一条：支持。".encode(), "text/plain")),
        (
            "files",
            ("m.eml", eml("第二条：收费应当公示。", subject="对收费的意见"), "message/rfc822"),
        ),
    ]
    r = await client.post(
        "/drafter/drafts/tingche/intake/upload", data={"csrf_token": desk["csrf"]}, files=files
    )
    assert r.status_code == 200, r.text
    page = (await client.get("/drafter/drafts/tingche/intake")).text
    titles = re.findall(r'<td role="cell" class="lead"><a [^>]*>([^<]*)</a>', page)
    assert sorted(titles) == sorted(
        ["表.csv：建议公示收费标准。", "信.txt：第一条：支持。", "对收费的意见"]
    )
