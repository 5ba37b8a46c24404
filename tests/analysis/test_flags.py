"""Moderation flags and masking of personal data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.flags import FLAGS, flags, mask_pii

DEV = Path(__file__).parents[1] / "data" / "dev_comments.jsonl"


@pytest.mark.parametrize(
    "text",
    [
        "专业代办营业执照，加微信 zhangkj8888 详询",
        "低价代开发票，联系QQ 123456789",
        "日赚300元，点击链接 http://t.cn/abc123 立即领取",
        "好好好好好好好好好好好好",
        "宽带办理找我，加v：kd_sc_2017，新装送路由器！",
    ],
)
def test_advertising_links_promos_and_repeated_characters_are_spam(text: str) -> None:
    assert "spam" in flags(text)


def test_a_policy_comment_mentioning_a_fee_is_not_spam() -> None:
    assert "spam" not in flags("建议降低农村宽带资费，推出更便宜的套餐，不要限时优惠。")


def test_insults_are_abuse() -> None:
    assert "abuse" in flags("写这个文件的都是脑残吧")
    assert "abuse" in flags("一群狗官，就知道糊弄老百姓")


def test_ascii_insult_inside_a_word_is_not_abuse() -> None:
    assert "abuse" not in flags("建议统一使用 usb 和 sbom 标准管理软件供应链。")


@pytest.mark.parametrize(
    "text",
    [
        "我的电话13908161234，欢迎联系",
        "身份证号510104198507122345，请帮忙查询",
        "我的邮箱wangli_cd@163.com每天收到垃圾邮件",
        "我住在成都市武侯区人民南路四段12号",
        "联系电话0816-2345678",
    ],
)
def test_phones_id_numbers_emails_and_addresses_are_personal_data(text: str) -> None:
    assert "pii" in flags(text)


def test_a_comment_about_something_else_entirely_is_offtopic() -> None:
    assert flags("我家楼上每天晚上装修到十一点，打了好几次电话都没人管，到底找哪个部门？") == (
        "offtopic",
    )


def test_an_ordinary_comment_on_the_draft_raises_no_flag() -> None:
    assert flags("建议将“逐步推进”改为“2019年底前完成”，否则没有时间约束。") == ()
    assert flags("一号申请、一窗受理、一网通办，太好了！以后办事不用跑断腿了。") == ()


@pytest.mark.parametrize("text", ["", "好", "👍", "😐😐", None, 42, "。" * 10])
def test_bad_input_gives_a_tuple_of_known_flags(text: object) -> None:
    result = flags(text)  # type: ignore[arg-type]
    assert isinstance(result, tuple)
    assert set(result) <= set(FLAGS)


def test_a_50000_character_comment_is_flagged_without_error() -> None:
    text = "建议加快农村宽带建设，电话13812341234。" * 2000
    assert "pii" in flags(text)


def test_mobile_numbers_are_masked_keeping_prefix_and_last_four() -> None:
    assert mask_pii("电话13812341234") == "电话138****1234"
    assert mask_pii("手机139-0816-5678") == "手机139****5678"


def test_id_numbers_are_masked_keeping_first_three_and_last_four() -> None:
    masked = mask_pii("身份证51010419850712234X")
    assert masked == "身份证510" + "*" * 11 + "234X"


def test_emails_keep_first_letter_and_domain() -> None:
    assert mask_pii("邮箱a.zhang@example.com") == "邮箱a***@example.com"


def test_house_numbers_after_the_street_are_masked() -> None:
    masked = mask_pii("我住在成都市武侯区人民南路四段12号3单元")
    assert "12号" not in masked and "人民南路" in masked


def test_text_without_personal_data_is_returned_unchanged() -> None:
    text = "建议第13条增加购房补贴，到2020年完成88%的光纤覆盖。"
    assert mask_pii(text) == text


def test_mask_pii_handles_empty_and_non_string_input() -> None:
    assert mask_pii("") == ""
    assert mask_pii(None) == ""  # type: ignore[arg-type]


def test_every_flagged_item_of_the_development_set_is_found() -> None:
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    for item in items:
        found = set(flags(item["body"]))
        for flag in ("spam", "abuse", "pii"):
            assert (flag in item["flags"]) == (flag in found), item["body"]


def test_masked_development_comments_carry_no_personal_data() -> None:
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    for item in items:
        if "pii" in item["flags"]:
            assert "pii" not in flags(mask_pii(item["body"])), item["body"]


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("电话１３８１２３４５６７８", "12345678"),
        ("电话138\u200b1234\u200b5678", "12345678"),
        ("身份证１１０１０１１９９００３０７１２３４", "19900307"),
        ("邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhang@"),
        ("138\n1234\n5678", "1234"),
    ],
)
def test_personal_data_typed_full_width_or_split_by_invisible_characters_is_masked(text, hidden):
    assert "pii" in flags(text)
    assert hidden not in mask_pii(text).replace("\n", "")
