"""build_digest: every comment accounted for, sections, roll-ups, ranking, cache, bad input."""

from __future__ import annotations

import json
import pickle
from datetime import date, datetime, timedelta

import pytest

from analysis import (
    ClauseInput,
    CommentInput,
    DigestCache,
    DraftInfo,
    build_digest,
    build_feedback_report,
    render_digest_markdown,
    render_feedback_markdown,
)
from analysis.models import GENERAL_KEY, UNKNOWN_KEY

DRAFT = DraftInfo(
    "xinxihua",
    "《关于加快推进信息化发展的实施意见》（征求意见稿）",
    "省经济和信息化委员会",
    date(2017, 8, 13),
    date(2017, 9, 12),
    4,
)
CLAUSES = [
    ClauseInput("二", "part", "二、", "大力增强信息化发展能力", "", None, 0),
    ClauseInput("二/（一）", "section", "（一）", "发展核心技术", "", "二", 1),
    ClauseInput(
        "二/（一）/1",
        "clause",
        "1.",
        "突破核心关键信息技术。",
        "原则上鼓励企业加大研发投入，推动电子客票应用。",
        "二/（一）",
        2,
    ),
    ClauseInput(
        "二/（一）/2",
        "clause",
        "2.",
        "大力发展电子信息产业。",
        "培育一批龙头企业。",
        "二/（一）",
        3,
    ),
]
LETTER = (
    "我们坚决反对强制推行电子客票，很多老年人不会使用智能手机，必须保留人工售票窗口和现金支付渠道。"
)


def sample() -> list[CommentInput]:
    comments = [
        CommentInput(10 + i, "二/（一）/1", f"尊敬的领导：{LETTER}", "个人") for i in range(6)
    ]
    comments += [
        CommentInput(1, "二/（一）/1", "建议将“原则上”删除，这个说法太模糊。", "企业"),
        CommentInput(2, "二/（一）/1", "建议删除“原则上”三个字。", "行业协会"),
        CommentInput(3, None, "整体支持这个实施意见，写得很好。", "个人"),
        CommentInput(4, "第九十九条", "这一条在哪里？", "其他"),
        CommentInput(5, "二/（一）/1", "联系我：13812345678，加微信领优惠", "个人"),
        CommentInput(6, "二", "第二部分的目标定得太高了，反对。", "政府部门", hidden=True),
    ]
    return comments


def test_every_comment_is_annotated_once_and_counted_in_one_section() -> None:
    digest = build_digest(DRAFT, CLAUSES, sample())
    assert sorted(n.id for n in digest.comments) == sorted(c.id for c in sample())
    counted = sum(s.tally.comments + s.tally.hidden for s in digest.sections)
    assert counted == len(sample())
    assert digest.totals.comments == len(sample()) - 1 and digest.totals.hidden == 1


def test_every_visible_comment_is_in_exactly_one_cluster() -> None:
    digest = build_digest(DRAFT, CLAUSES, sample())
    members = [m for s in digest.sections for c in s.clusters for m in c.members]
    visible = [c.id for c in sample() if not c.hidden]
    assert sorted(members) == sorted(visible)
    for note in digest.comments:
        assert (note.cluster is None) == note.hidden


def test_a_comment_on_an_unknown_clause_goes_to_the_unknown_bucket() -> None:
    digest = build_digest(DRAFT, CLAUSES, sample())
    unknown = digest.section(UNKNOWN_KEY)
    assert unknown is not None and unknown.tally.comments == 1
    assert next(n for n in digest.comments if n.id == 4).clause == "第九十九条"


def test_comments_on_the_whole_draft_have_their_own_section_first() -> None:
    digest = build_digest(DRAFT, CLAUSES, sample())
    assert digest.sections[0].key == GENERAL_KEY
    assert digest.sections[0].tally.comments == 1


def test_campaign_copies_are_collapsed_in_the_distinct_count() -> None:
    digest = build_digest(DRAFT, CLAUSES, sample())
    clause = digest.section("二/（一）/1")
    assert clause is not None
    assert clause.tally.campaigns == 1 and clause.tally.in_campaigns == 6
    assert clause.tally.distinct == clause.tally.comments - 6 + 1
    assert {n.campaign for n in digest.comments if 10 <= n.id < 16} == {"二/（一）/1:k10"}


