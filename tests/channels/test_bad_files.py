"""Hostile and broken files on the import channels: never stored garbled, always a clear note.

Each case is what a real office receives: mail without MIME headers or with a wrong charset,
damaged base64 and headers, invisible-only letters, over-long comments, mail sent after the
period was ended early, spreadsheets with an unclosed quote or saved as UTF-16.
"""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from comments import storage
from comments.channels import import_files
from comments.cli import main
from comments.storage import channels as stored
from tests.channels.test_intake import cli_database, comments_in, eml, xlsx_bytes
from tests.conftest import add_draft

HEAD = (
    "From: 李四 <li@example.cn>\r\nDate: Mon, 01 Dec 2026 09:00:00 +0800\r\n"
    "Message-ID: <{ident}@example.cn>\r\nSubject: {subject}\r\n"
)


def raw_mail(body: bytes, *, headers: str = "", ident: str = "r1", subject: str = "意见") -> bytes:
    head = HEAD.format(ident=ident, subject=subject) + headers
    return head.encode("utf-8") + b"\r\n" + body


def run(engine, draft, name: str, data: bytes, *, max_chars: int = 5000):
    [report] = import_files(engine, draft, [(name, data)], actor="t", max_chars=max_chars)
    return report


def test_mail_without_mime_headers_is_read_as_utf8_not_garbled(engine):
    draft = add_draft(engine)
    text = "关于第一条：一封没有 MIME 头的普通邮件。"
    report = run(engine, draft, "m.eml", raw_mail(text.encode()))
    assert report.refused == []
    [comment] = comments_in(engine)
    assert comment.body == text


def test_a_wrong_or_unknown_charset_falls_back_to_what_decodes(engine):
    draft = add_draft(engine)
    gbk = "关于第一条：实为 GBK 的正文。".encode("gbk")
    wrong = raw_mail(gbk, headers="Content-Type: text/plain; charset=utf-8\r\n", ident="a")
    unknown = raw_mail(gbk, headers="Content-Type: text/plain; charset=no-such\r\n", ident="b")
    for name, data in (("wrong.eml", wrong), ("unknown.eml", unknown)):
        assert run(engine, draft, name, data).refused == []
    assert [c.body for c in comments_in(engine)] == ["关于第一条：实为 GBK 的正文。"] * 2


def test_damaged_base64_and_undecodable_bytes_store_nothing(engine):
    draft = add_draft(engine)
    b64 = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
    garbage = raw_mail(b"!!!***$$$ not base64 at all ###", headers=b64, ident="g")
    binary = raw_mail(base64.b64encode(b"\xff\xfe\xfd\xfc\x80\x81"), headers=b64, ident="h")
    first = run(engine, draft, "garbage.eml", garbage)
    second = run(engine, draft, "binary.eml", binary)
    assert [p.message for p in first.refused] == ["正文的 base64 编码已损坏，无法还原，未导入"]
    assert "正文的编码无法识别（声明为 utf-8" in second.refused[0].message
    assert comments_in(engine) == []
    with Session(engine) as session:
        assert storage.comment_counts(session, draft.id or 0).get(None, 0) == 0


def test_broken_headers_are_left_empty_never_garbled(engine):
    draft = add_draft(engine)
    subject = "=?utf-8?b?/////w==?="
    sender = 'From: <script>alert("x")</script> <zhang@example.cn>\r\n'
    data = raw_mail("关于第一条：建议公示。".encode(), subject=subject).replace(
        b"From: \xe6\x9d\x8e\xe5\x9b\x9b <li@example.cn>\r\n", sender.encode()
    )
    report = run(engine, draft, "h.eml", data)
    assert report.refused == []
    [note] = report.problems
    assert note.note and "主题" in note.message
    [comment] = comments_in(engine)
    assert comment.body == "关于第一条：建议公示。" and "\ufffd" not in comment.body
    with Session(engine) as session:
        [message] = stored.messages_of(session, draft.id or 0)
    assert message.contact == "zhang@example.cn" and message.subject == ""


def test_a_raw_gbk_subject_is_decoded(engine):
    draft = add_draft(engine)
    head = HEAD.format(ident="s", subject="").replace("Subject: \r\n", "").encode()
    data = head + "Subject: 关于停车\r\n".encode("gbk") + b"\r\n" + "第一条：支持。".encode()
    run(engine, draft, "s.eml", data)
    with Session(engine) as session:
        [message] = stored.messages_of(session, draft.id or 0)
    assert message.subject == "关于停车"


