"""Markdown digest and public feedback report: deterministic, masked, escaped, complete."""

from __future__ import annotations

from datetime import date

from analysis import (
    ClauseInput,
    CommentInput,
    Decision,
    DraftInfo,
    build_digest,
    build_feedback_report,
    render_digest_markdown,
    render_feedback_markdown,
)
from analysis.markdown import _text

DRAFT = DraftInfo(
    "xinxihua",
    "《信息化实施意见》（征求意见稿）",
    "省经信委",
    date(2017, 8, 13),
    date(2017, 9, 12),
    2,
)
CLAUSES = [
    ClauseInput("第一条", "article", "第一条", "目的", "原则上鼓励数据资源共享开放。", None, 0),
    ClauseInput("第二条", "article", "第二条", "范围", "本意见适用于全省。", None, 1),
]
LETTER = "我们坚决反对数据资源无条件开放，个人隐私必须得到保护，请增加数据安全审查程序。"


def comments() -> list[CommentInput]:
    out = [CommentInput(20 + i, "第一条", f"尊敬的领导：{LETTER}") for i in range(4)]
    out += [
        CommentInput(1, "第一条", "建议将“原则上”删除。"),
        CommentInput(2, "第一条", "建议删除“原则上”，我的电话13812345678。"),
        CommentInput(3, "第一条", "<script>alert('x')</script> 表格 | 竖线 | 测试"),
        CommentInput(4, None, "整体支持。"),
    ]
    return out


def test_the_same_digest_gives_the_same_bytes() -> None:
    first = render_digest_markdown(build_digest(DRAFT, CLAUSES, comments()))
    second = render_digest_markdown(build_digest(DRAFT, CLAUSES, list(reversed(comments()))))
    assert first.encode() == second.encode()


def test_the_digest_has_title_period_totals_and_each_commented_clause() -> None:
    text = render_digest_markdown(build_digest(DRAFT, CLAUSES, comments()))
    assert text.startswith("# 意见汇总分析：《信息化实施意见》（征求意见稿）\n")
    assert "2017-08-13 至 2017-09-12" in text
    assert "共收到意见 **8** 条" in text
    assert "## 第一条　目的" in text and "> 原则上鼓励数据资源共享开放。" in text
    assert "### 观点聚类" in text and "### 批量提交" in text and "### 具体修改建议" in text
    assert "| “原则上” | 删除 | 2 条（#1 #2） |" in text
    assert "**未收到意见的条款**：第二条　范围" in text


def test_personal_data_is_masked_in_the_digest() -> None:
    text = render_digest_markdown(build_digest(DRAFT, CLAUSES, comments()))
    assert "13812345678" not in text


def test_html_in_a_comment_comes_out_inert_and_pipes_do_not_break_tables() -> None:
    letter = (
        "<script>alert('x')</script>我们反对本条 | 理由见下 | 请予删除，数据开放必须依法有序进行。"
    )
    copies = [CommentInput(40 + i, "第二条", letter) for i in range(3)]
    text = render_digest_markdown(build_digest(DRAFT, CLAUSES, comments() + copies))
    assert "<script>" not in text
    assert "&lt;script&gt;alert('x')&lt;/script&gt;我们反对本条 \\| 理由见下 \\|" in text
    assert _text("a | b") == "a \\| b"
    assert _text("A&B <b>x</b>") == "A&amp;B &lt;b&gt;x&lt;/b&gt;"
    assert _text("第一行\n第二行") == "第一行 第二行"


def test_every_comment_id_of_a_small_cluster_is_linked() -> None:
    digest = build_digest(DRAFT, CLAUSES, comments())
    text = render_digest_markdown(digest)
    for section in digest.sections:
        for cluster in section.clusters:
            assert " ".join(f"#{m}" for m in cluster.members) in text


def test_a_digest_without_comments_renders() -> None:
    text = render_digest_markdown(build_digest(DRAFT, CLAUSES, []))
    assert "共收到意见 **0** 条" in text
    assert text.endswith("\n")