def test_parts_roll_up_every_clause_below_them() -> None:
    digest = build_digest(DRAFT, CLAUSES, sample())
    part, clause = digest.section("二"), digest.section("二/（一）/1")
    assert part is not None and clause is not None
    assert part.tally.comments == 0 and part.tally.hidden == 1
    assert part.rollup.comments == clause.tally.comments
    assert part.rollup.stance == clause.tally.stance


def test_the_ranking_names_the_most_discussed_and_the_silent_clauses() -> None:
    digest = build_digest(DRAFT, CLAUSES, sample())
    assert digest.ranking.most_discussed[0] == "二/（一）/1"
    assert digest.ranking.uncommented == ("二/（一）/2",)


def test_suggestions_and_flags_reach_the_section() -> None:
    clause = build_digest(DRAFT, CLAUSES, sample()).section("二/（一）/1")
    assert clause is not None
    assert [(s.operation, s.target, s.comments) for s in clause.suggestions] == [
        ("delete", "原则上", (1, 2))
    ]
    assert 5 in clause.flagged.get("pii", ())


def test_the_json_digest_carries_one_annotation_per_comment() -> None:
    data = json.loads(
        json.dumps(build_digest(DRAFT, CLAUSES, sample()).to_dict(), ensure_ascii=False)
    )
    assert len(data["comments"]) == len(sample())
    for note in data["comments"]:
        assert note["stance"] in ("support", "oppose", "suggest", "question", "other")
        assert note["polarity"] in ("pos", "neg", "neu")
        assert isinstance(note["flags"], list)
    assert data["draft"]["deadline"] == "2017-09-12"


def test_adding_one_comment_recomputes_only_its_clause() -> None:
    cache = DigestCache()
    build_digest(DRAFT, CLAUSES, sample(), cache=cache)
    annotated, computed = cache.annotated, cache.sections_computed
    build_digest(DRAFT, CLAUSES, sample(), cache=cache)
    assert (cache.annotated, cache.sections_computed) == (annotated, computed)
    more = [*sample(), CommentInput(99, "二/（一）/2", "支持培育龙头企业。")]
    digest = build_digest(DRAFT, CLAUSES, more, cache=cache)
    assert cache.annotated == annotated + 1
    assert cache.sections_computed == computed + 1
    assert digest.section("二/（一）/2").tally.comments == 1  # type: ignore[union-attr]


def test_an_edited_comment_is_analysed_again() -> None:
    cache = DigestCache()
    build_digest(DRAFT, CLAUSES, sample(), cache=cache)
    annotated = cache.annotated
    edited = [c if c.id != 3 else CommentInput(3, None, "坚决反对！") for c in sample()]
    build_digest(DRAFT, CLAUSES, edited, cache=cache)
    assert cache.annotated == annotated + 1


def test_the_cache_survives_pickling_and_gives_the_same_digest() -> None:
    cache = DigestCache()
    first = build_digest(DRAFT, CLAUSES, sample(), cache=cache)
    restored = pickle.loads(pickle.dumps(cache))
    second = build_digest(DRAFT, CLAUSES, sample(), cache=restored)
    assert restored.sections_computed == cache.sections_computed
    assert first.to_dict() == second.to_dict()


