"""build_feedback_report: one function counts every figure of the feedback report."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analysis import (
    ClauseInput,
    CommentInput,
    Decision,
    DraftInfo,
    FeedbackReport,
    build_digest,
    build_feedback_report,
    counted_decisions,
    open_points,
    suggestion_title,
)

DRAFT = DraftInfo(
    "tingche", "社区停车管理办法", "某市住建局", date(2026, 1, 1), date(2026, 3, 31), 3
)
CLAUSES = [
    ClauseInput("第一条", "article", "第一条", "【适用范围】", "本办法适用于住宅小区。", None, 0),
    ClauseInput("第二条", "article", "第二条", "", "收费标准由业主大会决定。", None, 1),
    ClauseInput("第三条", "article", "第三条", "", "车位优先满足业主需要。", None, 2),
]
LETTER = "停车收费太高了，我们坚决反对由业主大会自行定价，应当由物价部门统一核定收费标准。"


def comments() -> list[CommentInput]:
    out = [CommentInput(10 + i, "第二条", LETTER) for i in range(4)]  # one campaign of 4
    out += [
        CommentInput(1, "第一条", "建议将“住宅小区”改为“住宅小区和老旧小区”。"),
        CommentInput(2, "第一条", "老旧小区停车更难，本办法应当覆盖老旧小区。"),
        CommentInput(3, "第三条", "车位应当优先给残疾人使用。"),
        CommentInput(4, None, "总体支持出台本办法。"),
        CommentInput(5, "第三条", "隐藏的意见。", hidden=True),
    ]
    return out


@pytest.fixture
def digest():
    return build_digest(DRAFT, CLAUSES, comments())


def the(digest, key: str, kind: str):
    section = digest.section(key)
    return (section.suggestions if kind == "suggestion" else section.clusters)[0]


def test_every_published_comment_is_counted_once_decided_or_still_under_study(digest) -> None:
    fee = the(digest, "第二条", "cluster")
    report = build_feedback_report(
        digest,
        [
            Decision("cluster", fee.id, "不予采纳", "收费标准由业主共同决定符合《民法典》。"),
            Decision("comment", "1", "采纳", "已增加老旧小区。", "第一条"),
        ],
    )
    assert report.comments == 8 and report.distinct == digest.totals.distinct == 5
    decided = sum(c for _, c in report.by_outcome.values())
    assert decided + report.pending_comments == report.comments  # nothing silently left out
    assert report.by_outcome == {"采纳": (1, 1), "不予采纳": (1, fee.size)}
    assert [(c.title, c.pending_comments) for c in report.pending] == [
        ("总体意见", 1),
        ("第一条【适用范围】", 1),
        ("第三条", 1),
    ]
    assert report.totals_sentence() == (
        "共收到意见8条，去除重复后5条；采纳1条、部分采纳0条、不予采纳4条、另行研究0条；"
        f"另有3条意见（{report.pending_points}个意见要点）尚在研究，处理结果将另行公布。"
    )
    [fee_clause] = [c for c in report.clauses if c.key == "第二条"]
    [item] = fee_clause.items
    assert (item.comments, item.copies, item.outcome) == (4, 4, "不予采纳")
    assert report.refusals == ("收费标准由业主共同决定符合《民法典》。",)


def test_a_comment_with_its_own_decision_counts_under_it_and_not_its_cluster(digest) -> None:
    cluster = the(digest, "第二条", "cluster")
    decisions = [
        Decision("cluster", cluster.id, "不予采纳", "不予采纳。"),
        Decision("comment", str(cluster.members[0]), "采纳", "这一条另行采纳。"),
    ]
    counted = counted_decisions(digest, decisions)
    assert [len(c.members) for c in counted] == [cluster.size - 1, 1]
    report = build_feedback_report(digest, decisions)
    assert report.by_outcome == {"采纳": (1, 1), "不予采纳": (1, cluster.size - 1)}


def test_points_without_a_decision_are_listed_for_the_drafters_and_counted_for_the_public(
    digest,
) -> None:
    points = open_points(digest, [])
    assert {p.section for p in points} == {"总体意见", "第一条", "第二条", "第三条"}
    assert sum(p.comments for p in points if p.kind == "cluster") == 8  # every comment is in one
    report = build_feedback_report(digest, [])
    assert report.empty and report.pending_comments == 8
    assert report.pending_points == len(points)
    everything = [Decision(p.kind, p.id, "另行研究", "待配套文件研究。") for p in points]
    done = build_feedback_report(digest, everything)
    assert open_points(digest, everything) == [] and done.pending == ()
    assert "尚在研究" not in done.totals_sentence()
    assert done.outcome_comments("另行研究") == 8


def test_a_decided_point_with_comments_its_decision_does_not_cover_is_listed_as_decided(
    digest,
) -> None:
    cluster = next(c for c in digest.section("第二条").clusters if c.size == 4)
    covered = cluster.members[:3]  # the fourth arrived (or was merged in) after the decision
    decision = Decision("cluster", cluster.id, "采纳", "已改为物价部门核定。", members=covered)
    mine = [p for p in open_points(digest, [decision]) if p.id == cluster.id]
    assert [(p.decided, p.comments) for p in mine] == [(True, 1)]
    report = build_feedback_report(digest, [decision])
    # The point counts once, among the decided; its uncovered comment waits.
    assert report.by_outcome == {"采纳": (1, 3)}
    assert report.pending_points == len([p for p in open_points(digest, []) if p.id != cluster.id])
    assert report.pending_comments == 8 - 3


def test_comments_waiting_only_inside_decided_points_are_counted_without_a_point_count(
    digest,
) -> None:
    cluster = next(c for c in digest.section("第二条").clusters if c.size == 4)
    others = [p for p in open_points(digest, []) if p.id != cluster.id]
    decisions = [Decision(p.kind, p.id, "采纳", "已采纳。") for p in others]
    decisions.append(
        Decision("cluster", cluster.id, "采纳", "已采纳。", members=cluster.members[:3])
    )
    report = build_feedback_report(digest, decisions)
    assert report.pending_comments == 1 and report.pending_points == 0
    sentence = report.totals_sentence()
    assert "另有1条意见尚在研究" in sentence and "0个意见要点" not in sentence


def test_hidden_comments_and_decisions_whose_comments_are_all_hidden_are_not_counted(
    digest,
) -> None:
    report = build_feedback_report(
        digest,
        [
            Decision("comment", "5", "采纳", "已采纳。", "第三条"),  # a hidden comment
            Decision("cluster", "第三条:c1", "采纳", "已采纳。", "第三条", "标签", members=()),
        ],
    )
    assert report.empty and report.comments == 8


@pytest.mark.parametrize(
    ("operation", "target", "proposed", "title"),
    [
        ("replace", "住宅小区", "住宅小区和老旧小区", "建议将“住宅小区”改为“住宅小区和老旧小区”"),
        ("delete", "原则上", "", "建议删除“原则上”"),
        ("insert", "", "先整合、后新建", "建议增加“先整合、后新建”"),
        ("insert", "住宅小区", "（含老旧小区）", "建议在“住宅小区”后增加“（含老旧小区）”"),
    ],
)
def test_a_suggestion_is_titled_as_a_reader_says_it(operation, target, proposed, title) -> None:
    assert suggestion_title(operation, target, proposed) == title


def test_items_are_titled_as_readable_text_and_clauses_by_their_citation(digest) -> None:
    suggestion = the(digest, "第一条", "suggestion")
    report = build_feedback_report(
        digest,
        [
            Decision(
                "suggestion", suggestion.id, "部分采纳", "表述调整为“住宅小区（含老旧小区）”。"
            ),
            # an older stored label, kept when the digest no longer has the suggestion
            Decision("suggestion", "第三条:s9", "另行研究", "研究。", "第三条", "删除“优先”"),
        ],
    )
    titles = {c.title: [i.label for i in c.items] for c in report.clauses}
    assert titles == {
        "第一条【适用范围】": ["建议将“住宅小区”改为“住宅小区和老旧小区”"],
        "第三条": ["建议删除“优先”"],
    }


def test_labels_and_reasons_are_masked_and_flat(digest) -> None:
    report = build_feedback_report(
        digest,
        [Decision("comment", "3", "采纳", "已采纳，\n联系 13812345678。", "第三条", "")],
    )
    [item] = report.clauses[0].items
    assert "13812345678" not in item.reason and "\n" not in item.reason
    assert item.label == "意见 #3"


def test_with_only_a_deadline_the_opening_says_until_when_not_that_it_ended() -> None:
    from dataclasses import replace

    report = FeedbackReport.from_dict(
        build_feedback_report(
            build_digest(replace(DRAFT, opens=None), CLAUSES, comments()), []
        ).to_dict()
    )
    assert report.opening() == (
        "某市住建局就《社区停车管理办法（征求意见稿）》公开征求社会各界意见，"
        "征求意见截至2026年3月31日。"
    )


def test_the_report_survives_its_json_form_unchanged(digest) -> None:
    fee = the(digest, "第二条", "cluster")
    report = build_feedback_report(digest, [Decision("cluster", fee.id, "采纳", "已采纳。")])
    again = FeedbackReport.from_dict(json.loads(json.dumps(report.to_dict(), ensure_ascii=False)))
    assert again == report
    assert again.title == "《社区停车管理办法（征求意见稿）》意见采纳情况说明"
    assert again.opening() == (
        "2026年1月1日至3月31日，某市住建局就《社区停车管理办法（征求意见稿）》公开征求社会各界意见。"
    )
