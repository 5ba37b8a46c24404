"""Targets seen often in training get weights of their own; every other target is read as before."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from analysis import known_targets, stance_model, train_stance
from analysis.grams import LinearModel
from analysis.known_targets import MIN_KNOWN, KnownTargets, target_key
from analysis.stance_model import StanceModels
from analysis.training_data import Example, nlpcc
from tests.analysis.stance_fixtures import identity_stackers, synthetic


def _probe(*keys: str) -> KnownTargets:
    return KnownTargets(keys, LinearModel(("favor", "against", "none"), np.zeros((1, 3)),
                                          np.zeros(3)), np.ones(1))  # fmt: skip


def test_a_target_is_known_when_its_content_holds_a_known_key() -> None:
    known = _probe("深圳禁摩限电", "iphonese", "禁摩限电")
    assert target_key("iPhone SE！") == "iphonese"
    assert known.match("iPhone SE") == "iphonese"
    # A clause that states the topic, with punctuation and other words around it.
    assert known.match("关于“深圳禁摩限电”的通告：") == "深圳禁摩限电"  # the longest key wins
    assert known.match("禁摩限电。") == "禁摩限电"
    assert known.match("深圳市禁止摩托车上路") == ""
    assert known.match("") == ""


def test_the_shipped_model_knows_the_nlpcc_topics_and_nothing_else() -> None:
    models = stance_model.load()
    assert models is not None and models.known is not None
    topics = {target_key(e.target) for e in nlpcc()}
    assert set(models.known.keys) == topics
    assert models.known.model.classes == models.stance.classes
    # A clause of a draft is not a known target: its level one is the general model's, exactly.
    texts = ["强烈反对深圳禁摩限电，出行太难了", "支持这一条，早该规范", "支持开放二胎"]
    targets = ["深圳禁摩限电", "居民小区应当设置电动自行车集中充电设施。", "开放二胎"]
    x = stance_model.features(texts, targets)
    general = models.stance.scores(x)
    blended = models.level_one(x)
    assert np.array_equal(blended[1], general[1])
    for i in (0, 2):
        assert not np.allclose(blended[i], general[i])
        known = models.known.model.scores(models.known.features([x.texts[i]], [x.targets[i]]))
        assert np.allclose(blended[i], known_targets.blend(general[i : i + 1], known)[0])


def test_training_gives_a_target_its_own_weights_only_with_enough_labels(tmp_path: Path) -> None:
    posts, comments, reviews = synthetic()
    # One topic labelled often enough, where the stance is in words only this topic uses.
    often = "禁止燃放烟花"
    words = [
        ("烟花扰民，早该管", "favor"),
        ("过年就该放烟花", "against"),
        ("烟花是什么颜色", "none"),
    ]
    posts += [
        Example(f"k{i}", f"{text}{'！' * (i % 5)}{i}", often, label, group=often)
        for i, (text, label) in enumerate(words * (MIN_KNOWN // 3 + 1))
    ]
    parts = train_stance.fit_stance(posts, comments, reviews)
    assert parts.known is not None
    assert parts.known.keys == (target_key(often),)
    _, tone_stack = identity_stackers()
    models = StanceModels(
        parts.stance,
        parts.stance,
        parts.stance_stack,
        tone_stack,
        parts.genre,
        parts.post_stack,
        parts.known,
    )
    x = stance_model.features(["过年就该放烟花，热闹", "过年就该放烟花，热闹"], [often, "开放数据"])
    one = models.level_one(x)
    assert models.stance.classes[int(one[0].argmax())] == "against"
    assert np.array_equal(one[1], models.stance.scores(x)[1])
    # Saved and loaded with the rest.
    stance_model.save(models, tmp_path / "m.npz")
    loaded = stance_model.load(tmp_path / "m.npz")
    assert loaded is not None and loaded.known is not None
    assert loaded.known.keys == models.known.keys  # type: ignore[union-attr]
    assert np.allclose(loaded.level_one(x), one, atol=5e-2)
    stance_model.save(replace(models, known=None), tmp_path / "plain.npz")
    reloaded = stance_model.load(tmp_path / "plain.npz")
    assert reloaded is not None and reloaded.known is None
    # One label short under every target: no target of its own.
    few = [e for e in posts if e.group != often] + [e for e in posts if e.group == often][
        : MIN_KNOWN - 1
    ]
    labels = [e.stance for e in few]
    assert train_stance._known(few, labels, [1.0] * len(few)) is None