def test_invisible_only_letters_and_cells_are_refused_on_every_channel(engine):
    draft = add_draft(engine)
    blank = "\u200b\u3164\u115f\u180e\u061c\U000e0001\u200d"
    files = [
        ("blank.txt", blank.encode()),
        ("blank.eml", eml(blank)),
        ("blank.csv", f"意见内容\n{blank}\n".encode()),
        ("blank.xlsx", xlsx_bytes([["意见内容"], [blank]])),
    ]
    reports = import_files(engine, draft, files, actor="t", max_chars=5000)
    assert [r.created for r in reports] == [[], [], [], []]
    assert all(r.refused for r in reports)
    assert comments_in(engine) == []


def test_imported_text_is_cleaned_as_web_text_is(engine):
    draft = add_draft(engine)
    run(
        engine,
        draft,
        "b.txt",
        "关于第二条：建议\u202e删除本条\u202c，另外\u200b增加罚则。".encode(),
    )
    [comment] = comments_in(engine)
    assert comment.body == "关于第二条：建议删除本条，另外增加罚则。"


def test_imports_keep_the_services_comment_length_limit(engine):
    draft = add_draft(engine)
    report = run(engine, draft, "long.txt", ("第一条：" + "长" * 100).encode(), max_chars=100)
    assert "104 字，超过每条 100 字的上限，整件未导入" in report.refused[0].message
    ok = run(engine, draft, "ok.txt", ("第一条：" + "长" * 96).encode(), max_chars=100)
    assert ok.refused == [] and len(comments_in(engine)) == 1


def test_mail_sent_after_the_period_was_ended_early_is_refused(engine):
    draft = add_draft(engine)
    with Session(engine) as session:
        storage.set_period(
            session=session,
            draft=storage.draft_by_slug(session, "tingche"),
            action="close",
            today=date.today(),
            actor="t",
        )
        draft = storage.draft_by_slug(session, "tingche")
    tomorrow = date.today() + timedelta(days=1)
    late = eml(
        "第一条：支持。", ident="<late@x>", date=tomorrow.strftime("%a, %d %b %Y 09:00:00 +0000")
    )
    early = eml("第一条：支持。", ident="<early@x>", date="Mon, 01 Dec 2025 09:00:00 +0800")
    refused = run(engine, draft, "late.eml", late)
    assert "提前结束，未导入" in refused.refused[0].message
    assert run(engine, draft, "early.eml", early).refused == []
    assert len(comments_in(engine)) == 1


def test_a_csv_with_an_unclosed_quote_imports_nothing_and_names_the_row(engine):
    draft = add_draft(engine)
    data = '意见内容,条款\n"没有闭合引号的意见,第一条\n第二行意见,第二条\n'.encode()
    report = run(engine, draft, "q.csv", data)
    [problem] = report.refused
    assert problem.message.startswith("第 2 行的引号没有闭合")
    assert comments_in(engine) == []


def test_rows_swallowed_by_two_stray_quotes_are_imported_with_a_note_to_check(engine):
    draft = add_draft(engine)
    data = (
        "意见内容,条款,姓名\n"
        '"第一条意见,第一条,张三\n'  # a quote opened here ...
        "第二条意见,第二条,李四\n"
        '第三条意见",第三条,王五\n'  # ... and closed here: three rows read as one
        '"建议分两段写：\n第二段，补充说明。",第一条,赵六\n'  # a real two-paragraph comment
    ).encode()
    report = run(engine, draft, "s.csv", data)
    assert report.refused == []
    [note] = [p for p in report.problems if "引号" in p.message]
    assert note.note and note.where == "s.csv 第 2 行" and "可能是引号不成对" in note.message
    assert len(comments_in(engine)) == 2


def test_a_comment_in_paragraphs_with_commas_of_its_own_gets_no_note(engine):
    draft = add_draft(engine)
    data = (
        "意见内容,条款,姓名\n"
        '"建议分三点：\n第一,明确牵头部门,并公开分工,接受监督。\n第二,增加经费。",第一条,张三\n'
        "第二条意见,第二条,李四\n"
    ).encode()
    report = run(engine, draft, "p.csv", data)
    assert report.refused == []
    assert [p.message for p in report.problems if "引号" in p.message] == []
    assert len(comments_in(engine)) == 2


