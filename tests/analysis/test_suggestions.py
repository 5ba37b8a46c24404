"""Suggestions: concrete wording changes, checked against the clause and merged."""

from __future__ import annotations

from analysis.suggestions import extract, find_suggestions

CLAUSE = "原则上各级政府应当鼓励数据资源共享开放，推动电子客票应用。"


def test_replace_with_quotes_is_extracted() -> None:
    assert extract("建议将“鼓励”改为“支持”。") == [("replace", "鼓励", "支持")]


def test_replace_without_quotes_is_extracted() -> None:
    assert extract("把电子客票修改为电子客票和纸质客票，谢谢") == [
        ("replace", "电子客票", "电子客票和纸质客票")
    ]


def test_delete_is_extracted_with_or_without_a_locator() -> None:
    assert extract("建议将第十条中的“原则上”删除，表述太模糊。") == [("delete", "原则上", "")]
    assert extract("建议删除“原则上”") == [("delete", "原则上", "")]


def test_anchored_and_free_inserts_are_extracted() -> None:
    assert extract("在“推动电子客票应用”后增加“保留人工售票窗口”") == [
        ("insert", "推动电子客票应用", "保留人工售票窗口")
    ]
    assert extract("建议增加个人信息保护的规定。") == [("insert", "", "个人信息保护的规定")]


def test_plain_opinions_give_no_suggestion() -> None:
    assert extract("我觉得这个条款写得很好，支持！") == []
    assert extract("") == []
    assert extract("😀") == []


def test_several_comments_asking_the_same_change_are_merged() -> None:
    found = find_suggestions(
        [(9, "建议将“原则上”删除。"), (3, "建议删除“原则上”"), (5, "建议将原则上三个字去掉")],
        CLAUSE,
        "3",
    )
    assert len(found) == 1
    assert found[0].comments == (3, 5, 9)
    assert found[0].id == "3:s3"
    assert found[0].in_clause


def test_a_target_missing_from_the_clause_is_kept_and_marked() -> None:
    (found,) = find_suggestions([(1, "建议将“强制”改为“自愿”")], CLAUSE, "3")
    assert not found.in_clause


def test_a_locator_before_the_target_is_dropped_when_the_rest_is_in_the_clause() -> None:
    (found,) = find_suggestions([(1, "把第三条里的鼓励修改为支持。")], CLAUSE, "3")
    assert (found.target, found.proposed, found.in_clause) == ("鼓励", "支持", True)


def test_suggestions_are_ordered_by_how_many_asked() -> None:
    found = find_suggestions(
        [(1, "建议将“鼓励”改为“支持”"), (2, "建议删除“原则上”"), (3, "建议删除“原则上”")],
        CLAUSE,
        "3",
    )
    assert [s.operation for s in found] == ["delete", "replace"]


def test_a_suggestion_typed_in_traditional_script_is_extracted():
    assert extract("建議將「收費標準」改為「免費」。") == [("replace", "收费标准", "免费")]


def test_bare_replace_without_jiang_or_ba_is_extracted() -> None:
    assert extract("收费标准改为免费。") == [("replace", "收费标准", "免费")]
    assert extract("把收费改成免费") == [("replace", "收费", "免费")]


def test_delete_and_replace_pointing_back_to_a_quoted_phrase() -> None:
    assert extract("第35条提到“海洋”的保护，建议删除，或者改成“河流、冰川”。") == [
        ("delete", "海洋", ""),
        ("replace", "海洋", "河流、冰川"),
    ]


def test_free_additions_and_clarifications_are_extracted() -> None:
    assert extract("建议增加任务分解表。") == [("insert", "", "任务分解表")]
    assert extract("建议补充农村地区的具体目标。") == [("insert", "", "农村地区的具体目标")]
    assert extract("建议明确责任主体。") == [("insert", "", "明确责任主体")]


def test_an_anchored_insert_without_quotes_is_extracted() -> None:
    assert extract("建议在第五条后增加老年人线下办理渠道。") == [
        ("insert", "第五条", "老年人线下办理渠道")
    ]


def test_several_suggestions_in_one_comment_are_all_extracted() -> None:
    assert extract("建议将“鼓励”改为“支持”，建议删除“原则上”，建议增加个人信息保护的规定。") == [
        ("replace", "鼓励", "支持"),
        ("delete", "原则上", ""),
        ("insert", "", "个人信息保护的规定"),
    ]


def test_a_replace_found_in_the_clause_shows_before_and_after() -> None:
    (found,) = find_suggestions([(1, "建议将“鼓励”改为“支持”")], CLAUSE, "3")
    assert found.in_clause
    assert "鼓励" in found.before and "支持" in found.after and "鼓励" not in found.after


def test_a_new_provision_in_quotes_is_one_insert_whatever_its_own_words_say() -> None:
    assert extract("建议增加一款：“对逾期未整改的，删除其备案信息。”") == [
        ("insert", "", "对逾期未整改的，删除其备案信息。")
    ]
    assert extract("建议在第三条后增加一条：“数据共享应当经过安全评估。”") == [
        ("insert", "", "数据共享应当经过安全评估。")
    ]
    assert extract("建议增加以下内容：“学校周边不得设置网吧。”") == [
        ("insert", "", "学校周边不得设置网吧。")
    ]


def test_a_delete_may_name_where_the_words_are() -> None:
    assert extract("建议删除第二款中的“原则上”，增加“必须”。") == [
        ("delete", "原则上", ""),
        ("insert", "", "必须"),
    ]
