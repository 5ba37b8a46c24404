"""Corrections in the digest: a person's values win, fixed points hold, near copies learn."""

from __future__ import annotations

from analysis import (
    ClauseInput,
    CommentCorrection,
    CommentInput,
    Corrections,
    DigestCache,
    DraftInfo,
    PointInput,
    build_digest,
)

DRAFT = DraftInfo("x", "某某办法")
CLAUSES = [
    ClauseInput("1", "article", "第一条", "", "居民小区应当为基站建设提供便利。", order=1),
    ClauseInput("2", "article", "第二条", "", "降低宽带资费，提升网速。", order=2),
]
BROADBAND = [
    "我们小区只有一家运营商，宽带太贵了，希望引入竞争。",
    "小区宽带被一家垄断，价格贵得离谱，应该允许其他运营商进场。",
    "小区只能装一家的宽带，又贵又慢，请打破垄断。",
]
RADIATION = [
    "反对在居民楼顶建基站，辐射影响健康。",
    "基站建在小区楼顶，辐射太大，坚决反对。",
]


def comments(*bodies: str, clause: str = "1", start: int = 1) -> list[CommentInput]:
    return [CommentInput(start + i, clause, b) for i, b in enumerate(bodies)]


def notes(digest):
    return {n.id: n for n in digest.comments}


def test_a_persons_stance_tone_and_flags_win_and_mark_the_note_reviewed():
    items = comments("支持。", "这条写得不清楚。")
    fix = CommentCorrection(2, stance="oppose", polarity="neg", flags=("offtopic",))
    digest = build_digest(DRAFT, CLAUSES, items, corrections=Corrections(comments=(fix,)))
    n = notes(digest)
    assert (n[2].stance, n[2].polarity, n[2].flags) == ("oppose", "neg", ("offtopic",))
    assert n[2].reviewed and n[2].stance_source == "person"
    assert not n[1].reviewed and n[1].stance_source == "model"
    assert n[2].to_dict()["reviewed"] is True
    section = digest.section("1")
    assert section is not None and section.tally.stance["oppose"] >= 1


def test_a_comment_refiled_under_another_clause_is_counted_there_but_keeps_its_own_clause():
    items = comments("宽带太贵了。", clause="1")
    fix = CommentCorrection(1, clause="2")
    digest = build_digest(DRAFT, CLAUSES, items, corrections=Corrections(comments=(fix,)))
    note = notes(digest)[1]
    assert note.clause == "1" and note.bucket == "2"
    assert digest.section("2").tally.comments == 1  # type: ignore[union-attr]
    assert digest.section("1").tally.comments == 0  # type: ignore[union-attr]
    whole = build_digest(
        DRAFT, CLAUSES, items, corrections=Corrections(comments=(CommentCorrection(1, clause=""),))
    )
    assert notes(whole)[1].bucket == "总体意见"


def test_a_fixed_point_keeps_its_label_and_members_and_a_new_match_is_proposed_into_it():
    items = comments(*BROADBAND[:2], *RADIATION)
    point = PointInput("p1", "1", "小区宽带垄断、资费偏高", (1, 2))
    fixed = Corrections(points=(point,))
    digest = build_digest(DRAFT, CLAUSES, items, corrections=fixed)
    cluster = next(c for c in digest.section("1").clusters if c.id == "p1")  # type: ignore[union-attr]
    assert cluster.label == "小区宽带垄断、资费偏高"
    assert cluster.members == (1, 2) and cluster.confirmed and cluster.proposed == ()
    assert notes(digest)[1].cluster == "p1"
    later = [*items, CommentInput(9, "1", BROADBAND[2])]
    digest = build_digest(DRAFT, CLAUSES, later, corrections=fixed)
    cluster = next(c for c in digest.section("1").clusters if c.id == "p1")  # type: ignore[union-attr]
    assert cluster.proposed == (9,) and 9 in cluster.members
    assert 3 not in cluster.members and 4 not in cluster.members  # radiation stays apart


