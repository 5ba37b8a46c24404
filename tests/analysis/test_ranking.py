"""The ranking of clauses: by comments received, distinct comments breaking ties."""

from __future__ import annotations

from analysis import ClauseInput, CommentInput, DraftInfo, Section, Tally, build_digest
from analysis.ranking import rank

LETTER = (
    "我们坚决反对在小区里建设通信基站，辐射对老人和孩子的健康影响太大，请把基站移到远离住宅的地方。"
)


def section(key: str, order: int, comments: int, distinct: int) -> Section:
    tally = Tally(comments=comments, distinct=distinct)
    return Section(key, "clause", f"{order}.", "", "", None, order, tally, tally, (), (), (), {})


def test_the_clause_with_most_comments_comes_first_even_when_most_are_one_campaign() -> None:
    sections = [
        section("二/（二）/4", 4, comments=20, distinct=20),
        section("二/（二）/5", 5, comments=45, distinct=12),  # 34 copies of one letter
        section("二/（二）/6", 6, comments=20, distinct=18),
        section("二/（二）/7", 7, comments=3, distinct=3),
        section("二/（二）/8", 8, comments=0, distinct=0),
    ]
    clauses = [ClauseInput(s.key, "clause", s.label, "", "正文", None, s.order) for s in sections]
    ranking = rank(sections, clauses)
    # 45 comments first; of the two with 20, more distinct ones first; none without comments.
    assert ranking.most_discussed == ("二/（二）/5", "二/（二）/4", "二/（二）/6", "二/（二）/7")


def test_equal_counts_keep_the_order_of_the_draft() -> None:
    sections = [section(f"第{i}条", i, comments=2, distinct=2) for i in (3, 1, 2)]
    assert rank(sections, []).most_discussed == ("第1条", "第2条", "第3条")


def test_a_campaign_counts_every_copy_in_the_ranking_and_once_in_distinct() -> None:
    clauses = [
        ClauseInput(
            "5", "clause", "5.", "优化升级宽带网络。", "完善骨干网、城域网和接入网。", None, 0
        ),
        ClauseInput("6", "clause", "6.", "统筹云基础设施建设。", "统筹数据中心建设布局。", None, 1),
    ]
    copies = [CommentInput(i, "5", f"尊敬的领导：{LETTER}") for i in range(1, 13)]
    own = [
        CommentInput(100, "6", "建议明确数据中心的能耗标准。"),
        CommentInput(101, "6", "云平台要保证数据安全，谁来监管？"),
        CommentInput(102, "6", "支持统筹建设，避免各地重复投资。"),
        CommentInput(103, "6", "建议优先使用本省的绿色电力。"),
    ]
    digest = build_digest(DraftInfo("x", "实施意见"), clauses, copies + own)
    five, six = digest.section("5"), digest.section("6")
    assert five is not None and six is not None
    assert five.tally.comments == 12 and five.tally.distinct < six.tally.distinct
    assert digest.ranking.most_discussed == ("5", "6")
