"""Property tests: generated documents keep their structure and lose no character."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.drafts import DraftParseError, parse_text
from comments.drafts.build import cn_number
from tests.drafts.test_helpers import keys_are_sound, source_chars, tree_chars

WORDS = "政务数据共享平台建设推进完善统筹发展信息安全网络服务治理能力创新体系资源开放"
word = st.text(alphabet=WORDS, min_size=2, max_size=8)
sentence = st.lists(word, min_size=1, max_size=6).map(lambda ws: "，".join(ws) + "。")
body = st.lists(sentence, min_size=1, max_size=4).map("".join)
noise = st.sampled_from(["", "", "", "\n", "\n\n— 7 —\n", "\n- 12 -\n"])

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def policy_documents(draw: st.DrawFn) -> tuple[str, list[list[int]], bool]:
    """A policy draft: parts 一、 → sections （一） → numbered clauses, with PDF debris."""
    shape = draw(st.lists(st.lists(st.integers(0, 4), max_size=3), min_size=1, max_size=4))
    run_on = draw(st.booleans())
    lines = [draw(body)]
    number = 0
    for p, sections in enumerate(shape, 1):
        mark = draw(st.sampled_from(["", "## ", "### "]))
        lines.append(f"{mark}{cn_number(p)}、{draw(word)}")
        for s, clauses in enumerate(sections, 1):
            paren = draw(st.sampled_from(["（{}）", "({})"]))
            lines.append(paren.format(cn_number(s)) + draw(word))
            if not run_on:
                number = 0
            for _ in range(clauses):
                number += 1
                lines.append(f"{number}.{draw(body)}")
                lines[-1] += draw(noise)
    return "\n".join(lines), shape, run_on


@given(policy_documents())
@FAST
def test_generated_policy_documents_keep_structure_and_every_character(
    doc: tuple[str, list[list[int]], bool],
) -> None:
    text, shape, run_on = doc
    tree = parse_text(text)
    parts = [n for n in tree.nodes if n.kind == "part"]
    assert len(parts) == len(shape)
    for part, sections in zip(parts, shape, strict=True):
        got = [len([c for c in s.children if c.kind == "clause"]) for s in part.children]
        assert got == sections
    numbers = [n.number for n in tree.walk() if n.kind == "clause"]
    if run_on:
        assert numbers == list(range(1, len(numbers) + 1))
    assert tree_chars(tree) == source_chars(text)
    assert keys_are_sound(tree)


@given(
    st.text(alphabet=WORDS, min_size=20, max_size=40),
    body,
    st.sampled_from(["\n", "\n\n— 3 —\n\n"]),
)
@FAST
def test_sentence_cut_by_a_page_break_is_joined(head: str, tail: str, cut: str) -> None:
    text = f"一、任务\n1.{head}{cut}{tail}\n2.完善体系。"
    tree = parse_text(text)
    clause = next(n for n in tree.walk() if n.kind == "clause")
    assert head + tail in clause.heading + clause.text


@st.composite
def law_documents(draw: st.DrawFn) -> tuple[str, list[list[int]]]:
    """A law draft: chapters → articles with 1–3 paragraphs, some with items."""
    shape = draw(
        st.lists(st.lists(st.integers(1, 3), min_size=1, max_size=4), min_size=1, max_size=3)
    )
    lines = [draw(word) + "条例"]
    article = 0
    for c, articles in enumerate(shape, 1):
        lines.append(f"第{cn_number(c)}章　{draw(word)}")
        for paragraphs in articles:
            article += 1
            lines.append(f"第{cn_number(article)}条　{draw(body)}")
            for _ in range(1, paragraphs):
                lines.append(draw(body))
                for i in range(draw(st.integers(0, 2))):
                    lines.append(f"（{cn_number(i + 1)}）{draw(body)}")
    return "\n".join(lines), shape


@given(law_documents())
@FAST
def test_generated_laws_keep_chapters_articles_and_paragraphs(
    doc: tuple[str, list[list[int]]],
) -> None:
    text, shape = doc
    tree = parse_text(text)
    chapters = [n for n in tree.nodes if n.kind == "chapter"]
    assert len(chapters) == len(shape)
    for chapter, articles in zip(chapters, shape, strict=True):
        got = [
            max(1, len([p for p in a.children if p.kind == "paragraph"])) for a in chapter.children
        ]
        assert got == articles
    assert tree_chars(tree) == source_chars(text)
    assert keys_are_sound(tree)


MESSY = (
    string.ascii_letters[:6]
    + string.digits
    + "一二三十百第条章节编之款（）()、.．。，：:；专栏附件表——--#|\t 　\n"
    + WORDS[:10]
)


@given(st.text(alphabet=MESSY, max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_text_parses_without_losing_characters_or_is_refused_as_empty(text: str) -> None:
    try:
        tree = parse_text(text)
    except DraftParseError as exc:
        assert "没有任何文字内容" in str(exc) or "为空" in str(exc)
        return
    assert tree.nodes
    assert keys_are_sound(tree)


PREFIXES = [
    "",
    "",
    "一、",
    "（二）",
    "(三)",
    "3.",
    "12、",
    "（4）",
    "①",
    "--",
    "——",
    "- ",
    "第五条 ",
    "第二章 ",
    "第一节 ",
    "第一编 ",
    "第三条之一 ",
    "专栏2 ",
    "附件1",
    "附件：1. ",
    "## ",
    "| ",
    "— 4 —",
    "#",
]
soup_line = st.tuples(
    st.sampled_from(PREFIXES), st.one_of(word, body, st.just(""), st.text(MESSY, max_size=12))
)
soup = st.lists(soup_line.map("".join), max_size=30).map("\n".join)


@given(soup)
@settings(max_examples=300, deadline=None)
def test_line_soup_of_markers_parses_without_loss_or_is_refused_as_empty(text: str) -> None:
    try:
        tree = parse_text(text)
    except DraftParseError as exc:
        assert "没有任何文字内容" in str(exc) or "为空" in str(exc)
        return
    assert keys_are_sound(tree)
