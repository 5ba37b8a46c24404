"""Acceptance on the real drafts: the bundled example (seed 004) and seed 002 when present."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from comments.drafts import DraftTree, parse_file
from tests.drafts.test_helpers import keys_are_sound, source_chars, tree_chars

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "comments" / "example" / "informatization-draft.txt"
SEED_002 = ROOT.parent / "shared" / "seeds" / "002_3c784148d53b7ccd.txt"


@pytest.fixture(scope="module")
def example() -> DraftTree:
    return parse_file(EXAMPLE)


def test_example_has_five_parts(example: DraftTree) -> None:
    parts = [n for n in example.nodes if n.kind == "part"]
    assert [p.label for p in parts] == ["一、", "二、", "三、", "四、", "五、"]
    assert parts[0].heading == "总体要求"


def test_example_numbers_46_clauses_through_parts_two_to_five(example: DraftTree) -> None:
    later = [p for p in example.nodes if p.kind == "part"][1:]
    clauses = [n for p in later for n in p.walk() if n.kind == "clause"]
    assert [c.number for c in clauses] == list(range(1, 47))
    assert all(c.text for c in clauses)
    assert len({c.text for c in clauses}) == 46
    assert clauses[0].heading == "突破核心关键信息技术。"


def test_example_basic_principles_are_bullets(example: DraftTree) -> None:
    keys = {n.key: n for n in example.walk()}
    principles = keys["一/（二）"]
    assert principles.heading == "基本方针"
    assert [b.text[:4] for b in principles.children] == [
        "统筹推进",
        "创新驱动",
        "融合发展",
        "惠及民生",
        "确保安全",
    ]
    assert all(b.kind == "bullet" for b in principles.children)


def test_example_notice_metadata(example: DraftTree) -> None:
    assert example.deadline == date(2017, 9, 12)
    assert example.contact == "scjxwxxh@163.com"
    assert example.title == "关于加快推进信息化发展的实施意见"
    assert example.issuer == "中共四川省委办公厅 四川省人民政府办公厅"


def test_example_preamble_keeps_notice_addressee_and_opening(example: DraftTree) -> None:
    preamble = example.nodes[0]
    assert preamble.kind == "preamble" and preamble.key == "前言"
    assert preamble.text.startswith("四川发布客户端消息")
    assert "各市(州)人民政府,省政府各部门、各直属机构,有关单位:" in preamble.text
    assert preamble.text.rstrip().endswith("提出以下实施意见。")


def test_example_loses_no_character(example: DraftTree) -> None:
    assert tree_chars(example) == source_chars(EXAMPLE.read_text(encoding="utf-8"))
    assert keys_are_sound(example)


def test_example_keys_are_stable_across_imports(example: DraftTree) -> None:
    again = parse_file(EXAMPLE)
    assert [n.key for n in again.walk()] == [n.key for n in example.walk()]


needs_002 = pytest.mark.skipif(
    not SEED_002.exists(), reason=f"seed 002 not found at {SEED_002} (../shared is absent)"
)


@pytest.fixture(scope="module")
def seed002() -> DraftTree:
    return parse_file(SEED_002)


@needs_002
def test_seed002_parts_and_eighteen_subparts_in_order(seed002: DraftTree) -> None:
    assert [n.label for n in seed002.nodes if n.kind == "part"] == ["一、", "二、", "三、", "四、"]
    sections = [n for n in seed002.walk() if n.kind == "section"]
    assert [s.number for s in sections] == list(range(1, 19))
    eleven = sections[10]
    assert eleven.label == "(十一)" and eleven.key == "三/（十一）"
    assert [c.number for c in eleven.children if c.kind == "clause"] == [1, 2, 3]


@needs_002
def test_seed002_boxes_one_to_twelve_with_items(seed002: DraftTree) -> None:
    boxes = [n for n in seed002.walk() if n.kind == "box"]
    assert [b.key for b in boxes] == [f"专栏{i}" for i in range(1, 13)]
    sizes = [len([c for c in b.children if c.kind == "clause"]) for b in boxes]
    assert sizes == [3, 4, 3, 4, 2, 4, 2, 7, 9, 2, 5, 5]
    keys = {n.key: n for n in seed002.walk()}
    assert keys["三/（九）/3"].heading == "提升服务业信息化水平。"
    assert keys["三/（十）/2"].heading == "加快民生服务普惠化。"


@needs_002
def test_seed002_annexes_hold_the_glossary_and_the_35_row_task_table(seed002: DraftTree) -> None:
    keys = {n.key: n for n in seed002.walk()}
    assert keys["附件1"].heading == "名词解释" and keys["附件2"].heading == "重点任务分工方案"
    glossary = keys["附件1/表1"]
    assert glossary.rows is not None and glossary.rows[0] == ["名词或缩写", "解释或全称"]
    tasks = keys["附件2/表1"]
    assert tasks.rows is not None and tasks.header
    assert [r[0] for r in tasks.rows[1:]] == [str(i) for i in range(1, 36)]
    assert keys["附件2/表1/行12"].text.startswith("12\t实施智慧健康专项")


@needs_002
def test_seed002_indicator_table_skips_its_repeated_header(seed002: DraftTree) -> None:
    table = next(n for n in seed002.walk() if n.kind == "table")
    assert table.heading == "“十三五”信息化发展主要指标"
    assert table.rows is not None
    assert sum(1 for r in table.rows if r[0] == "指 标") == 1
    assert table.rows[-1][0] == "18. 电子诉讼占比(%)"


@needs_002
def test_seed002_page_break_joins_are_repaired(seed002: DraftTree) -> None:
    keys = {n.key: n for n in seed002.walk()}
    assert "为互联网与经济社会融合发展" in keys["一/（一）/1"].text
    assert (
        "融合创新,转型发展。加快推动互联网、大数据、人工智能等新一代信息技术"
        in keys["二/（四）"].text
    )


@needs_002
def test_seed002_loses_only_marks_and_repeated_headers(seed002: DraftTree) -> None:
    text = SEED_002.read_text(encoding="utf-8")
    expected = source_chars(text)
    for header in ("指标2015年2020年", "序号重点工作负责单位"):
        first = expected.index(header) + len(header)
        expected = expected[:first] + expected[first:].replace(header, "")
    assert tree_chars(seed002) == expected
    assert keys_are_sound(seed002)
