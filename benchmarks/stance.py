"""Stance and tone on data nobody on the team wrote; annotation speed.

Usage: python benchmarks/stance.py [--errors] [--no-loto | --no-nlpcc]

``--no-loto`` skips the leave-one-target-out part (five retrainings), ``--no-nlpcc`` both NLPCC
parts (ten); ``--errors`` lists the frozen part's errors on stderr.

Reads ../shared/data/ (skips with a message when absent) and prints one JSON line on stdout:

- ``nlpcc_loto``: NLPCC 2016 Weibo stance training set, leave-one-target-out. For each of the five
  targets the stance reading (level one, the genre model, the stackers) is retrained on the
  other four (plus the rest of the shipped model's training data) and scores the fifth;
  F_avg = (F1 FAVOR + F1 AGAINST) / 2, per held-out target and the mean, for the level-one
  model, the full five-way pipeline (support → FAVOR, oppose → AGAINST, anything else NONE),
  the cue rules alone and always answering AGAINST.
- ``nlpcc_in_target``: the same posts with their targets seen in training, as in the official
  test: five folds, the stance reading retrained without the scored fold; F_avg pooled.
- ``comments_dev``: the shipped model on the frozen third of comments_dev (never trained or tuned
  on) and, apart and flattering, on the dev part it was trained on: stance macro-F1, per-class
  F1, confusion matrix, polarity accuracy; the rules alone as a baseline.
- ``sentiment``: polarity accuracy on the frozen third of waimai_10k and smp2020 (target "意见").
- ``team_dev_set``: tests/data/dev_comments.jsonl, written by the team: flatters, shown only as such.
- ``speed``: comments per second through ``classify_many`` on the citizen messages, one process.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
TEAM_DEV = ROOT / "tests" / "data" / "dev_comments.jsonl"
STANCES = ("support", "oppose", "suggest", "question", "other")
POLARITIES = ("pos", "neg", "neu")


def per_class(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    out: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        n_pred = sum(1 for p in pred if p == label)
        n_gold = sum(1 for g in gold if g == label)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[label] = {"p": round(prec, 3), "r": round(rec, 3), "f1": round(f1, 3), "n": n_gold}
    return out


def report(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    classes = per_class(gold, pred, labels)
    confusion = [[sum(1 for g, p in zip(gold, pred, strict=True) if g == a and p == b)
                  for b in labels] for a in labels]  # fmt: skip
    return {
        "n": len(gold),
        "acc": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 3),
        "macro_f1": round(sum(c["f1"] for c in classes.values()) / len(labels), 3),
        "f1": {k: v["f1"] for k, v in classes.items()},
        "confusion": {"rows_gold_cols_pred": list(labels), "matrix": confusion},
    }


def f_avg(gold: Sequence[str], pred: Sequence[str]) -> float:
    c = per_class(gold, pred, ("FAVOR", "AGAINST"))
    return round((c["FAVOR"]["f1"] + c["AGAINST"]["f1"]) / 2, 3)


def retrained(posts: Sequence[object]) -> object:
    """The stance parts (level one, known targets, genre, the stackers) retrained with only
    ``posts`` of NLPCC, plus the dev part of comments_dev and the training parts of the
    sentiment corpora and the citizens' messages, as the shipped model is."""
    from analysis.stance_model import StanceModels, load
    from analysis.train_stance import fit_stance, training_sets

    shipped = load()
    assert shipped is not None, (
        "analysis/data/stance_model.npz 缺失：先运行 python -m analysis.train_stance"
    )
    _, comments, reviews, others = training_sets()
    parts = fit_stance(posts, comments, reviews, others)  # type: ignore[arg-type]
    return StanceModels(
        parts.stance,
        shipped.tone,
        parts.stance_stack,
        shipped.tone_stack,
        parts.genre,
        parts.post_stack,
        parts.known,
    )


