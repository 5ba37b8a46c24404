"""Learning from corrections: the model adapted to a draft's corrected stances."""

from __future__ import annotations

from analysis import (
    ClauseInput,
    CommentCorrection,
    CommentInput,
    Corrections,
    DraftInfo,
    build_digest,
)
from analysis.learning import learn_stances

DRAFT = DraftInfo("x", "某某办法")
CLAUSE = "加快5G基站建设，实现城区全覆盖。"
CLAUSES = [ClauseInput("1", "article", "第一条", "", CLAUSE, order=1)]
PLACES = ["学校", "医院", "幼儿园", "养老院", "菜市场", "公园", "图书馆", "体育馆", "小区", "车站"]
PLACES += ["商场", "广场", "社区", "村委会", "派出所", "银行", "超市", "酒店", "工厂", "码头"]
WORDING = ["旁边又要建一座5G基站了", "附近规划了新的5G基站", "门口要立一根5G基站铁塔"]
WORDING += ["楼顶准备装5G基站", "边上的5G基站马上开建"]
# Plain reports of a new mast: the model reads 又要/铁塔 as objection, the office as no stance.
REPORTS = [f"{p}{WORDING[i % 5]}，每天经过都能看到" for i, p in enumerate(PLACES)]
OTHERS = [
    "强烈反对在学校旁边建基站，辐射影响孩子健康。",
    "支持加快5G建设，网速快了很多。",
    "建议把全覆盖的时间写清楚，比如2020年底前。",
    "基站建设的费用由谁承担？",
]
ITEMS = [CommentInput(i + 1, "1", t) for i, t in enumerate([*REPORTS, *OTHERS])]
REPORT_IDS = range(1, len(REPORTS) + 1)
FIXES = Corrections(
    comments=(CommentCorrection(1, stance="other"), CommentCorrection(2, stance="other"))
)


def notes(digest):
    return {n.id: n for n in digest.comments}


def test_a_topic_the_model_misreads_is_learned_from_a_tenth_of_the_comments_corrected():
    plain = notes(build_digest(DRAFT, CLAUSES, ITEMS))
    assert all(plain[i].stance == "oppose" for i in REPORT_IDS)
    learned = notes(build_digest(DRAFT, CLAUSES, ITEMS, corrections=FIXES))
    rest = [i for i in REPORT_IDS if i > 2]
    assert sum(learned[i].stance == "other" for i in rest) >= 0.8 * len(rest)
    # Proposed by the analysis, not confirmed by a person.
    assert {learned[i].stance_source for i in rest if learned[i].stance == "other"} == {"neighbour"}
    assert not any(learned[i].reviewed for i in rest)
    # Comments on other matters keep the model's reading.
    for i in range(len(REPORTS) + 1, len(ITEMS) + 1):
        assert learned[i].stance == plain[i].stance and learned[i].stance_source == "model"


def test_the_same_corrections_give_the_same_digest():
    first = build_digest(DRAFT, CLAUSES, ITEMS, corrections=FIXES)
    second = build_digest(DRAFT, CLAUSES, list(reversed(ITEMS)), corrections=FIXES)
    assert [n.to_dict() for n in first.comments] == [n.to_dict() for n in second.comments]


def test_learning_never_overrides_a_persons_stance():
    # Two near-identical comments corrected to different stances: each keeps its own.
    fixes = Corrections(
        comments=(
            CommentCorrection(1, stance="other"),
            CommentCorrection(6, stance="support"),
            CommentCorrection(2, stance="other"),
        )
    )
    n = notes(build_digest(DRAFT, CLAUSES, ITEMS, corrections=fixes))
    assert (n[1].stance, n[6].stance, n[2].stance) == ("other", "support", "other")
    assert {n[i].stance_source for i in (1, 2, 6)} == {"person"}
    comments = {c.id: (c.body, CLAUSE) for c in ITEMS}
    person = {1: "other", 6: "support"}
    proposed = learn_stances(comments, person, dict.fromkeys(comments, "oppose"))
    assert not set(proposed) & set(person)


def test_without_stance_corrections_nothing_is_learned():
    comments = {c.id: (c.body, CLAUSE) for c in ITEMS}
    assert learn_stances(comments, {}, dict.fromkeys(comments, "oppose")) == {}
    flags_only = Corrections(comments=(CommentCorrection(1, flags=()),))
    plain = notes(build_digest(DRAFT, CLAUSES, ITEMS))
    n = notes(build_digest(DRAFT, CLAUSES, ITEMS, corrections=flags_only))
    assert all(n[i].stance == plain[i].stance for i in n)
    assert all(n[i].stance_source == "model" for i in n)


def test_the_others_read_by_chunks_or_in_worker_processes_are_read_the_same(monkeypatch):
    from analysis import learning
    from analysis.workers import Workers

    comments = {c.id: (c.body, CLAUSE) for c in ITEMS}
    person = {1: "other", 2: "other"}
    stance = dict.fromkeys(comments, "oppose")
    whole = learn_stances(comments, person, stance)
    assert len(whole) >= 10  # the reports the model misread
    monkeypatch.setattr(learning, "CHUNK", 3)
    assert learn_stances(comments, person, stance) == whole
    with Workers(2, min_work=0) as workers:
        assert learn_stances(comments, person, stance, pool=workers.pool(0)) == whole
