"""Clustering quality on real citizen messages: NMI and ARI against the 7 labelled categories.

Reads ``../shared/data/citizen_messages/a2_sample495_labeled.csv`` and prints one JSON line:
our clustering (automatic k with its "其他" remainder counted as one more cluster, automatic k
without remainder, and k = 7) next to the TF-IDF + k-means baselines (jieba words and characters).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "citizen_messages"
SOURCE = DATA / "a2_sample495_labeled.csv"


def load() -> tuple[list[str], list[str]]:
    with SOURCE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [f"{r['留言主题']}。{r['留言详情']}" for r in rows], [r["一级分类"] for r in rows]


def baselines(texts: list[str], truth: list[str]) -> dict[str, float]:
    import jieba
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    jieba.setLogLevel(60)
    words = [" ".join(jieba.lcut(t)) for t in texts]
    out: dict[str, float] = {}
    for name, vectorizer, docs in (
        ("words", TfidfVectorizer(token_pattern=r"(?u)\b\w+\b"), words),
        ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 2)), texts),
    ):
        matrix = vectorizer.fit_transform(docs)
        labels = KMeans(7, n_init=10, random_state=0).fit_predict(matrix)
        out[f"baseline_tfidf_{name}_kmeans7_nmi"] = round(
            normalized_mutual_info_score(truth, labels), 3
        )
        out[f"baseline_tfidf_{name}_kmeans7_ari"] = round(adjusted_rand_score(truth, labels), 3)
    return out


def main() -> int:
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} not found (the shared data folder is absent)", file=sys.stderr)
        print(json.dumps({"skipped": True, "reason": f"missing {SOURCE}"}))
        return 0
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from analysis.clusters import choose_k, group

    texts, truth = load()
    figures: dict[str, float | int | str] = {"messages": len(texts), "categories": len(set(truth))}
    started = time.perf_counter()
    auto = group(texts)
    figures["seconds_auto"] = round(time.perf_counter() - started, 3)
    figures["auto_k"] = choose_k(len(texts))
    figures["auto_remainder"] = sum(1 for x in auto.labels if x < 0)
    for name, grouping in (
        ("auto", auto),
        ("auto_no_remainder", group(texts, coherence=-1.0)),
        ("k7", group(texts, k=7, coherence=-1.0)),
    ):
        labels = list(grouping.labels)
        figures[f"{name}_nmi"] = round(normalized_mutual_info_score(truth, labels), 3)
        figures[f"{name}_ari"] = round(adjusted_rand_score(truth, labels), 3)
    print("baselines…", file=sys.stderr)
    figures.update(baselines(texts, truth))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
