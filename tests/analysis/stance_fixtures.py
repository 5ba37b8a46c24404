"""Small training sets and placeholder stackers shared by the stance tests."""

from __future__ import annotations

import numpy as np

from analysis import stance_model
from analysis.stance import STANCES
from analysis.training_data import Example


def synthetic() -> tuple[list[Example], list[Example], list[Example]]:
    posts = []
    for i, (text, label) in enumerate(
        [
            ("坚决支持{t}，早就该这样", "favor"),
            ("反对{t}，太折腾人了", "against"),
            ("今天天气不错，出去走走", "none"),
            ("{t}是好事，赞成", "favor"),
            ("{t}根本行不通", "against"),
            ("周末去看了电影", "none"),
        ]
        * 3
    ):
        target = ("禁止燃放烟花", "延长公示期限", "开放数据")[i % 3]
        posts.append(Example(f"p{i}", text.format(t=target), target, label, group=target))
    comments = [
        Example("c1", "建议把期限改为三十日。", "公示期限为七日。", "suggest", "neu", "dev"),
        Example("c2", "请问公示在哪里看？", "公示期限为七日。", "question", "neu", "dev"),
        Example("c3", "支持，七日太短了也没关系", "公示期限为七日。", "support", "pos", "dev"),
        Example("c4", "七日公示就是走过场", "公示期限为七日。", "oppose", "neg", "dev"),
        Example("c5", "今天天气不错", "公示期限为七日。", "other", "neu", "dev"),
    ] * 2
    comments = [
        Example(f"{e.id}{i}", e.text + "。" * i, e.target, e.stance, e.tone, "dev")
        for i, e in enumerate(comments)
    ]
    reviews = [
        Example(f"r{i}", text, "", tone=tone, group="review")
        for i, (text, tone) in enumerate(
            [("很好吃，满意", "pos"), ("太难吃了，差评", "neg"), ("一般般，还行", "neu")] * 4
        )
    ]
    return posts, comments, reviews


def identity_stackers() -> tuple[stance_model.Stacker, stance_model.Stacker]:
    s = stance_model.Stacker(STANCES, np.zeros((35, 5)), np.zeros(5))
    t = stance_model.Stacker(("pos", "neg", "neu"), np.zeros((11, 3)), np.zeros(3))
    return s, t