def _read(models: object, held: Sequence[object]) -> tuple[list[str], list[str]]:
    """Level one's and the full pipeline's answer (FAVOR/AGAINST/NONE) for each held post."""
    from analysis.stance import read_rules, stance_scores
    from analysis.stance_model import features

    readings = [read_rules(e.text) for e in held]  # type: ignore[attr-defined]
    x = features(
        [e.text for e in held],  # type: ignore[attr-defined]
        [e.target for e in held],  # type: ignore[attr-defined]
        [r.cues for r in readings],
    )
    one = models.level_one(x).argmax(axis=1)  # type: ignore[attr-defined]
    to_nlpcc = {"favor": "FAVOR", "against": "AGAINST", "none": "NONE"}
    five = {"support": "FAVOR", "oppose": "AGAINST"}
    stacked = stance_scores(models, x, readings).argmax(axis=1)  # type: ignore[arg-type]
    classes = models.stance_stack.classes  # type: ignore[attr-defined]
    return (
        [to_nlpcc[models.stance.classes[int(i)]] for i in one],  # type: ignore[attr-defined]
        [five.get(classes[int(i)], "NONE") for i in stacked],
    )


def loto() -> dict:
    """Each target held out of *everything* the stance reading learns: level one, the genre
    model and the stackers are retrained on the other four targets and score the fifth."""
    from analysis.stance import classify_many
    from analysis.train_stance import nlpcc

    posts = nlpcc()
    to_nlpcc = {"favor": "FAVOR", "against": "AGAINST", "none": "NONE"}
    five = {"support": "FAVOR", "oppose": "AGAINST"}
    out: dict[str, dict[str, float]] = {}
    for target in sorted({e.group for e in posts}):
        held = [e for e in posts if e.group == target]
        models = retrained([e for e in posts if e.group != target])
        level_one, pipeline = _read(models, held)
        gold = [to_nlpcc[e.stance] for e in held]
        rules = [
            five.get(r.stance, "NONE")
            for r in classify_many(
                [e.text for e in held], [e.target for e in held], rules_only=True
            )
        ]
        out[target] = {
            "n": len(held),
            "level_one": f_avg(gold, level_one),
            "pipeline": f_avg(gold, pipeline),
            "rules": f_avg(gold, rules),
            "always_against": f_avg(gold, ["AGAINST"] * len(gold)),
        }
        print(f"LOTO {target}: {out[target]}", file=sys.stderr)
    mean = {
        k: round(float(np.mean([v[k] for v in out.values()])), 3)
        for k in ("level_one", "pipeline", "rules", "always_against")
    }
    return {"per_target": out, "mean": mean}


def in_target() -> dict:
    """NLPCC with the targets seen in training, as in the official test: five folds of the
    posts (by a hash of each post's id); level one, the genre model and the stackers retrained
    on the other four folds of every target (plus the rest of the shipped model's training data).
    F_avg pooled over all posts, as the task scores it, and per target."""
    import hashlib

    from analysis.train_stance import nlpcc
    from analysis.training_data import Example

    posts = nlpcc()
    to_nlpcc = {"favor": "FAVOR", "against": "AGAINST", "none": "NONE"}

    def fold(e: Example) -> int:
        key = f"cv:{e.id}".encode()
        return hashlib.blake2b(key, digest_size=8).digest()[0] % 5

    gold: dict[int, str] = {}
    one: dict[int, str] = {}
    full: dict[int, str] = {}
    for k in range(5):
        held = [e for e in posts if fold(e) == k]
        level_one, pipeline = _read(retrained([e for e in posts if fold(e) != k]), held)
        for j, e in enumerate(held):
            gold[id(e)] = to_nlpcc[e.stance]
            one[id(e)] = level_one[j]
            full[id(e)] = pipeline[j]
        print(f"in-target fold {k}: {len(held)} posts", file=sys.stderr)

    def score(group: Sequence[Example]) -> dict[str, float]:
        keys = [id(e) for e in group]
        g = [gold[i] for i in keys]
        return {
            "n": len(keys),
            "level_one": f_avg(g, [one[i] for i in keys]),
            "pipeline": f_avg(g, [full[i] for i in keys]),
            "always_against": f_avg(g, ["AGAINST"] * len(keys)),
        }

    targets = sorted({e.group for e in posts})
    return {
        "pooled": score(posts),
        "per_target": {t: score([e for e in posts if e.group == t]) for t in targets},
    }


