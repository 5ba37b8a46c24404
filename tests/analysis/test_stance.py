"""Stance and polarity of policy comments, on hand-picked cases and the development set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from analysis import fitting, polarity, stance, stance_model, train_stance
from analysis.stance import POLARITIES, STANCES, StanceResult, classify, classify_many
from analysis.stance_model import StanceModels
from analysis.train_stance import Example, fit_level_one
from tests.analysis.stance_fixtures import identity_stackers, synthetic

DEV = Path(__file__).parents[1] / "data" / "dev_comments.jsonl"


def dev_items() -> list[dict]:
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]


def assert_sane(result: StanceResult) -> None:
    assert result.stance in STANCES
    assert result.polarity in POLARITIES
    assert 0.0 <= result.score <= 1.0
    assert all(isinstance(c, str) for c in result.cues)


def test_strong_opposition_about_burden_is_oppose_and_negative() -> None:
    result = classify("强烈反对，这样会大大增加小企业的负担。")
    assert (result.stance, result.polarity) == ("oppose", "neg")
    assert "反对" in result.cues


def test_praise_for_lower_fees_is_positive_support() -> None:
    result = classify("资费降低30%的规定太好了")
    assert (result.stance, result.polarity) == ("support", "pos")
    assert result.score > 0.5


def test_sarcastic_praise_is_read_as_opposition() -> None:
    result = classify("真是太好了，又多一个收费的理由")
    assert (result.stance, result.polarity) == ("oppose", "neg")


def test_negated_opposition_is_not_opposition() -> None:
    assert classify("不反对").stance == "support"


def test_negated_support_is_not_support() -> None:
    assert classify("并非支持，我只是觉得写得太空了。").stance == "oppose"


@pytest.mark.parametrize(
    "text",
    [
        "建议将第5条中的“原则上”删除。",
        "建议将“逐步推进”改为“2019年底前完成”。",
        "应当增加个人信息保护的专门规定。",
        "支持一网通办，但请保留线下窗口，照顾老年人。",
        "希望对在川工作满三年的IT人才给予租房补贴。",
    ],
)
def test_proposals_to_change_the_text_are_suggestions(text: str) -> None:
    assert classify(text).stance == "suggest"


def test_deleting_the_whole_clause_is_opposition_not_a_wording_change() -> None:
    assert classify("建议删除本条，没有必要。").stance == "oppose"


def test_plain_questions_are_neutral_questions() -> None:
    result = classify("请问开放的数据是否收费？企业商用需要授权吗？")
    assert (result.stance, result.polarity) == ("question", "neu")


def test_a_stance_word_inside_a_question_takes_no_side() -> None:
    assert classify("部门之间共享我的个人信息，需要经过我本人同意吗？").stance == "question"


def test_rhetorical_questions_are_opposition() -> None:
    result = classify("社保卡换了一次又一次，凭什么让群众来回折腾？")
    assert (result.stance, result.polarity) == ("oppose", "neg")


def test_traditional_characters_are_classified_like_simplified() -> None:
    assert classify("我堅決反對").stance == classify("我坚决反对").stance == "oppose"


def test_common_typos_of_stance_words_are_understood() -> None:
    assert classify("建意把各项指标汇总成一张表").stance == "suggest"
    assert classify("反队，这种文件就是给某些公司送项目").stance == "oppose"


@pytest.mark.parametrize("text", ["", " ", "好", "。", "1", "😐", "👍👍", "😡😡😡", "\u200b"])
def test_empty_single_character_and_emoji_only_comments_give_a_sane_result(text: str) -> None:
    assert_sane(classify(text))


def test_emoji_only_comments_follow_the_emoji() -> None:
    assert classify("👍👍👍").stance == "support"
    assert classify("😡😡😡").polarity == "neg"
    assert classify("").stance == "other"


def test_non_string_input_gives_other_and_neutral() -> None:
    assert classify(None) == StanceResult("other", "neu", 0.5, ())  # type: ignore[arg-type]
    assert classify_many([None, 5, "支持"])[0].stance == "other"  # type: ignore[list-item]


def test_a_50000_character_comment_is_classified() -> None:
    text = "强烈反对这个规定，会增加负担。" * 3400
    assert len(text) >= 50000
    result = classify(text)
    assert_sane(result)
    assert result.stance == "oppose"


def test_ten_thousand_identical_comments_get_the_same_answer() -> None:
    results = classify_many(["坚决反对全面落实网络身份管理制度。"] * 10000)
    assert len(results) == 10000
    assert set(results) == {results[0]}
    assert results[0].stance == "oppose"


def test_bulk_classification_agrees_with_one_at_a_time() -> None:
    texts = [item["body"] for item in dev_items()[:60]] + ["", "👍"]
    assert classify_many(texts) == [classify(t) for t in texts]


def test_polarity_model_ranks_a_happy_review_above_an_angry_one() -> None:
    good, bad = polarity.logits(["很好吃，送餐也快，满意", "太难吃了，再也不点了，差评"])
    assert good is not None and bad is not None
    assert good > 0 > bad


def test_polarity_model_logits_match_a_direct_computation() -> None:
    import gzip
    import math

    with gzip.open(polarity.MODEL_PATH, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    idf = dict(zip(data["vocab"], data["idf"], strict=True))
    coef = dict(zip(data["vocab"], data["coef"], strict=True))
    text = "强烈反对，这样会大大增加小企业的负担。"
    counts = Counter(g for g in polarity.grams(text) if g in idf)
    tf = {g: 1 + math.log(c) for g, c in counts.items()}
    norm = math.sqrt(sum((tf[g] * idf[g]) ** 2 for g in tf))
    expected = data["bias"] + sum(tf[g] * idf[g] * coef[g] for g in tf) / norm
    assert polarity.logits([text])[0] == pytest.approx(expected, abs=1e-9)


def test_without_a_model_file_the_rules_still_decide(tmp_path: Path) -> None:
    assert polarity.load(tmp_path / "missing.json.gz") is None
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip")
    assert polarity.load(broken) is None


def test_development_set_is_large_labelled_and_covers_every_class() -> None:
    items = dev_items()
    assert len(items) >= 300
    assert len({item["id"] for item in items}) == len(items)
    assert {item["stance"] for item in items} == set(STANCES)
    assert {item["polarity"] for item in items} == set(POLARITIES)
    campaigns = Counter(item["campaign"] for item in items if item["campaign"])
    assert len(campaigns) >= 5
    assert all(5 <= n <= 15 for n in campaigns.values())
    for item in items:
        assert set(item) == {
            "id",
            "clause",
            "body",
            "stance",
            "polarity",
            "flags",
            "campaign",
            "topic",
        }


# --- The learned, target-aware model ------------------------------------------------------------

FIRECRACKERS = "春节期间允许燃放鞭炮。"
CRACKDOWN = "公安机关依法严厉打击电信网络诈骗和伪基站等违法犯罪活动。"
CARS = "中心城区全天禁止摩托车和电动自行车通行。"


def test_the_model_file_loads_and_is_small() -> None:
    assert stance_model.MODEL_PATH.is_file()
    assert stance_model.MODEL_PATH.stat().st_size < 8_000_000
    models = stance_model.load()
    assert models is not None
    assert models.stance.classes == ("favor", "against", "none")
    assert models.stance_stack.classes == STANCES
    assert models.tone_stack.classes == ("pos", "neg", "neu")
    assert models.genre.classes == ("post",)


def test_without_the_model_file_the_rules_answer(tmp_path: Path) -> None:
    assert stance_model.load(tmp_path / "missing.npz") is None
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip")
    assert stance_model.load(broken) is None
    assert classify_many(["强烈反对这个规定。"], rules_only=True)[0].stance == "oppose"


def test_a_rhetorical_question_that_rejects_the_provision_is_opposition() -> None:
    result = classify("小汽车违章也很多，为什么不把小汽车全禁了？", CARS)
    assert result.stance == "oppose"


def test_supporting_a_counter_proposal_is_opposition_to_the_clause() -> None:
    text = "倡议大家少放或者不放鞭炮，过一个安静环保的春节，希望大家支持我的倡议！"
    assert classify(text, FIRECRACKERS).stance == "oppose"


@pytest.mark.xfail(strict=True, reason="known miss: the model reads 严查 without a cue as against")
def test_support_without_a_cue_word_is_support() -> None:
    assert classify("早就该抓了！必须严查！", CRACKDOWN).stance == "support"


def test_the_clause_text_is_read_with_the_comment() -> None:
    masked, share = stance_model.mask_target("支持放鞭炮", FIRECRACKERS)
    assert stance_model.TARGET_MARK in masked and share > 0
    assert stance_model.mask_target("支持", "")[1] == 0.0


@pytest.mark.parametrize("text", ["这件事一定要搞好", "一次难忘的经历", "把窗口服务办好"])
def test_single_characters_inside_words_are_not_polarity_cues(text: str) -> None:
    cues = dict(zip(stance.CUE_NAMES, stance.read_rules(text).cues, strict=True))
    assert cues["pos"] == 0.0 and cues["neg"] == 0.0


def test_a_single_character_on_its_own_still_counts() -> None:
    cues = dict(zip(stance.CUE_NAMES, stance.read_rules("这个规定好").cues, strict=True))
    assert cues["pos"] > 0


def test_targets_must_match_the_texts() -> None:
    with pytest.raises(ValueError):
        classify_many(["支持"], ["a", "b"])


def test_training_is_reproducible(tmp_path: Path) -> None:
    posts, comments, _ = synthetic()
    first = fit_level_one(posts, comments)
    second = fit_level_one(posts, comments)
    assert np.array_equal(first.weight, second.weight)
    assert np.array_equal(first.bias, second.bias)
    stack, tone_stack = identity_stackers()
    models = StanceModels(first, first, stack, tone_stack, _no_genre(first), stack)
    stance_model.save(models, tmp_path / "m.npz")
    loaded = stance_model.load(tmp_path / "m.npz")
    assert loaded is not None
    assert np.allclose(loaded.stance.weight, first.weight, atol=1e-2)


def test_social_media_posts_have_their_own_stacker(tmp_path: Path) -> None:
    posts, comments, reviews = synthetic()
    weibo = [
        Example(f"s{i}", text, "", tone="neu", group="smp2020")
        for i, text in enumerate(
            ["转发微博 哈哈哈[笑]", "//@小王: 太真实了#热门话题#", "围观[doge]"] * 4
        )
    ]
    others = [
        Example(f"m{i}", text, "", group="citizen")
        for i, text in enumerate(
            ["请有关部门尽快处理小区噪音问题。", "反映道路积水，望及时修缮。"] * 6
        )
    ]
    models = train_stance.fit(posts, comments, [*reviews, *weibo], others)
    again = train_stance.fit(posts, comments, [*reviews, *weibo], others)
    assert np.array_equal(models.genre.weight, again.genre.weight)
    assert models.genre.classes == ("post",)
    # The posts' stacker learns the three classes posts have; the comments' all five.
    assert set(models.post_stack.classes) == set(STANCES)
    texts = ["//@小王: 哈哈哈[笑]", "请尽快处理噪音问题。"]
    x = stance_model.features(texts, ["", ""])
    post, letter = models.post_likeness(x)
    assert post > 0.5 > letter
    # Mixed by the square of the post-likeness: a comment that reads as written to the
    # drafters keeps the comments' stacker's answer, a post mostly takes the posts'.
    comment_scores = np.log(np.asarray([[0.7, 0.1, 0.1, 0.05, 0.05]] * 3))
    post_scores = np.log(np.asarray([[0.05, 0.8, 0.05, 0.05, 0.05]] * 3))
    mixed = np.exp(stance.mix_stances(comment_scores, post_scores, np.asarray([0.0, 0.5, 1.0])))
    assert np.allclose(mixed[0], np.exp(comment_scores[0]))
    assert np.allclose(mixed[1], 0.75 * np.exp(comment_scores[0]) + 0.25 * np.exp(post_scores[0]))
    assert np.allclose(mixed[2], np.exp(post_scores[0]))
    stance_model.save(models, tmp_path / "m.npz")
    loaded = stance_model.load(tmp_path / "m.npz")
    assert loaded is not None
    assert np.allclose(loaded.post_likeness(x), models.post_likeness(x), atol=1e-2)


def test_out_of_fold_assignment_depends_only_on_the_seed() -> None:
    folds = [fitting.fold_of(f"d{i:03}", 7) for i in range(60)]
    assert folds == [fitting.fold_of(f"d{i:03}", 7) for i in range(60)]
    assert folds != [fitting.fold_of(f"d{i:03}", 8) for i in range(60)]
    assert set(folds) == set(range(fitting.FOLDS))


def _no_genre(like: stance_model.LinearModel) -> stance_model.LinearModel:
    return stance_model.LinearModel(("post",), np.zeros((like.weight.shape[0], 1)), np.zeros(1))
