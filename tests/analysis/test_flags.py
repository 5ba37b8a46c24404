"""Moderation flags and masking of personal data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import hold_reason
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


@pytest.mark.parametrize("text", ["1" * 50000, "1." * 25000, "元" * 50000, "(1" * 25000])
def test_long_runs_of_digits_and_marks_are_handled(text: str) -> None:
    assert set(flags(text)) <= set(FLAGS)
    assert isinstance(mask_pii(text), str)


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


# Every form of personal data that was once missed: found, and masked so that the number or the
# house is gone while the text stays readable.
@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("办公室电话(028)87654321", "87654321", "028"),
        ("座机02887654321，找王老师", "87654321", "找王老师"),
        ("电话138.1234.5678", "1234", "138"),
        ("电话138–1234–5678", "1234", "138"),
        ("联系电话(138)1234-5678", "1234", "5678"),
        ("身份证 110101 19900307 1234", "19900307", "身份证"),
        ("老身份证号510106520317021", "520317", "510"),
        ("邮箱zhang@example。com", "zhang", "example"),
        ("邮箱张三@例子.中国", "张三@", "张"),
        ("家住柳池村3组18号", "18号", "柳池村"),
        ("住址：东湖小区5栋2单元302室", "302", "东湖小区"),
        ("成都市新都区斑竹园镇三河村5组23号", "23号", "斑竹园镇三河村"),
        ("温江区光华大道三段57号2栋", "57号", "光华大道"),
        ("金沙苑5栋2单元1202", "1202", "金沙苑"),
        ("电话 139 8012 4476", "8012", "139"),
        ("电话１３８１２３４５６７８", "1234", "138"),
        ("我用510106198811230310注册社保网", "19881123", "注册社保网"),
        ("证件号11010519830615773X", "19830615", "773X"),
    ],
)
def test_each_form_of_personal_data_is_found_and_masked(text: str, hidden: str, kept: str) -> None:
    assert "pii" in flags(text)
    masked = mask_pii(text)
    assert hidden not in masked
    assert kept in masked
    assert "pii" not in flags(masked)


def test_masks_keep_the_text_readable() -> None:
    assert mask_pii("电话138–1234–5678") == "电话138****5678"
    assert mask_pii("邮箱张三@例子.中国") == "邮箱张**@例子.中国"
    assert mask_pii("家住三河村5组23号，小区5栋2单元302室") == "家住三河村***，小区***"


@pytest.mark.parametrize(
    "text",
    [
        "建议将第十二条中的“三十日”改为“十五日”。",
        "规划2018年8月31日才公布，太晚了。",
        "每年安排3000万元专项资金，建议公开使用情况。",
        "固定宽带家庭普及率达到70%，这个目标偏低。",
        "建议与川府发〔2017〕12号文件衔接。",
        "到2020年实现全覆盖，2018年完成一半。",
        "建议按GB/T 22239-2019 等级保护要求执行。",
        "有问题打12345市长热线，或者12315投诉。",
        "运营商客服400-028-7766根本打不通。",
        "我的工单号20180315000123一直没有处理结果。",
        "预算编号123456789012345678是不是写错了？",
        "天府软件园C区8栋的孵化器很不错。",
        "社区综合楼3号楼一楼可以设自助服务终端。",
        "意见可以发到xxhgh@sc.gov.cn，规划里写了。",
        "全省信息化投入13800000000元。",
        "小区共有12栋1000多户，只有一家宽带。",
        "建议每个村民小组都通光纤。",
    ],
)
def test_numbers_that_are_not_personal_data_are_left_alone(text: str) -> None:
    assert "pii" not in flags(text)
    assert mask_pii(text) == text


def test_an_18_digit_number_with_a_wrong_check_digit_needs_an_id_cue() -> None:
    assert "pii" not in flags("项目编号510106198811230311已立项")
    assert "pii" in flags("身份证号510106198811230311")


@pytest.mark.parametrize(
    "text",
    [
        "建议限时办结，超期要问责。",
        "运营商推广的低价宽带都是限时的，优惠期一过就涨价，建议明确资费调整须提前告知。",
        "在线预约要先关注医院公众号、再绑卡、再实名，建议保留现场挂号。",
        "建议多用短视频、微信公众号这些年轻人常用的方式推广规划。",
        "我靠微信朋友圈卖猕猴桃，建议电商扶贫多搞点培训，教我们做推广。",
        "我们是一家软件企业，对规划第三部分提几点意见。" + "建议加大对中小企业上云的补贴力度，" * 8,
        "我的电话13812345678，欢迎调研组联系。",
        "兼职刷单被骗了三千块，钱要不回来。",
        "【电动车出行再次引关注】禁摩限电专项整治行动开始了 http://t.cn/Rabc123",
    ],
)
def test_genuine_comments_mentioning_promotion_words_are_not_spam(text: str) -> None:
    found = flags(text, {"spam", "abuse"})
    assert found == ()


@pytest.mark.parametrize(
    "text",
    [
        "王者荣耀游戏代练，专业上分，价格实惠，加微信 dl_wz888",
        "代开发票，真票可查，点数低，联系QQ 2938475610",
        "低价代开发票，全国可寄，详询 13990371258",
        "asdfghjkl;'",
        "jjjjjjjjjjjjjjjjjj",
        "啊啊啊啊啊啊啊啊啊啊",
    ],
)
def test_ads_and_gibberish_are_spam(text: str) -> None:
    assert "spam" in flags(text)


@pytest.mark.parametrize(
    "text", ["一群废物，写的什么玩意儿", "sb sb sb 滚", "垃圾垃圾垃圾，全是垃圾！！"]
)
def test_content_free_abuse_is_held(text: str) -> None:
    assert flags(text, {"spam", "abuse", "pii"})


def test_complaints_about_rubbish_and_family_words_are_not_abuse() -> None:
    assert "abuse" not in flags("小区垃圾站臭气熏天，建筑垃圾和生活垃圾堆了一个月没人清运。")
    assert "abuse" not in flags("我妈的身份证在网上预约挂号一直提示信息不匹配。")
    assert "abuse" not in flags("参照SB/T 10720-2012规范建设分拣中心。")


def test_hold_reason_in_plain_words() -> None:
    assert hold_reason(("pii",)) == "含联系方式等个人信息，待人工审核后公开"
    assert hold_reason(("spam",)) == "疑似广告，待人工审核后公开"
    assert hold_reason(("abuse",)) == "含不文明用语，待人工审核后公开"
    assert hold_reason(("spam", "pii")) == "疑似广告、含联系方式等个人信息，待人工审核后公开"
    assert hold_reason(()) == ""
    assert hold_reason(("offtopic",)) == ""


def test_an_address_cut_short_by_a_sentence_split_still_loses_its_local_part():
    from analysis import mask_pii

    assert mask_pii("联系人(zhang@example") == "联系人(z***@example"
    assert mask_pii("写信到 office@scjx.gov.cn") == "写信到 office@scjx.gov.cn"
    assert mask_pii("@张三 你说得对") == "@张三 你说得对"


def test_masking_keeps_the_bracket_around_a_number():
    from analysis import mask_pii

    assert mask_pii("报修电话和联系人（13812345678）") == "报修电话和联系人（138****5678）"


def test_masking_changes_only_what_it_masks():
    from analysis import mask_pii

    # A Chinese dash, full-width letters and the ideographic space are text, not data.
    assert mask_pii("全覆盖！——一位村民") == "全覆盖！——一位村民"
    assert mask_pii("ＡＢＣ\u3000建议——改为（二）") == "ＡＢＣ\u3000建议——改为（二）"
    # Around a masked number, the rest of the text stays as written.
    masked = mask_pii("电话１３８–１２３４–５６７８，全覆盖！——一位村民")
    assert masked == "电话138****5678，全覆盖！——一位村民"


@pytest.mark.parametrize(
    "text",
    [
        "出售二手房，学区房，急售，有意者电话联系 028-61234567",
        "招聘保安保洁，包吃住，月薪5000，电话15882345678",
        "本公司承接各类装修工程，质量保证，价格实惠，欢迎来电 400-820-1234",
    ],
)
def test_a_classified_ad_with_a_contact_is_spam(text: str) -> None:
    assert "spam" in flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "我的房子出租给别人，被中介骗了押金，电话13812345678，请帮忙",
        "小区有人在楼道贴出租广告，电话 13912345678，能不能管管",
        "出售二手房，学区房，急售，有意者请联系王先生",  # no contact: a drafter may still hide it
    ],
)
def test_one_trade_word_beside_a_phone_or_an_ad_without_a_contact_is_not_held_as_spam(
    text: str,
) -> None:
    assert "spam" not in flags(text)
