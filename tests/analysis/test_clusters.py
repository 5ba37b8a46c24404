"""Clusters: comments making the same point grouped, labelled from their own words."""

from __future__ import annotations

import re

import pytest

from analysis.clusters import Unit, build_clusters, char_counts, group
from analysis.labels import lead, trim

TICKETS = [
    "推行电子客票可以，但汽车站一定要保留人工售票窗口，老年人不会用手机买票。",
    "老年人不会用手机买电子客票，请保留人工售票窗口。",
    "电子客票对老年人不友好，人工售票窗口必须保留。",
    "我父母不会网上买票，汽车站的人工售票窗口不能取消，电子客票要给老年人留条路。",
    "保留人工售票窗口，照顾不会用智能手机的老年人，电子客票不能一刀切。",
    "农村老年人买电子客票很困难，人工售票窗口要保留。",
]
BROADBAND = [
    "农村宽带网速太慢，看视频总是卡，希望加快光纤入户。",
    "我们村的宽带网速只有几兆，光纤什么时候能到农村？",
    "农村地区宽带资费高网速慢，建议加快农村光纤网络建设。",
    "宽带网速慢的问题在农村很普遍，希望运营商提速降费，光纤进村。",
    "山区农村的宽带信号差网速慢，光纤网络覆盖要加快。",
    "农村宽带装机难、网速慢，请推进光纤到户。",
]
PAIR = ["小区楼顶建基站辐射太大，坚决反对。", "反对在居民小区楼顶建基站，担心辐射。"]
AD = "加微信 abc12345 领取优惠券，日赚500，宽带网速光纤全包"


def units(texts: list[str], start: int) -> list[Unit]:
    return [Unit(t, start + i, (start + i,)) for i, t in enumerate(texts)]


def test_two_different_points_end_up_in_two_clusters() -> None:
    grouping = group(TICKETS + BROADBAND)
    assert len(set(grouping.labels[:6])) == 1
    assert len(set(grouping.labels[6:])) == 1
    assert grouping.labels[0] != grouping.labels[6] and grouping.labels[0] >= 0


def test_a_two_comment_point_stays_its_own_point() -> None:
    clusters = build_clusters("5", units(TICKETS + BROADBAND + PAIR, 1), {})
    holder = next(c for c in clusters if 13 in c.members)
    assert not holder.remainder
    assert holder.members == (13, 14)


def test_flagged_spam_is_never_inside_a_point() -> None:
    clusters = build_clusters("5", units([*BROADBAND, AD], 1), {}, excluded={7})
    holder = next(c for c in clusters if 7 in c.members)
    assert holder.remainder
    assert all(7 not in c.members for c in clusters if not c.remainder)


def test_short_agree_and_disagree_are_not_one_point() -> None:
    texts = ["同意", "同意！", "不同意", "不同意！！"]
    stance = {1: "support", 2: "support", 3: "oppose", 4: "oppose"}
    clusters = build_clusters("5", units(texts, 1), stance)
    for c in clusters:
        if not c.remainder:
            sides = {stance[m] for m in c.members}
            assert len(sides) == 1


def test_every_comment_is_in_exactly_one_cluster_or_the_remainder() -> None:
    texts = TICKETS + BROADBAND + ["今天天气不错。", "😀"]
    clusters = build_clusters("5", units(texts, 1), {})
    members = [m for c in clusters for m in c.members]
    assert sorted(members) == list(range(1, len(texts) + 1))
    assert sum(c.remainder for c in clusters) <= 1


def test_a_campaign_counts_once_but_shows_its_size() -> None:
    campaign = Unit(TICKETS[0], 50, tuple(range(50, 150)), "5:k50")
    clusters = build_clusters("5", [campaign, *units(TICKETS[1:], 1), *units(BROADBAND, 10)], {})
    holder = next(c for c in clusters if 50 in c.members)
    assert "5:k50" in holder.campaigns
    assert holder.size == holder.distinct - 1 + 100


