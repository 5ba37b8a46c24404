"""Learning from the office: stance on the rest of a draft after a share of it is corrected.

Usage: python benchmarks/corrections.py [--draws 20] [--nlpcc]

Reads ``../shared/data/comments_dev`` (skips with a message when absent). Each target of the
plan is one clause; the comments go through ``build_digest`` as one draft. For 5 %, 10 % and
20 % of the comments corrected at random (``--draws`` draws each, fixed seeds), the corrected
stances are given as ``Corrections`` and stance macro-F1 is scored on the comments *not*
corrected, against the digest without corrections on the same comments. The digest learns from
them as it does in the service: the stance model adapted to the draft (``analysis.learning``),
then near copies (``analysis.corrections.propagate``). Printed apart:

- ``frozen``: the frozen third of comments_dev, which the shipped model never saw (the figure
  to trust);
- ``all``: every comment, the dev part included — the model was trained on that part, so its
  baseline flatters, but campaign copies (k1–k3) are whole here and show what spreading a
  corrected stance to near copies does.
- ``nlpcc_loto`` (with ``--nlpcc``): each NLPCC 2016 target as one draft of Weibo posts, the
  stance reading (level one, genre model, the stackers) retrained without that target (as
  ``benchmarks/stance.py`` does); the model's own five-way reading before and after
  learning from the corrected posts (FAVOR/AGAINST/NONE as support/oppose/other).

One JSON line on stdout.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
STANCES = ("support", "oppose", "suggest", "question", "other")


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    scores = []
    for label in STANCES:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        n_pred = sum(1 for p in pred if p == label)
        n_gold = sum(1 for g in gold if g == label)
        if not n_gold and not n_pred:
            continue
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        scores.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(scores) / len(scores)


def curve(rows: list[dict], targets: dict[str, str], draws: int) -> dict:
    from analysis import (
        ClauseInput,
        CommentCorrection,
        CommentInput,
        Corrections,
        DigestCache,
        DraftInfo,
        build_digest,
    )

    keys = sorted({r["target"] for r in rows if r["target"] != "document"})

    def text(key: str) -> str:  # an item without text of its own reads its subpart's
        sub = "sub:" + key[5:].split("/")[0] if key.startswith("item:") else key
        return targets.get(key) or targets.get(sub) or targets.get("document", "")

    clauses = [ClauseInput(k, "item", k, "", text(k), order=i) for i, k in enumerate(keys)]
    comments = [
        CommentInput(i + 1, None if r["target"] == "document" else r["target"], r["text"])
        for i, r in enumerate(rows)
    ]
    gold = {i + 1: r["stance"] for i, r in enumerate(rows)}
    info = DraftInfo("plan002", targets.get("document", "规划"))
    cache = DigestCache()
    plain = {n.id: n.stance for n in build_digest(info, clauses, comments, cache=cache).comments}
    out: dict[str, dict] = {}
    for share in (0.05, 0.10, 0.20):
        gains, before, after, spent = [], [], [], 0.0
        for draw in range(draws):
            rng = random.Random(1000 * draw + int(share * 100))
            chosen = set(rng.sample(sorted(gold), max(1, round(share * len(gold)))))
            fixes = tuple(CommentCorrection(i, stance=gold[i]) for i in sorted(chosen))
            started = time.perf_counter()
            digest = build_digest(
                info, clauses, comments, cache=cache, corrections=Corrections(comments=fixes)
            )
            spent += time.perf_counter() - started
            rest = [i for i in sorted(gold) if i not in chosen]
            fixed = {n.id: n.stance for n in digest.comments}
            b = macro_f1([gold[i] for i in rest], [plain[i] for i in rest])
            a = macro_f1([gold[i] for i in rest], [fixed[i] for i in rest])
            before.append(b)
            after.append(a)
            gains.append(a - b)
        gains.sort()
        out[f"{int(share * 100)}%"] = {
            "corrected": max(1, round(share * len(gold))),
            "macro_f1_before": round(sum(before) / draws, 3),
            "macro_f1_after": round(sum(after) / draws, 3),
            "gain_mean": round(sum(gains) / draws, 4),
            "gain_worst": round(gains[0], 4),
            "gain_best": round(gains[-1], 4),
            "seconds_per_digest": round(spent / draws, 2),
        }
    return {"comments": len(rows), **out}


def nlpcc_curve(draws: int) -> dict:
    """Each NLPCC target as one draft that the stance reading never saw (level one, the genre
    model and the stackers retrained without it, as ``benchmarks/stance.py`` does), learning
    from 5/10/20 % of its posts corrected."""
    from stance import retrained  # benchmarks/stance.py

    from analysis.learning import learn_stances, model_readings
    from analysis.train_stance import nlpcc

    posts = nlpcc()
    five = {"favor": "support", "against": "oppose", "none": "other"}
    out: dict[str, dict] = {}
    for target in sorted({e.group for e in posts}):
        held = [e for e in posts if e.group == target]
        models = retrained([e for e in posts if e.group != target])
        comments = {i: (e.text, e.target) for i, e in enumerate(held)}
        gold = {i: five[e.stance] for i, e in enumerate(held)}
        found = model_readings([e.text for e in held], [e.target for e in held], models)
        assert found is not None
        plain = {i: STANCES[int(k)] for i, k in enumerate(found[0].argmax(axis=1))}
        row: dict[str, object] = {"posts": len(held)}
        for share in (0.05, 0.10, 0.20):
            gains, before, after = [], [], []
            for draw in range(draws):
                rng = random.Random(1000 * draw + int(share * 100))
                chosen = set(rng.sample(sorted(gold), max(1, round(share * len(gold)))))
                person = {i: gold[i] for i in chosen}
                learned = {**plain, **learn_stances(comments, person, plain, models=models)}
                rest = [i for i in sorted(gold) if i not in chosen]
                b = macro_f1([gold[i] for i in rest], [plain[i] for i in rest])
                a = macro_f1([gold[i] for i in rest], [learned[i] for i in rest])
                before.append(b)
                after.append(a)
                gains.append(a - b)
            gains.sort()
            row[f"{int(share * 100)}%"] = {
                "macro_f1_before": round(sum(before) / draws, 3),
                "macro_f1_after": round(sum(after) / draws, 3),
                "gain_mean": round(sum(gains) / draws, 4),
                "gain_worst": round(gains[0], 4),
                "gain_best": round(gains[-1], 4),
            }
        out[target] = row
        print(f"nlpcc {target}: {row}", file=sys.stderr)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from analysis.train_stance import DATA, is_frozen, plan_targets

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument(
        "--nlpcc", action="store_true", help="also each NLPCC target as an unseen draft"
    )
    args = parser.parse_args(argv)
    path = DATA / "comments_dev" / "plan002_comments.jsonl"
    if not path.is_file():
        print(f"skipped: {path} not found", file=sys.stderr)
        return 0
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    targets = plan_targets()
    figures = {
        "frozen": curve([r for r in rows if is_frozen(r["id"])], targets, args.draws),
        "all": curve(rows, targets, args.draws),
    }
    if args.nlpcc:
        figures["nlpcc_loto"] = nlpcc_curve(args.draws)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