NEIGHBOURS = [
    "小区宽带只有一家运营商，资费太贵了。",
    "宽带资费太贵，一个月两百多，希望降价。",
    "宽带网速太慢了，晚上看视频一直卡。",
    "晚上网速慢得不行，宽带根本用不了。",
    "家里宽带网速太慢，打游戏一直掉线。",
    "网速太慢，宽带晚上高峰期卡得要死。",
    "宽带又贵又慢，网速跟不上，资费还高。",
    "希望提升宽带网速，现在太慢了。",
    "农村的宽带网速慢，资费比城里还贵。",
    "宽带提速降费喊了多年，网速还是慢。",
    "停车位太少，晚上回家没地方停车。",
    "小区车位不足，每天找车位要转好几圈。",
]


def test_fixing_a_point_leaves_the_points_beside_it_as_they_were():
    """Two near points (网速慢 in two wordings): renaming one must not pull the other's members
    into it one by one (each alone is close enough to it; as a point, the other is not)."""
    items = comments(*NEIGHBOURS)
    plain = build_digest(DRAFT, CLAUSES, items).section("1")
    assert plain is not None
    points = {c.id: c.members for c in plain.clusters if not c.remainder}
    assert len(points) >= 3
    for key, members in points.items():
        fixed = Corrections(points=(PointInput(key, "1", "改过的名称", members),))
        section = build_digest(DRAFT, CLAUSES, items, corrections=fixed).section("1")
        assert section is not None
        after = {c.id: c.members for c in section.clusters if not c.remainder}
        mine = next(c for c in section.clusters if c.id == key)
        assert mine.label == "改过的名称" and set(members) <= set(mine.members)
        for other, its in points.items():
            if other != key:
                assert after.get(other) == its, (key, other)
        proposed = set(mine.proposed)
        assert not proposed & {m for o, its in points.items() if o != key for m in its}


def test_the_rest_of_a_point_a_comment_was_moved_out_of_stays_a_point():
    items = comments(*NEIGHBOURS)
    plain = build_digest(DRAFT, CLAUSES, items).section("1")
    assert plain is not None
    slow = next(c for c in plain.clusters if c.id == "1:c3")
    assert len(slow.members) >= 3
    moved, *rest = slow.members
    # The service stores the moved comment among the members of the point it went into.
    point = PointInput("1:c1", "1", "资费太贵", (1, 2, moved))
    fix = CommentCorrection(moved, point="1:c1")
    section = build_digest(
        DRAFT, CLAUSES, items, corrections=Corrections((fix,), (point,))
    ).section("1")
    assert section is not None
    fee = next(c for c in section.clusters if c.id == "1:c1")
    assert fee.members == (1, 2, moved) and fee.proposed == ()
    left = next(c for c in section.clusters if rest[0] in c.members)
    assert left.members == tuple(rest) and not left.remainder and not left.confirmed


def test_a_comment_moved_out_of_every_point_stays_out_and_one_moved_in_joins():
    items = comments(*BROADBAND, *RADIATION)
    # The service stores a moved-in comment among the point's members (4 here).
    point = PointInput("p1", "1", "宽带垄断", (1, 2, 3, 4))
    moves = (CommentCorrection(3, point=""), CommentCorrection(4, point="p1"))
    digest = build_digest(DRAFT, CLAUSES, items, corrections=Corrections(moves, (point,)))
    section = digest.section("1")
    assert section is not None
    p1 = next(c for c in section.clusters if c.id == "p1")
    assert set(p1.members) == {1, 2, 4}
    assert next(c for c in section.clusters if 3 in c.members).remainder


def test_clearing_a_spam_flag_lets_the_comment_join_a_point():
    items = comments(*BROADBAND[:2], "小区宽带太贵，加微信 abc123 低价办理宽带，限时优惠！")
    plain = build_digest(DRAFT, CLAUSES, items)
    fix = CommentCorrection(3, flags=())
    fixed = build_digest(DRAFT, CLAUSES, items, corrections=Corrections(comments=(fix,)))
    assert "spam" in notes(plain)[3].flags and notes(plain)[3].cluster == "1:其他"
    assert notes(fixed)[3].flags == () and notes(fixed)[3].cluster == "1:c1"