def test_cluster_ids_come_from_the_smallest_member_id() -> None:
    clusters = build_clusters("二/（一）/1", units(TICKETS + BROADBAND, 101), {})
    for c in clusters:
        if not c.remainder:
            assert c.id == f"二/（一）/1:c{min(c.members)}"


_BOUNDARY = re.compile(r"[\s，。；！？,.;!?、：:（）()“”\"]")


def test_labels_are_clauses_of_members_not_glued_keywords() -> None:
    clusters = build_clusters("5", units(TICKETS + BROADBAND + PAIR, 1), {})
    texts = TICKETS + BROADBAND + PAIR
    for c in clusters:
        if c.remainder:
            continue
        assert " · " not in c.label
        holders = [texts[m - 1] for m in c.members if c.label in texts[m - 1]]
        assert holders, c.label
        text = holders[0]
        start = text.index(c.label)
        end = start + len(c.label)
        assert start == 0 or _BOUNDARY.match(text[start - 1])
        assert end == len(text) or _BOUNDARY.match(text[end]) or len(c.label) >= 4


@pytest.mark.parametrize(
    ("texts", "label"),
    [
        # 的 and 了 carry meaning at the end of a clause: 是对的 is not 是对.
        (
            ["加强网络管理是对的，但要保证言论自由。", "加强网络管理是对的，支持。"],
            "加强网络管理是对的",
        ),
        # A clause opening with a connective loses it ...
        (
            ["支持智慧医疗，但要保证病历数据安全。", "但要保证病历数据安全，不能泄露。"],
            "要保证病历数据安全",
        ),
        # ... only when it is a word of its own: 但凡 stays whole.
        (
            ["但凡涉及个人信息的都要加密。", "但凡涉及个人信息都要加密。"],
            "但凡涉及个人信息都要加密",
        ),
    ],
)
def test_a_label_keeps_its_meaning_and_drops_a_leading_connective(texts, label) -> None:
    from analysis.labels import label_of

    assert label_of(texts) == label


def test_the_quote_is_masked() -> None:
    texts = ["宽带网速太慢，我的电话13812341234", "宽带网速太慢了，光纤入户要加快"]
    clusters = build_clusters("5", units(texts * 2, 1), {})
    assert all("13812341234" not in c.quote and "13812341234" not in c.label for c in clusters)


def test_trim_cuts_at_a_word_boundary() -> None:
    phrase = "反对在居民小区楼顶建设移动通信基站并要求公开辐射检测数据"
    cut = trim(phrase, 12)
    assert phrase.startswith(cut) and 6 <= len(cut) <= 12
    assert not cut.endswith("居") and not cut.endswith("基")


def test_the_stance_split_of_a_cluster_counts_its_members() -> None:
    stance = {i: ("oppose" if i % 2 else "suggest") for i in range(1, 13)}
    clusters = build_clusters("5", units(TICKETS + BROADBAND, 1), stance)
    for c in clusters:
        assert sum(c.stance.values()) == c.size
        assert c.stance["oppose"] == sum(1 for m in c.members if m % 2)


def test_too_few_or_empty_texts_go_to_the_remainder() -> None:
    assert group([]).labels == ()
    assert group(["一条意见"]).labels == (-1,)
    assert group(["！！", "…", "。"]).labels == (-1, -1, -1)
    (remainder,) = build_clusters("5", units(["！", "好"], 1), {})
    assert remainder.remainder and remainder.members == (1, 2)


def test_identical_texts_are_one_point() -> None:
    grouping = group(["同意这个条款。"] * 50)
    assert len(set(grouping.labels)) == 1 and grouping.labels[0] >= 0


def test_char_counts_count_unigrams_and_bigrams_within_each_text() -> None:
    matrix, _ = char_counts(["甲乙甲乙", "丙"])
    assert matrix[0].sum() == 4 + 3
    assert matrix[1].sum() == 1


def test_a_lead_phrase_drops_the_salutation() -> None:
    assert lead("尊敬的领导：我们反对强制推行，理由如下") == "我们反对强制推行"