def test_progress_is_reported_up_to_the_total() -> None:
    seen: list[tuple[int, int]] = []
    build_digest(DRAFT, CLAUSES, sample(), progress=lambda d, t: seen.append((d, t)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    assert all(d <= t for d, t in seen)


def test_a_flood_from_one_client_is_flagged_as_a_campaign() -> None:
    start = datetime(2017, 9, 1, 8, 0)
    flood = [
        CommentInput(
            i, "二/（一）/2", "反对", client="ab12", created_at=start + timedelta(seconds=i)
        )
        for i in range(1, 8)
    ]
    digest = build_digest(DRAFT, CLAUSES, flood)
    assert all("flood" in n.flags and n.campaign for n in digest.comments)


@pytest.mark.parametrize(
    "bodies",
    [
        pytest.param([""], id="empty body"),
        pytest.param(["好"], id="one comment of one character"),
        pytest.param(["好", "差", "？", "!"], id="single characters"),
        pytest.param(["😀😀😀", "👍", "🙏🙏"], id="emoji only"),
        pytest.param(
            [
                "這個條款對資訊安全的規定很好",
                "这个条款对信息安全的规定很好",
                "建議將「原則上」刪除",
            ],
            id="traditional and simplified",
        ),
        pytest.param(["建议保留人工售票窗口。" * 5_000, "很长" * 20_000], id="extremely long"),
        pytest.param(
            ["<script>alert(1)</script>", "| a | b |", "\x00\x07控制字符"],
            id="markup and control characters",
        ),
    ],
)
def test_bad_input_gives_a_sane_digest(bodies: list[str]) -> None:
    comments = [CommentInput(i + 1, "二/（一）/1", b) for i, b in enumerate(bodies)]
    digest = build_digest(DRAFT, CLAUSES, comments)
    assert digest.totals.comments == len(bodies)
    assert sorted(m for s in digest.sections for c in s.clusters for m in c.members) == [
        c.id for c in comments
    ]
    markdown = render_digest_markdown(digest)
    assert "<script>" not in markdown and "\x00" not in markdown
    assert "尚未对意见作出处理。" in render_feedback_markdown(build_feedback_report(digest, []))


def test_no_clauses_and_no_comments_give_an_empty_digest() -> None:
    digest = build_digest(DraftInfo("x", ""), [], [])
    assert digest.totals.comments == 0
    assert [s.key for s in digest.sections] == [GENERAL_KEY]


def test_comments_without_any_clause_list_go_to_the_unknown_bucket() -> None:
    digest = build_digest(DraftInfo("x", ""), [], [CommentInput(1, "1", "意见")])
    assert digest.section(UNKNOWN_KEY).tally.comments == 1  # type: ignore[union-attr]


def test_an_empty_clause_text_and_an_odd_submitter_type_are_fine() -> None:
    clauses = [ClauseInput("1", "article", "第一条", "", "", None, 0)]
    digest = build_digest(
        DraftInfo("x", ""), clauses, [CommentInput(1, "1", "建议将“甲”改为“乙”", "外星人")]
    )
    section = digest.section("1")
    assert section is not None and not section.suggestions[0].in_clause
    assert digest.totals.submitters["其他"] == 1


def test_a_repeated_comment_id_is_counted_once() -> None:
    digest = build_digest(
        DRAFT, CLAUSES, [CommentInput(1, None, "支持"), CommentInput(1, None, "支持")]
    )
    assert digest.totals.comments == 1


def test_ten_thousand_identical_comments_are_one_campaign_and_one_cluster() -> None:
    comments = [CommentInput(i, "二/（一）/1", LETTER) for i in range(1, 10_001)]
    digest = build_digest(DRAFT, CLAUSES, comments)
    clause = digest.section("二/（一）/1")
    assert clause is not None
    assert clause.tally.distinct == 1 and clause.tally.campaigns == 1
    assert [c.size for c in clause.clusters] == [10_000]


def test_copies_of_one_text_under_different_clauses_are_one_campaign_in_the_totals() -> None:
    letter = (
        "我们坚决要求在本意见中明确保障农村老年人线下办事的权利，不得以数字化为由取消线下窗口。"
    )
    comments = [
        CommentInput(1, "二/（一）/1", letter),
        CommentInput(2, "二/（一）/1", letter),  # a campaign of two in this section
        CommentInput(3, "二/（一）/2", letter),
        CommentInput(4, None, letter),
        CommentInput(5, "二/（一）/2", "建议明确研发投入的比例和考核办法，避免一刀切。"),
        CommentInput(6, None, letter, hidden=True),  # not counted anywhere
        CommentInput(7, "二/（一）/1", "支持。"),
        CommentInput(8, "二/（一）/2", "支持。"),  # too short to be a campaign
    ]
    digest = build_digest(DRAFT, CLAUSES, comments)
    t = digest.totals
    assert (t.comments, t.hidden) == (7, 1)
    assert (t.campaigns, t.in_campaigns, t.distinct) == (1, 4, 4)
    # A section still counts only its own copies.
    section = digest.section("二/（一）/1")
    assert section is not None
    assert (section.tally.campaigns, section.tally.distinct) == (1, 2)
    text = render_digest_markdown(digest)
    assert "去除批量复制后独立意见 **4** 条；识别批量提交 **1** 组（共 4 条）" in text