def test_a_corrected_stance_spreads_to_the_other_copies_of_a_campaign_as_a_proposal():
    letter = "大力支持第一条，建议尽快出台配套细则，明确基站建设的审批流程和时限。"
    items = [CommentInput(i, "1", letter, client=f"c{i}") for i in range(1, 8)]
    items.append(CommentInput(20, "1", "这里的条文我看不懂。"))
    plain = notes(build_digest(DRAFT, CLAUSES, items))
    assert plain[2].stance == "support"  # the model reads the 支持 cue
    fix = CommentCorrection(1, stance="suggest")
    digest = build_digest(DRAFT, CLAUSES, items, corrections=Corrections(comments=(fix,)))
    n = notes(digest)
    assert all(n[i].stance == "suggest" for i in range(1, 8))
    assert n[1].stance_source == "person"
    assert {n[i].stance_source for i in range(2, 8)} == {"neighbour"}
    assert not any(n[i].reviewed for i in range(2, 8))
    assert n[20].stance_source == "model" and n[20].stance == plain[20].stance
    split = next(c for c in digest.section("1").clusters if 1 in c.members).stance  # type: ignore[union-attr]
    assert split["suggest"] == 7


def test_a_new_correction_recomputes_its_section_only():
    items = comments("支持。", clause="1") + comments("宽带太贵。", clause="2", start=5)
    cache = DigestCache()
    build_digest(DRAFT, CLAUSES, items, cache=cache)
    before = cache.sections_computed
    fix = Corrections(points=(PointInput("p9", "2", "资费", (5,)),))
    digest = build_digest(DRAFT, CLAUSES, items, cache=cache, corrections=fix)
    assert cache.sections_computed == before + 1
    assert notes(digest)[5].cluster == "p9"


def test_a_copy_flagged_or_taken_out_never_rides_into_a_fixed_point_with_its_campaign():
    letter = "我们小区只有一家运营商，宽带太贵了，希望引入竞争。"
    items = comments(letter, letter, letter, letter, "停车位太少，晚上回家没地方停车。")
    point = PointInput("1:p9", "1", "宽带贵", (1, 5))  # holds the campaign's first copy
    for fix in (CommentCorrection(2, flags=("spam",)), CommentCorrection(2, point="")):
        digest = build_digest(DRAFT, CLAUSES, items, corrections=Corrections((fix,), (point,)))
        section = digest.section("1")
        assert section is not None
        fixed = next(c for c in section.clusters if c.id == "1:p9")
        assert 2 not in fixed.members and set(fixed.proposed) == {3, 4}
        assert 2 in next(c for c in section.clusters if c.remainder).members


def test_a_fixed_point_that_kept_an_id_never_shares_it_with_an_automatic_point():
    # The fixed point kept the id of the cluster it was ("1:c3"), and comment 3 is no longer in
    # it: the automatic point whose smallest member is 3 takes another id.
    items = comments(*NEIGHBOURS)
    point = PointInput("1:c3", "1", "资费太贵", (1, 2))
    digest = build_digest(DRAFT, CLAUSES, items, corrections=Corrections(points=(point,)))
    section = digest.section("1")
    assert section is not None
    ids = [c.id for c in section.clusters]
    assert len(ids) == len(set(ids))
    slow = next(c for c in section.clusters if 3 in c.members)
    assert slow.id != "1:c3" and not slow.confirmed
    assert notes(digest)[3].cluster == slow.id and notes(digest)[1].cluster == "1:c3"


def test_a_copy_a_person_flagged_leaves_its_campaigns_point():
    letter = "我们小区只有一家运营商，宽带太贵了，希望引入竞争。"
    items = comments(letter, letter, letter, letter)
    fix = CommentCorrection(2, flags=("spam",))
    section = build_digest(DRAFT, CLAUSES, items, corrections=Corrections((fix,))).section("1")
    assert section is not None
    point = next(c for c in section.clusters if 1 in c.members)
    assert point.members == (1, 3, 4) and not point.remainder
    assert 2 in next(c for c in section.clusters if c.remainder).members
    assert [c.members for c in section.campaigns] == [(1, 2, 3, 4)]  # still one campaign
    # A campaign flagged whole stays one unit in 其他, counted once.
    whole = Corrections(tuple(CommentCorrection(i, flags=("spam",)) for i in range(1, 5)))
    section = build_digest(DRAFT, CLAUSES, items, corrections=whole).section("1")
    assert section is not None
    [other] = section.clusters
    assert other.remainder and other.members == (1, 2, 3, 4) and other.distinct == 1
