"""Campaigns: copied form letters and floods are grouped; independent comments are not."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from analysis.duplicates import find_campaigns, fold
from analysis.models import CommentInput

DEV = Path(__file__).parents[1] / "data" / "dev_comments.jsonl"
LETTER = (
    "我们坚决反对在高速公路强制推行ETC，很多老年司机不会使用手机办理，"
    "强制办理侵犯了群众的选择权，建议坚持自愿原则，保留人工收费通道。"
)


def copies() -> list[CommentInput]:
    return [
        CommentInput(101, "5", f"尊敬的领导：{LETTER}"),
        CommentInput(104, "5", f"您好！{LETTER}——张伟"),
        CommentInput(107, "5", LETTER.replace("群众", "群从")),  # a typo
        CommentInput(
            110,
            "5",
            LETTER.replace(
                "很多老年司机不会使用手机办理，强制办理侵犯了群众的选择权",
                "强制办理侵犯了群众的选择权，很多老年司机不会使用手机办理",
            ),
        ),
        CommentInput(112, "5", f"{LETTER}我是货车司机，ETC经常重复扣费。"),
    ]


def independent() -> list[CommentInput]:
    return [
        CommentInput(201, "5", "ETC应当自愿办理，不能用关闭人工通道的办法逼大家去办。"),
        CommentInput(202, "5", "我父母年纪大了不会用智能手机，希望高速收费站一直保留人工窗口。"),
        CommentInput(203, "5", "ETC扣费出错以后申诉很难，希望建立便捷的退费渠道，明确处理时限。"),
    ]


def test_fold_makes_width_case_and_punctuation_irrelevant() -> None:
    assert fold("ＥＴＣ　应当，自愿！") == fold("etc应当自愿") == "etc应当自愿"


def test_a_form_letter_with_changed_greetings_names_typos_and_swaps_is_one_campaign() -> None:
    campaigns = find_campaigns(copies() + independent(), "5")
    assert len(campaigns) == 1
    assert campaigns[0].members == (101, 104, 107, 110, 112)
    assert campaigns[0].id == "5:k101"


def test_independent_comments_on_the_same_point_are_not_a_campaign() -> None:
    assert find_campaigns(independent(), "5") == ()


def test_the_sentence_a_copy_added_is_reported_with_its_comment() -> None:
    (campaign,) = find_campaigns(copies(), "5")
    assert [(a.comment, a.text) for a in campaign.additions] == [
        (112, "我是货车司机，ETC经常重复扣费。")
    ]


def test_the_representative_is_the_text_sent_most_often() -> None:
    comments = [
        *copies(),
        CommentInput(120, "5", f"尊敬的领导：{LETTER}"),
        CommentInput(121, "5", f"尊敬的领导：{LETTER}"),
    ]
    (campaign,) = find_campaigns(comments, "5")
    assert campaign.representative == 101
    assert campaign.text == f"尊敬的领导：{LETTER}"


def test_the_campaign_id_survives_a_new_copy_arriving() -> None:
    before = find_campaigns(copies(), "5")
    after = find_campaigns([*copies(), CommentInput(300, "5", f"领导好，{LETTER}")], "5")
    assert before[0].id == after[0].id
    assert after[0].size == before[0].size + 1


def test_short_identical_comments_are_not_a_campaign() -> None:
    comments = [CommentInput(i, "5", "同意。") for i in range(1, 30)]
    assert find_campaigns(comments, "5") == ()


def test_one_client_sending_the_same_text_quickly_is_a_flood_campaign() -> None:
    start = datetime(2026, 3, 1, 9, 0)
    comments = [
        CommentInput(
            i, "5", "反对！", client="c0ffee", created_at=start + timedelta(seconds=20 * i)
        )
        for i in range(1, 6)
    ]
    comments.append(CommentInput(9, "5", "反对！", client="other", created_at=start))
    (campaign,) = find_campaigns(comments, "5")
    assert campaign.flood
    assert campaign.members == (1, 2, 3, 4, 5)


def test_the_same_client_repeating_itself_over_days_is_not_a_flood() -> None:
    start = datetime(2026, 3, 1, 9, 0)
    comments = [
        CommentInput(i, "5", "反对！", client="c0ffee", created_at=start + timedelta(days=i))
        for i in range(1, 6)
    ]
    assert find_campaigns(comments, "5") == ()


def test_ten_thousand_identical_comments_are_one_campaign() -> None:
    comments = [CommentInput(i, "5", f"尊敬的领导：{LETTER}") for i in range(1, 10_001)]
    (campaign,) = find_campaigns(comments, "5")
    assert campaign.size == 10_000
    assert campaign.additions == ()


def test_empty_emoji_and_single_character_comments_give_no_campaign_and_no_error() -> None:
    comments = [
        CommentInput(1, "5", ""),
        CommentInput(2, "5", "😀😀😀"),
        CommentInput(3, "5", "好"),
        CommentInput(4, "5", "😀😀😀"),
    ]
    assert find_campaigns(comments, "5") == ()
    assert find_campaigns([], "5") == ()


def test_a_very_long_copy_still_joins_its_campaign() -> None:
    long_tail = "补充说明：" + "收费站排队时间过长，" * 2_000
    comments = [*copies(), CommentInput(130, "5", f"{LETTER}{long_tail}")]
    (campaign,) = find_campaigns(comments, "5")
    assert 130 in campaign.members


def test_a_copy_retyped_in_traditional_script_joins_its_campaign() -> None:
    traditional = CommentInput(
        140,
        "5",
        "我們堅決反對在高速公路強制推行ETC，很多老年司機不會使用手機辦理，強制辦理侵犯了群眾的選擇權，建議堅持自願原則，保留人工收費通道。",
    )
    (campaign,) = find_campaigns([*copies(), traditional], "5")
    assert 140 in campaign.members


def test_the_labelled_campaigns_of_the_development_set_are_found_and_nothing_else_merges() -> None:
    rows = [
        json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    by_clause: dict[str | None, list[CommentInput]] = defaultdict(list)
    for r in rows:
        by_clause[r["clause"]].append(CommentInput(r["id"], r["clause"], r["body"]))
    label = {r["id"]: r["campaign"] for r in rows}
    found: list[set[int]] = [
        set(c.members) for key, group in by_clause.items() for c in find_campaigns(group, str(key))
    ]
    for members in found:  # no campaign mixes labels or pulls in independent comments
        assert len({label[m] for m in members}) == 1 and None not in {label[m] for m in members}
    labelled = {i for i, name in label.items() if name}
    caught = set().union(*found) if found else set()
    assert len(caught & labelled) >= 0.9 * len(labelled)


def test_a_traditional_script_copy_reports_only_the_sentence_it_added():
    letter = "我坚决反对第五条的收费规定。这会大大增加小区居民的负担。请撤回这一条款。"
    retyped = "我堅決反對第五條的收費規定。這會大大增加小區居民的負擔。請撤回這一條款。另外我家老人行動不便。"
    comments = [CommentInput(i, "a", letter) for i in range(1, 7)] + [CommentInput(7, "a", retyped)]
    (campaign,) = find_campaigns(comments, "a")
    assert campaign.size == 7
    assert [(a.comment, a.text) for a in campaign.additions] == [(7, "另外我家老人行動不便。")]
