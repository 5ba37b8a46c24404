"""Reading draft files: encodings, .docx, and every kind of bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from comments.drafts import DraftParseError, parse_bytes, parse_file, parse_text
from tests.drafts.test_helpers import source_chars, tree_chars

DRAFT = "关于推进数据共享的实施意见\n（征求意见稿）\n一、总体要求\n（一）指导思想\n坚持统筹推进。\n二、主要任务\n1.建设平台。加快建设。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_text_files_in_government_encodings_parse_alike(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "draft.txt"
    path.write_bytes(DRAFT.encode(encoding))
    tree = parse_file(path)
    assert tree.title == "关于推进数据共享的实施意见"
    assert [n.key for n in tree.walk()] == ["前言", "一", "一/（一）", "二", "二/1"]
    assert tree_chars(tree) == source_chars(DRAFT)


def test_crlf_line_endings_are_fine() -> None:
    tree = parse_bytes(DRAFT.replace("\n", "\r\n").encode("utf-8"), filename="a.txt")
    assert [n.key for n in tree.walk()] == ["前言", "一", "一/（一）", "二", "二/1"]


def test_empty_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "空.txt"
    path.write_bytes(b"")
    with pytest.raises(DraftParseError, match="空.txt.*为空"):
        parse_file(path)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DraftParseError, match="image.txt.*不是文本文件"):
        parse_file(path)


def test_undecodable_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Résumé des règles : café".encode("latin-1"))
    with pytest.raises(DraftParseError, match="latin.txt.*编码"):
        parse_file(path)


def test_pdf_is_refused_with_advice() -> None:
    with pytest.raises(DraftParseError, match="PDF"):
        parse_bytes(b"%PDF-1.7\n...", filename="草案.pdf")


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: nothing is written or read
    with pytest.raises(DraftParseError, match="huge.txt.*过大.*10.0 MB"):
        parse_file(path)


def test_size_limit_is_a_keyword_argument() -> None:
    data = DRAFT.encode("utf-8")
    with pytest.raises(DraftParseError, match="过大"):
        parse_bytes(data, filename="a.txt", max_bytes=10)
    with pytest.raises(DraftParseError, match="过大"):
        parse_text(DRAFT, max_bytes=10)
    assert parse_bytes(data, filename="a.txt", max_bytes=len(data)).nodes


def test_missing_file_and_directory_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DraftParseError, match="找不到文件"):
        parse_file(tmp_path / "nope.txt")
    with pytest.raises(DraftParseError, match="是目录"):
        parse_file(tmp_path)


def test_damaged_docx_is_refused() -> None:
    with pytest.raises(DraftParseError, match="bad.docx"):
        parse_bytes(b"PK\x03\x04 not really a zip", filename="bad.docx")


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("关于推进数据共享的实施意见（征求意见稿）", level=0)
    document.add_paragraph("公众可于2024年5月1日前将意见发送至 share@example.gov.cn。")
    document.add_heading("一、总体要求", level=1)
    document.add_paragraph("（一）指导思想")
    document.add_paragraph("坚持统筹推进，坚持安全发展。")
    document.add_heading("二、主要任务", level=1)
    document.add_paragraph("建设共享平台。加快建设全省平台。", style="List Number")
    document.add_paragraph("完善目录体系。编制数据目录。", style="List Number")
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate([("指标", "目标"), ("共享率", "90%"), ("开放率", "60%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("三、保障措施")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_numbering_and_tables_are_read_in_order(tmp_path: Path) -> None:
    path = tmp_path / "草案.docx"
    path.write_bytes(_docx_bytes())
    tree = parse_file(path)
    assert tree.title == "关于推进数据共享的实施意见"
    assert tree.deadline is not None and tree.deadline.isoformat() == "2024-05-01"
    assert tree.contact == "share@example.gov.cn"
    keys = [n.key for n in tree.walk()]
    assert keys == [
        "前言",
        "一",
        "一/（一）",
        "二",
        "二/1",
        "二/2",
        "二/2/表1",
        "二/2/表1/行1",
        "二/2/表1/行2",
        "三",
    ]
    by_key = {n.key: n for n in tree.walk()}
    assert by_key["二/1"].heading == "建设共享平台。"
    assert by_key["二/2/表1"].rows == [["指标", "目标"], ["共享率", "90%"], ["开放率", "60%"]]


def test_docx_with_damaged_numbering_definitions_is_refused_with_a_clear_error() -> None:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/numbering.xml":
                content = content.replace(b'w:start w:val="1"', b'w:start w:val="x"', 1)
                assert b'w:val="x"' in content
            out.writestr(item, content)
    with pytest.raises(DraftParseError, match="编号定义已损坏"):
        parse_bytes(damaged.getvalue(), filename="numbered.docx")


def test_the_tree_carries_the_decoded_text_and_nothing_for_a_docx() -> None:
    assert parse_bytes("一、总则".encode("gb18030"), filename="a.txt").source == "一、总则"
    assert parse_text("一、总则").source == "一、总则"
    assert parse_bytes(_docx_bytes(), filename="renamed.txt").source == ""


def test_whole_line_html_comments_are_markup_and_never_reach_the_text() -> None:
    text = (
        "# 社区停车管理办法（征求意见稿）\n<!-- INFO END -->\n"
        "第一条 为规范停车秩序，制定本办法。\n  <!-- 第二条待定 -->  \n"
        "第二条 收费标准由业主大会决定（见<!--注-->附表）。\n"
    )
    tree = parse_bytes(text.encode("utf-8"), filename="a.md")
    shown = "".join(n.label + n.heading + n.text for n in tree.walk())
    assert "INFO END" not in shown and "第二条待定" not in shown and "<!-- " not in shown
    # A comment inside a line of text is not a markup line: every character stays.
    assert "（见<!--注-->附表）" in shown
    assert [n.key for n in tree.walk() if n.kind != "preamble"] == ["第一条", "第二条"]
    assert tree_chars(tree) == source_chars(text)


def test_a_docx_that_unpacks_past_the_limit_is_refused_before_it_is_read(monkeypatch) -> None:
    import docx

    from tests.helpers import padded_archive

    bomb = padded_archive(_docx_bytes(), unpacked=6 * 1024 * 1024)
    assert len(bomb) < 100_000  # small on the wire
    monkeypatch.setattr(docx, "Document", lambda *a, **k: pytest.fail("the archive was opened"))
    with pytest.raises(
        DraftParseError, match=r"bomb.docx：.docx 文件解压后过大（6.\d MB，上限 5.0 MB）"
    ):
        parse_bytes(bomb, filename="bomb.docx", max_bytes=1024 * 1024)


def test_a_docx_listing_very_many_members_is_refused() -> None:
    from tests.helpers import padded_archive

    many = padded_archive(_docx_bytes(), members=1000)
    with pytest.raises(DraftParseError, match=r"包含的部件过多（10\d\d 个，上限 1000 个）"):
        parse_bytes(many, filename="many.docx")


def test_a_docx_within_the_unpacked_limit_is_read() -> None:
    from tests.helpers import padded_archive

    padded = padded_archive(_docx_bytes(), unpacked=1024 * 1024, members=50)
    tree = parse_bytes(padded, filename="ok.docx", max_bytes=1024 * 1024)
    assert tree.title == "关于推进数据共享的实施意见"
