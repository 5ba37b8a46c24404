"""Train the target-aware stance and tone models: ``python -m analysis.train_stance``.

Reads, from ``../shared/data/`` next to the repository (nothing is downloaded):

- ``stance/nlpcc2016_weibo_stance_train.tsv``: NLPCC 2016 Task 4 training posts, FAVOR / AGAINST /
  NONE toward one of five targets;
- ``comments_dev/plan002_comments.jsonl``: labelled comments on seed plan 002, whose clause texts
  come from ``../shared/seeds/002_3c784148d53b7ccd.txt``. Only the *dev* part is used: about a
  third of the ids (``is_frozen``, a hash of the id) is frozen as a test part and never trained on;
- ``sentiment/waimai_10k.csv`` and ``sentiment/smp2020_ewect_virus_train.csv``, two thirds of each
  (``is_frozen`` on the text again keeps a third apart for scoring);
- ``citizen_messages/a3_hot_full4326.csv``, two thirds: text written to an authority, unlabelled.

Level one: two multinomial logistic regressions over ``stance_model.features`` — stance toward
the target (favor / against / none, from NLPCC and the dev comments) and tone (pos / neg / neu,
from the sentiment corpora and the dev comments) — and the genre model (social-media posts,
NLPCC and smp2020, against the comments and the citizens' messages); beside the level one, the
known targets' own model (``analysis.known_targets``: every target with ``MIN_KNOWN`` labelled
texts, which is the five NLPCC topics, or a clause an office labelled that often). Level two:
small stackers that read the general level one's scores (out of fold; at run time, under a
known target, the blend) with the rule cues: five stances for comments, another for posts
(mixed by the genre, ``analysis.stance.stance_scores``), three tones.
Fixed seed, one command, about two minutes on one core. Writes ``analysis/data/stance_model.npz``
(``--output`` elsewhere). ``--labels FILE...`` adds an office's confirmed labels, exported with
``comments export SLUG --labels``, to the in-domain comments, so an office can retrain on its
own decisions, offline.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from analysis.fitting import (
    FOLDS,
    Rows,
    fit_logistic,
    fit_stacker,
    fold_of,
    out_of_fold,
    shipped_scores,
    to_csr,
    used_columns,
)
from analysis.grams import LinearModel, clean
from analysis.known_targets import (
    MIN_KEY,
    MIN_KNOWN,
    KnownTargets,
    known_features,
    match_key,
    target_key,
)
from analysis.models import STANCES
from analysis.stance import RuleReading, mix_stances, read_rules, stance_inputs, tone_inputs
from analysis.stance_model import BITS, MODEL_PATH, Stacker, StanceModels, features, save
from analysis.training_data import (
    DATA,
    TONES,
    Example,
    dev_comments,
    is_frozen,
    nlpcc,
    office_labels,
    plan_targets,
    sentiment,
    training_sets,
)

__all__ = [
    "DATA",
    "Example",
    "dev_comments",
    "fit",
    "fit_level_one",
    "fit_stance",
    "is_frozen",
    "main",
    "nlpcc",
    "office_labels",
    "plan_targets",
    "sentiment",
]

SEED = 2016
LEVEL_ONE = ("favor", "against", "none")
LEVEL_ONE_OF = {"support": "favor", "oppose": "against", "other": "none"}
STANCE_OF = {"favor": "support", "against": "oppose", "none": "other"}


def _matrix(examples: Sequence[Example], readings: Sequence[RuleReading]) -> object:
    return to_csr(
        features(
            [e.text for e in examples], [e.target for e in examples], [r.cues for r in readings]
        )
    )


# Weights: the in-domain comments are few; NLPCC posts teach the stackers less than they do.
DEV_WEIGHT = 3.0
NLPCC_STACK_WEIGHT = 0.02
C_STANCE = 2.0
C_TONE = 2.0
C_STACK = 4.0
C_GENRE = 1.0
C_KNOWN = 10.0  # the known targets' own model: chosen by cross-validation on the NLPCC posts
# Shares of the genre model's training weight: posts (NLPCC, smp2020), the comments written to
# the drafters, other text written to an authority (citizens' messages).
GENRE_SHARES = (0.5, 0.35, 0.15)


def _genre(
    posts: Sequence[Example],
    written: Sequence[Example],
    others: Sequence[Example],
    matrix: Rows,
) -> LinearModel:
    """One column, ``post``: the log-odds that a text is a social-media post rather than text
    written to an authority, over the hashed n-grams only."""
    from sklearn.linear_model import LogisticRegression

    pairs = [(g, sh) for g, sh in zip((posts, written, others), GENRE_SHARES, strict=True) if g]
    rows = [e for g, _ in pairs for e in g]
    n, total = len(rows), sum(sh for _, sh in pairs)
    weights = np.concatenate([np.full(len(g), sh / total / len(g) * n) for g, sh in pairs])
    x = matrix.of(rows)
    width = x.shape[1]
    clf = LogisticRegression(C=C_GENRE, max_iter=500, tol=1e-3)
    labels = [1] * len(posts) + [0] * (n - len(posts))
    used, x_used = used_columns(x[:, : 1 << BITS])
    clf.fit(x_used, labels, sample_weight=weights)
    weight = np.zeros((width, 1))
    weight[used, 0] = clf.coef_[0]
    return LinearModel(("post",), weight, np.asarray([float(clf.intercept_[0])]))


def _likeness(model: LinearModel, x: object) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-shipped_scores(model, x)[:, 0]))


class StanceParts(NamedTuple):
    """What ``fit_stance`` learns, and what the tone stacker needs of it."""

    stance: LinearModel
    genre: LinearModel
    stance_stack: Stacker
    post_stack: Stacker
    likeness: dict[str, float]  # comment id -> post-likeness from a genre model without its fold
    readings: dict[str, RuleReading]
    known: KnownTargets | None


def _known(
    train: Sequence[Example], labels: Sequence[str], weights: Sequence[float]
) -> KnownTargets | None:
    """The known targets' own model (``analysis.known_targets``): every target with at least
    ``MIN_KNOWN`` labelled texts, or ``None``."""
    counts = Counter(target_key(e.target) for e in train)
    keys = tuple(sorted(k for k, n in counts.items() if n >= MIN_KNOWN and len(k) >= MIN_KEY))
    picked = [(i, match_key(keys, e.target)) for i, e in enumerate(train)]
    rows = [i for i, k in picked if k]
    keyed = [k for _, k in picked if k]
    y = [labels[i] for i in rows]
    if len(set(y)) < 2:
        return None
    texts = [clean(train[i].text) for i in rows]
    df = np.bincount(known_features(texts, keyed).cols, minlength=1 << BITS)
    idf = (np.log((1 + len(rows)) / (1 + df)) + 1).astype(np.float16).astype(np.float64)
    x = to_csr(known_features(texts, keyed, idf))
    model = fit_logistic(x, y, [weights[i] for i in rows], LEVEL_ONE, C_KNOWN)
    return KnownTargets(keys, model, idf.astype(np.float32))


def fit_stance(
    posts: Sequence[Example],
    comments: Sequence[Example],
    reviews: Sequence[Example],
    others: Sequence[Example] = (),
    *,
    seed: int = SEED,
) -> StanceParts:
    """The stance parts: level one (favor/against/none), the genre model and the two five-way
    stackers. ``reviews``' smp2020 Weibo posts and ``others`` (text written to an authority)
    teach the genre model only."""
    pool = [*posts, *comments]
    weibo = [e for e in reviews if e.group == "smp2020"]
    readings = {e.id: read_rules(e.text) for e in [*pool, *reviews, *others]}
    s_train = [e for e in posts if e.stance in LEVEL_ONE]
    s_train += [e for e in comments if e.stance in LEVEL_ONE_OF]
    s_labels = [e.stance if e.group != "dev" else LEVEL_ONE_OF[e.stance] for e in s_train]
    s_weights = [DEV_WEIGHT if e.group == "dev" else 1.0 for e in s_train]
    x_s = _matrix(s_train, [readings[e.id] for e in s_train])
    x_pool = _matrix(pool, [readings[e.id] for e in pool])
    stance, s_oof = out_of_fold(
        s_train, s_labels, s_weights, pool, LEVEL_ONE, C_STANCE, seed, x_s, x_pool
    )
    # The stackers learn from the general level one only: they must serve a new draft's
    # targets, which no known model covers (trained on the blend, they lean on it and lose
    # 0.013 F_avg on unseen NLPCC targets); under a known target they read the blend.
    known = _known(s_train, s_labels, s_weights)

    # The genre model, and each comment's post-likeness from one that did not see its fold.
    extra = [*weibo, *others]
    x_extra = _matrix(extra, [readings[e.id] for e in extra])
    matrix = Rows([*pool, *extra], x_pool, x_extra)
    genre = _genre([*posts, *weibo], comments, others, matrix)
    likeness: dict[str, float] = {}
    for k in range(FOLDS):
        held = [e for e in comments if fold_of(e.id, seed) == k]
        rest = [e for e in comments if fold_of(e.id, seed) != k]
        if held:
            model = _genre([*posts, *weibo], rest, others, matrix) if rest or others else genre
            found = _likeness(model, matrix.of(held))
            likeness.update(zip([e.id for e in held], found, strict=True))

    # Level two: the five classes from the comments, the posts mapped and down-weighted; and
    # the posts' own stacker (favor/against/none as support/oppose/other).
    stack_y = [STANCE_OF[e.stance] if e.group != "dev" else e.stance for e in pool]
    stack_w = [1.0 if e.group == "dev" else NLPCC_STACK_WEIGHT for e in pool]
    stack_x = stance_inputs(s_oof, [readings[e.id] for e in pool])
    stance_stack = fit_stacker(stack_x, stack_y, stack_w, STANCES, C_STACK)
    mine = np.flatnonzero([e.group != "dev" for e in pool])
    post_stack = (
        fit_stacker(stack_x[mine], [stack_y[i] for i in mine], [1.0] * len(mine), STANCES, C_STACK)
        if len({stack_y[i] for i in mine}) > 1
        else stance_stack
    )
    return StanceParts(stance, genre, stance_stack, post_stack, likeness, readings, known)


def fit(
    posts: Sequence[Example],
    comments: Sequence[Example],
    reviews: Sequence[Example],
    others: Sequence[Example] = (),
    *,
    seed: int = SEED,
    log: bool = False,
) -> StanceModels:
    """Train all six parts. ``posts``: level-one stance examples (favor/against/none);
    ``comments``: five-way stance and tone examples (in-domain, also used at level one);
    ``reviews``: tone examples; ``others``: text written to an authority, for the genre model.
    Deterministic for a given ``seed``."""
    started = time.perf_counter()

    def say(msg: str) -> None:
        if log:
            print(f"[{time.perf_counter() - started:6.1f}s] {msg}", file=sys.stderr)

    parts = fit_stance(posts, comments, reviews, others, seed=seed)
    stance, readings = parts.stance, parts.readings
    say(f"stance on {len(posts) + len(comments)} texts, genre on {len(others)} more")

    # Level one, tone: reviews and comments.
    t_train = [*reviews, *[e for e in comments if e.tone in TONES]]
    t_labels = [e.tone for e in t_train]
    t_weights = [DEV_WEIGHT if e.group == "dev" else 1.0 for e in t_train]
    dev = [e for e in comments if e.tone in TONES]
    x_t = _matrix(t_train, [readings[e.id] for e in t_train])
    x_dev = _matrix(dev, [readings[e.id] for e in dev])
    if dev:
        tone, t_oof = out_of_fold(
            t_train, t_labels, t_weights, dev, TONES, C_TONE, seed, x_t, x_dev
        )
        dev_read = [readings[e.id] for e in dev]
        s_dev = shipped_scores(stance, x_dev)
        inputs = stance_inputs(s_dev, dev_read)
        mixed = mix_stances(
            parts.stance_stack.scores(inputs),
            parts.post_stack.scores(inputs),
            np.asarray([parts.likeness[e.id] for e in dev]),
        )
        probs = np.exp(mixed)
        tone_x = tone_inputs(t_oof, probs, dev_read)
        tone_stack = fit_stacker(tone_x, [e.tone for e in dev], [1.0] * len(dev), TONES, C_STACK)
    else:
        tone = fit_logistic(x_t, t_labels, t_weights, TONES, C_TONE)
        width = len(TONES) + len(STANCES) + 3
        tone_stack = Stacker(TONES, np.vstack([np.eye(3), np.zeros((width - 3, 3))]), np.zeros(3))
    say(f"tone on {len(t_train)} texts")
    return StanceModels(
        stance, tone, parts.stance_stack, tone_stack, parts.genre, parts.post_stack, parts.known
    )


def fit_level_one(posts: Sequence[Example], comments: Sequence[Example]) -> LinearModel:
    """Only the level-one stance model (favor/against/none), as ``fit`` trains it."""
    train = [e for e in posts if e.stance in LEVEL_ONE]
    train += [e for e in comments if e.stance in LEVEL_ONE_OF]
    labels = [e.stance if e.group != "dev" else LEVEL_ONE_OF[e.stance] for e in train]
    weights = [DEV_WEIGHT if e.group == "dev" else 1.0 for e in train]
    x = _matrix(train, [read_rules(e.text) for e in train])
    return fit_logistic(x, labels, weights, LEVEL_ONE, C_STANCE)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis.train_stance", description=__doc__)
    parser.add_argument(
        "--labels",
        nargs="*",
        type=Path,
        default=[],
        help="一个或多个 comments export SLUG --labels 导出的 JSONL 文件，与内置数据一起训练",
    )
    parser.add_argument("--output", type=Path, default=MODEL_PATH, help="模型文件的写入位置")
    args = parser.parse_args(argv)
    try:
        stanced, toned = office_labels(args.labels)
        posts, comments, reviews, others = training_sets()
    except (FileNotFoundError, ValueError) as exc:
        print(f"无法训练：{exc}", file=sys.stderr)
        return 1
    if args.labels:
        print(f"本单位标注：立场 {len(stanced)} 条，仅语气 {len(toned)} 条", file=sys.stderr)
    comments, reviews = [*comments, *stanced], [*reviews, *toned]
    models = fit(posts, comments, reviews, others, log=True)
    save(models, args.output)
    size = args.output.stat().st_size
    print(
        f"{args.output}: {size / 1e6:.1f} MB；NLPCC {len(posts)} 条，comments_dev 开发部分 "
        f"{len(comments)} 条，情感语料 {len(reviews)} 条，市民留言 {len(others)} 条",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
