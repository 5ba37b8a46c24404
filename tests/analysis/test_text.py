"""Text normalisation: width, invisible characters, traditional script, tokens, sentences."""

from __future__ import annotations

from analysis.text import has_traditional, normalize, sentences, to_simplified, tokens


def test_full_width_letters_digits_and_spaces_become_half_width() -> None:
    assert normalize("ＡＢＣ１２３　意见") == "ABC123 意见"


def test_zero_width_and_control_characters_are_removed() -> None:
    assert normalize("反\u200b对\u200d\ufeff本\x07条") == "反对本条"


def test_whitespace_is_collapsed_and_trimmed() -> None:
    assert normalize("  建议\n\n\t删除   本条  ") == "建议 删除 本条"


def test_traditional_text_is_converted_to_simplified() -> None:
    assert normalize("強烈反對這個規定") == "强烈反对这个规定"


def test_mixed_traditional_and_simplified_text_is_converted_once() -> None:
    assert normalize("支持全民健康信息平台建设，這對老百姓很有幫助") == (
        "支持全民健康信息平台建设,这对老百姓很有帮助"
    )


def test_simplified_characters_that_look_traditional_are_left_alone() -> None:
    # 覆 余 著 乾 are simplified characters; snownlp's table would turn them into 复 馀 着 干.
    text = "光纤覆盖率显著提高，其余部分乾坤未定"
    assert not has_traditional(text)
    assert to_simplified(text) == text


def test_empty_none_and_non_string_input_normalise_to_empty() -> None:
    assert normalize("") == ""
    assert normalize(None) == ""  # type: ignore[arg-type]
    assert normalize(123) == ""  # type: ignore[arg-type]


def test_lone_surrogates_are_dropped_instead_of_raising() -> None:
    assert normalize("支持\ud800本条") == "支持本条"


def test_a_50000_character_comment_is_normalised_whole() -> None:
    text = "建議增加農村寬帶覆蓋。" * 5000
    out = normalize(text)
    assert len(out) == len(text) >= 50000
    assert out.startswith("建议增加农村宽带覆盖。")


def test_tokens_drop_stopwords_and_punctuation_but_keep_content_words() -> None:
    words = tokens("我们建议取消这项收费！")
    assert "建议" in words and "取消" in words and "收费" in words
    assert "我们" not in words and "!" not in words


def test_tokens_of_empty_emoji_or_punctuation_only_text_are_empty() -> None:
    assert tokens("") == []
    assert tokens("👍👍") == []
    assert tokens("。。。？") == []


def test_tokens_read_traditional_text_as_simplified() -> None:
    assert "宽带" in tokens("農村寬帶資費太貴")


def test_sentences_split_at_chinese_and_western_end_marks() -> None:
    assert sentences("建议删除。为什么？好的!再见") == ["建议删除。", "为什么？", "好的!", "再见"]


def test_sentences_keep_closing_quotes_with_their_sentence() -> None:
    assert sentences("他说：“不同意。”然后走了。") == ["他说：“不同意。”", "然后走了。"]


def test_sentences_of_empty_or_punctuation_only_text() -> None:
    assert sentences("") == []
    assert sentences("。。。") == []
    assert sentences(None) == []  # type: ignore[arg-type]


def test_nfkc_agrees_with_unicodedata_on_mixed_text() -> None:
    import random
    import unicodedata

    from analysis.text import nfkc

    # Full-width forms, combining marks after them, compatibility characters (①, ㎡, ﬁ, ｶ),
    # Hangul jamo, CJK and ASCII: every piece NFKC treats specially, in random mixtures.
    pieces = list("建议（一）：删除第５条，ＡＢＣ１２３　") + [
        "\u0301", "\u0308", "①", "㎡", "ﬁ", "ｶ", "ﾞ", "\u1100", "\u1161", "e", "A", " ", "½", "™",
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
