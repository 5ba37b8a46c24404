"""Stance, polarity and flags on the labelled development set; throughput on real messages.

Usage: python benchmarks/stance.py [--errors]

Reads tests/data/dev_comments.jsonl (written for this project, on the bundled example draft).
Items whose id is a multiple of 5 are held out: the cue lexicons were never tuned on them, and
their figures are printed separately ("holdout"). Throughput is measured with classify_many on
the citizen messages in ../shared/data/citizen_messages (skipped with a message if absent).
Prints one JSON line on stdout; progress and, with --errors, misclassified items go to stderr.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT / "tests" / "data" / "dev_comments.jsonl"
DATA = ROOT.parent / "shared" / "data"
STANCES = ("support", "oppose", "suggest", "question", "other")
POLARITIES = ("pos", "neg", "neu")
FLAGS = ("spam", "abuse", "pii", "offtopic")


def report(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, object]:
    """Accuracy, macro F1 and per-class precision/recall/F1 (rounded to 3 places)."""
    per: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        n_pred = sum(1 for p in pred if p == label)
        n_gold = sum(1 for g in gold if g == label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[label] = {
            "p": round(precision, 3),
            "r": round(recall, 3),
            "f1": round(f1, 3),
            "n": n_gold,
        }
    correct = sum(1 for g, p in zip(gold, pred, strict=True) if g == p)
    return {
        "acc": round(correct / len(gold), 3) if gold else 0.0,
        "macro_f1": round(sum(v["f1"] for v in per.values()) / len(labels), 3),
        "n": len(gold),
        "per_class": per,
    }


def snownlp_polarity(texts: Sequence[str]) -> list[str]:
    """Baseline: snownlp's review-trained sentiment, >0.6 pos, <0.4 neg, else neu."""
    from snownlp import SnowNLP

    out = []
    for t in texts:
        s = SnowNLP(t).sentiments if t.strip() else 0.5
        out.append("pos" if s > 0.6 else "neg" if s < 0.4 else "neu")
    return out


def flag_report(items: Sequence[dict[str, object]], found: Sequence[tuple[str, ...]]) -> dict:
    out: dict[str, dict[str, float]] = {}
    for flag in FLAGS:
        gold = [flag in item["flags"] for item in items]  # type: ignore[operator]
        pred = [flag in f for f in found]
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
        out[flag] = {
            "p": round(tp / sum(pred), 3) if sum(pred) else 0.0,
            "r": round(tp / sum(gold), 3) if sum(gold) else 0.0,
            "n": sum(gold),
        }
    return out


def load_seconds() -> float:
    """Wall time of a fresh interpreter importing the module and classifying one comment."""
    code = (
        "import time; t=time.perf_counter(); from analysis.stance import classify; "
        "classify('支持'); print(time.perf_counter()-t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return round(float(done.stdout.strip()), 3)


def messages() -> list[str]:
    path = DATA / "citizen_messages" / "a3_hot_full4326.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    col = next((i for i, h in enumerate(header) if "详情" in h), max(range(len(header))))
    return [r[col] for r in rows[1:] if len(r) > col and r[col].strip()]


def main() -> int:
    from analysis.flags import flags
    from analysis.stance import classify_many

    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    texts = [item["body"] for item in items]
    results = classify_many(texts)
    found = [flags(t) for t in texts]
    print(f"classified {len(items)} development items", file=sys.stderr)
    base = snownlp_polarity(texts)
    figures: dict[str, object] = {"items": len(items)}
    for part, keep in (
        ("all", lambda i: True),
        ("tune", lambda i: i % 5 != 0),
        ("holdout", lambda i: i % 5 == 0),
    ):
        idx = [k for k, item in enumerate(items) if keep(item["id"])]
        figures[part] = {
            "stance": report(
                [items[k]["stance"] for k in idx], [results[k].stance for k in idx], STANCES
            ),
            "polarity": report(
                [items[k]["polarity"] for k in idx], [results[k].polarity for k in idx], POLARITIES
            ),
            "polarity_snownlp": report(
                [items[k]["polarity"] for k in idx], [base[k] for k in idx], POLARITIES
            ),
        }
    figures["flags"] = flag_report(items, found)
    if "--errors" in sys.argv:
        for item, r in zip(items, results, strict=True):
            if item["stance"] != r.stance or item["polarity"] != r.polarity:
                held = "H" if item["id"] % 5 == 0 else " "
                print(
                    f"{held}{item['id']:4} {item['stance']}/{item['polarity']} -> "
                    f"{r.stance}/{r.polarity} {r.cues} {item['body'][:60]}",
                    file=sys.stderr,
                )
        for item, f in zip(items, found, strict=True):
            if set(item["flags"]) != set(f):
                print(
                    f"F{item['id']:4} {item['flags']} -> {f} {item['body'][:60]}", file=sys.stderr
                )

    figures["load_seconds"] = load_seconds()
    bulk = messages()
    if bulk:
        start = time.perf_counter()
        classify_many(bulk)
        elapsed = time.perf_counter() - start
        chars = sum(len(t) for t in bulk)
        figures["throughput"] = {
            "comments": len(bulk),
            "avg_chars": round(chars / len(bulk), 1),
            "comments_per_s": round(len(bulk) / elapsed),
        }
        short = [t[:120] + str(i) for i, t in enumerate(bulk)] * 3
        start = time.perf_counter()
        classify_many(short)
        figures["throughput_120_chars"] = round(len(short) / (time.perf_counter() - start))
    else:
        print(f"跳过吞吐量测试：未找到 {DATA / 'citizen_messages'}", file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