def test_the_feedback_report_counts_points_by_outcome_and_shows_reasons() -> None:
    digest = build_digest(DRAFT, CLAUSES, comments())
    section = digest.section("第一条")
    assert section is not None
    cluster = next(c for c in section.clusters if c.campaigns)
    decisions = [
        Decision("cluster", cluster.id, "部分采纳", "已增加数据安全审查的规定。", "第一条"),
        Decision(
            "suggestion",
            next(s for s in section.suggestions if s.operation == "delete").id,
            "不予采纳",
            "与上位法表述一致，予以保留。",
            "第一条",
        ),
    ]
    text = render_feedback_markdown(build_feedback_report(digest, decisions))
    assert text.startswith("# 《信息化实施意见（征求意见稿）》意见采纳情况说明\n")
    assert f"| 部分采纳 | 1 | {cluster.size} |" in text
    assert "| 不予采纳 | 1 | 2 |" in text
    assert f"含批量提交 {section.campaigns[0].size} 条" in text
    assert "- 与上位法表述一致，予以保留。" in text


def test_the_feedback_report_holds_no_comment_text_or_personal_data() -> None:
    digest = build_digest(DRAFT, CLAUSES, comments())
    decisions = [Decision("comment", "2", "采纳", "已删除，联系人电话13900001111。", "第一条")]
    text = render_feedback_markdown(build_feedback_report(digest, decisions))
    assert "13812345678" not in text and "13900001111" not in text
    assert "<script>" not in text and LETTER not in text


def test_a_decision_on_a_point_that_no_longer_exists_is_still_reported() -> None:
    digest = build_digest(DRAFT, CLAUSES, comments())
    text = render_feedback_markdown(
        build_feedback_report(
            digest, [Decision("cluster", "第二条:c999", "另行研究", "", "第二条")]
        )
    )
    assert "在最新分析中已调整" in text
    assert "| 另行研究 | 1 | 0 |" in text


def test_the_feedback_report_without_decisions_says_so() -> None:
    text = render_feedback_markdown(
        build_feedback_report(build_digest(DRAFT, CLAUSES, comments()), [])
    )
    assert "尚未对意见作出处理。" in text


def test_a_suggestion_title_in_the_feedback_report_is_escaped_once() -> None:
    clauses = [ClauseInput("第一条", "article", "第一条", "", "A&B<C>原则上适用。", None, 0)]
    comments = [CommentInput(1, "第一条", "建议将“A&B<C>”改为“A_B”。")]
    digest = build_digest(DRAFT, clauses, comments)
    section = digest.section("第一条")
    assert section is not None and section.suggestions
    decision = Decision("suggestion", section.suggestions[0].id, "采纳", "已修改。", "第一条")
    text = render_feedback_markdown(build_feedback_report(digest, [decision]))
    assert "建议将“A&amp;B&lt;C&gt;”改为“A\\_B”" in text and "→" not in text
    assert "&amp;amp;" not in text and "\\\\_" not in text


def test_hidden_comments_are_not_listed_as_flagged() -> None:
    comments = [
        CommentInput(1, "第一条", "加微信 abc123456 领红包 http://spam.example.cn", hidden=True),
        CommentInput(2, "第一条", "支持第一条。"),
    ]
    digest = build_digest(DRAFT, CLAUSES, comments)
    section = digest.section("第一条")
    assert section is not None
    assert section.flagged == {}
    assert "#1" not in render_digest_markdown(digest)


def test_bidirectional_and_zero_width_characters_do_not_reach_markdown() -> None:
    assert _text("反对\u202e本条\u200b内容") == "反对本条内容"


def test_comments_not_public_are_called_pending_or_hidden_not_hidden() -> None:
    # The service passes pending comments as hidden too: the Markdown must not call them hidden.
    comments = [
        CommentInput(1, "第一条", "我的身份证号是110101199003077777", hidden=True),
        CommentInput(2, "第一条", "支持第一条。"),
    ]
    text = render_digest_markdown(build_digest(DRAFT, CLAUSES, comments))
    assert "另有已隐藏" not in text
    assert "另有未公开 1 条（待审核或已隐藏，不计入统计）" in text
    assert "另有未公开 1 条（待审核或已隐藏）" in text