def test_a_csv_saved_as_utf16_without_a_bom_is_read(engine):
    draft = add_draft(engine)
    data = "意见内容,条款\n建议明确适用范围。,第一条\n".encode("utf-16-le")
    assert run(engine, draft, "u.csv", data).refused == []
    assert [c.body for c in comments_in(engine)] == ["建议明确适用范围。"]


def test_a_header_only_table_says_so(engine):
    draft = add_draft(engine)
    for name, data in (
        ("h.csv", "意见内容,条款\n".encode()),
        ("h.xlsx", xlsx_bytes([["意见内容", "条款"]])),
    ):
        assert [p.message for p in run(engine, draft, name, data).refused] == [
            "表格只有表头，没有意见"
        ]


def test_xlsx_on_a_later_sheet_with_dates_and_booleans(engine):
    from datetime import datetime
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "说明"
    sheet = book.create_sheet("意见")
    sheet.append(["意见内容", "条款"])
    sheet.append([datetime(2026, 12, 7, 15, 30), "第一条"])
    sheet.append([True, "第二条"])
    out = BytesIO()
    book.save(out)
    draft = add_draft(engine)
    assert run(engine, draft, "s.xlsx", out.getvalue()).refused == []
    assert [c.body for c in comments_in(engine)] == ["2026-12-07 15:30", "是"]


def test_a_damaged_file_is_named_in_words_not_by_exception(engine):
    draft = add_draft(engine)
    for name in ("fake.xlsx", "fake.docx"):
        [problem] = run(engine, draft, name, b"PK\x03\x04 not an archive").refused
        assert "已损坏" in problem.message and "Error" not in problem.message
        assert "BadZip" not in problem.message


def test_the_cli_exits_1_when_something_was_refused(tmp_path: Path, capsys, monkeypatch):
    engine = cli_database(tmp_path, monkeypatch)
    good, bad = tmp_path / "ok.txt", tmp_path / "blank.txt"
    good.write_text("第一条：支持。", encoding="utf-8")
    bad.write_text("\u200b\u3164", encoding="utf-8")
    assert main(["intake", "tingche", str(bad), str(good), "--json"]) == 1
    blank, ok = json.loads(capsys.readouterr().out)
    assert blank["created"] == [] and blank["problems"][0]["imported"] is False
    assert len(ok["created"]) == 1
    assert main(["intake", "tingche", str(good), "--json"]) == 0  # already imported: no problem
    assert len(comments_in(engine)) == 1
    engine.dispose()


def test_a_corrected_table_imported_again_adds_only_the_rows_that_were_refused(engine):
    draft = add_draft(engine)
    head = "序号,意见内容,条款\n"
    before = (
        head + "1,建议公示收费。,第一条\n2,,第二条\n3,收费应听证。,第二条\n4,收费应听证。,第二条\n"
    )
    # the empty row filled in, a new row put in as 2 and the rest renumbered
    after = head + (
        "1,建议公示收费。,第一条\n2,新加的一行。,第三条\n3,补上的意见。,第二条\n"
        "4,收费应听证。,第二条\n5,收费应听证。,第二条\n"
    )
    first = run(engine, draft, "表.csv", before.encode())
    assert len(first.created) == 3 and [p.where for p in first.refused] == ["表.csv 第 3 行"]
    again = run(engine, draft, "表.csv", after.encode())
    assert [c["source"].startswith("表.csv#row:") for c in again.created] == [True, True]
    assert len(again.skipped) == 3  # the two identical rows are two comments, each kept once
    bodies = sorted(c.body for c in comments_in(engine))
    expected = ["建议公示收费。", "新加的一行。", "补上的意见。", "收费应听证。", "收费应听证。"]
    assert bodies == sorted(expected)


def test_a_table_imported_under_the_earlier_row_keys_is_still_recognised(engine):
    from sqlmodel import select

    from comments.channels.letters import digest
    from comments.storage.models import InboundMessage

    draft = add_draft(engine)
    data = "意见内容\n建议公示收费。\n".encode()
    run(engine, draft, "表.csv", data)
    with Session(engine) as session:  # as a database written before rows were keyed by content
        [message] = session.exec(select(InboundMessage)).all()
        message.source = f"表.csv#{digest(data)}#2"
        session.add(message)
        session.commit()
    again = run(engine, draft, "表.csv", data)
    assert again.created == [] and len(again.skipped) == 1
    assert len(comments_in(engine)) == 1