def comments_dev(errors: bool) -> dict:
    from analysis.stance import classify_many
    from analysis.train_stance import dev_comments, is_frozen

    items = dev_comments()
    out: dict[str, object] = {}
    for part, frozen in (("frozen_test", True), ("dev_trained_on", False)):
        rows = [e for e in items if is_frozen(e.id) == frozen]
        texts, targets = [e.text for e in rows], [e.target for e in rows]
        model = classify_many(texts, targets)
        rules = classify_many(texts, targets, rules_only=True)
        out[part] = {
            "stance": report([e.stance for e in rows], [r.stance for r in model], STANCES),
            "polarity": report([e.tone for e in rows], [r.polarity for r in model], POLARITIES),
            "rules_stance_macro_f1": report(
                [e.stance for e in rows], [r.stance for r in rules], STANCES
            )["macro_f1"],
            "rules_polarity_acc": report(
                [e.tone for e in rows], [r.polarity for r in rules], POLARITIES
            )["acc"],
        }
        if errors and frozen:
            for e, r in zip(rows, model, strict=True):
                if e.stance != r.stance or e.tone != r.polarity:
                    print(
                        f"{e.id} {e.stance}/{e.tone} -> {r.stance}/{r.polarity} {e.text[:70]}",
                        file=sys.stderr,
                    )
    return out


def sentiment() -> dict:
    from analysis.stance import classify_many
    from analysis.train_stance import is_frozen
    from analysis.train_stance import sentiment as corpora

    rows = [e for e in corpora() if is_frozen(e.text)]
    out: dict[str, object] = {}
    for group in ("waimai", "smp2020"):
        part = [e for e in rows if e.group == group]
        # A neutral stand-in target: without any target the rules answer (see classify).
        pred = [r.polarity for r in classify_many([e.text for e in part], ["意见"] * len(part))]
        gold = [e.tone for e in part]
        out[group] = {
            "n": len(part),
            "acc": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(part), 3),
        }
    return out


def team_dev() -> dict:
    from analysis.stance import classify_many

    items = [json.loads(line) for line in TEAM_DEV.read_text(encoding="utf-8").splitlines() if line]
    res = classify_many([i["body"] for i in items])
    return {
        "note": "团队自己写的旧开发集，数字偏高，仅供对照",
        "stance_macro_f1": report([i["stance"] for i in items], [r.stance for r in res], STANCES)[
            "macro_f1"
        ],
    }


def speed() -> dict:
    import csv

    from analysis.stance import classify_many

    path = DATA / "citizen_messages" / "a3_hot_full4326.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = next((i for i, h in enumerate(rows[0]) if "详情" in h), len(rows[0]) - 1)
    texts = [r[col] for r in rows[1:] if len(r) > col and r[col].strip()]
    clause = "推进政务服务事项网上办理，实现一网通办。"
    classify_many(texts[:10], [clause] * 10)  # load the model and jieba-free tables first
    start = time.perf_counter()
    classify_many(texts, [clause] * len(texts))
    long_rate = len(texts) / (time.perf_counter() - start)
    short = [t[:120] + str(i) for i, t in enumerate(texts)] * 2
    start = time.perf_counter()
    classify_many(short, [clause] * len(short))
    return {
        "comments": len(texts),
        "avg_chars": round(sum(map(len, texts)) / len(texts), 1),
        "comments_per_s": round(long_rate),
        "comments_per_s_120_chars": round(len(short) / (time.perf_counter() - start)),
    }


def main() -> int:
    if not DATA.is_dir():
        print(f"跳过：未找到 {DATA}", file=sys.stderr)
        return 0
    figures: dict[str, object] = {}
    if "--no-loto" not in sys.argv and "--no-nlpcc" not in sys.argv:
        figures["nlpcc_loto"] = loto()
    if "--no-nlpcc" not in sys.argv:
        figures["nlpcc_in_target"] = in_target()
    figures["comments_dev"] = comments_dev("--errors" in sys.argv)
    figures["sentiment"] = sentiment()
    figures["team_dev_set"] = team_dev()
    figures["speed"] = speed()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
