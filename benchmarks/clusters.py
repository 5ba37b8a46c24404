"""Point quality of the clusters, label checks, suggestion precision/recall and speed: one JSON line.

Data (read from ``../shared/data/``, never copied; skipped with a message when absent):

- ``comments_dev/plan002_comments.jsonl``: 360 comments labelled by point ``(target, topic)``.
  About a third is FROZEN by a hash of the id (``frozen(id)``) and was never used to tune a
  threshold; dev and frozen are grouped and scored apart. Each target is one section, grouped
  as the digest groups it (campaigns collapsed, flagged comments excluded); every remainder
  member counts as a point of its own.
- ``citizen_messages/a2_sample495_labeled.csv``: 495 real messages, 7 topic labels (one section).
- ``benchmarks/data/suggestions.jsonl``: the suggestion set written for this benchmark
  (``split`` tune / frozen / frozen2; frozen2 was written and scored before the rules it
  measures were changed).

``fixing_a_point``: on all of comments_dev, each point fixed in turn as a rename fixes it; how
often another point of its section changed (``disturbed``), and what was proposed into it.

Usage: ``PYTHONPATH=. python3 benchmarks/clusters.py [--threshold T] [--static-weight W]``
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DEV = SHARED / "comments_dev" / "plan002_comments.jsonl"
MESSAGES = SHARED / "citizen_messages" / "a2_sample495_labeled.csv"
SUGGESTIONS = ROOT / "benchmarks" / "data" / "suggestions.jsonl"


def frozen(comment_id: str) -> bool:
    """The frozen third: decided by the id alone, before any tuning."""
    return hashlib.blake2b(comment_id.encode(), digest_size=8).digest()[0] % 3 == 0


def section_labels(rows: list[dict]) -> dict[str, str]:
    """Predicted point per comment id for one section, as the digest groups it."""
    from analysis.clusters import Unit, build_clusters
    from analysis.duplicates import find_campaigns
    from analysis.flags import flags
    from analysis.models import CommentInput
    from analysis.stance import classify_many

    inputs = [CommentInput(i, "s", r["text"]) for i, r in enumerate(rows)]
    stance = {i: s.stance for i, s in enumerate(classify_many([r["text"] for r in rows]))}
    excluded = {
        i for i, r in enumerate(rows) if set(flags(r["text"])) & {"spam", "abuse", "offtopic"}
    }
    campaigns = find_campaigns(inputs, "s")
    inside = {m for c in campaigns for m in c.members}
    units = [Unit(c.text, c.representative, c.members, c.id) for c in campaigns]
    units += [Unit(c.body, c.id, (c.id,)) for c in inputs if c.id not in inside]
    out: dict[str, str] = {}
    for cluster in build_clusters("s", units, stance, excluded):
        for m in cluster.members:
            out[rows[m]["id"]] = f"single:{m}" if cluster.remainder else cluster.id
    return out


def point_ari(rows: list[dict]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    by_target: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_target[r["target"]].append(r)
    truth, pred = [], []
    for target, members in sorted(by_target.items()):
        labels = section_labels(members)
        for r in members:
            truth.append(f"{target}/{r['topic']}")
            pred.append(f"{target}/{labels[r['id']]}")
    return {"ari": round(adjusted_rand_score(truth, pred), 3), "n": len(rows)}


def baseline_ari(rows: list[dict], threshold: float = 0.2) -> float:
    """Character 1-3-gram TF-IDF, average linkage at a cosine threshold, per target."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score

    by_target: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_target[r["target"]].append(r)
    truth, pred = [], []
    for target, members in sorted(by_target.items()):
        texts = [r["text"] for r in members]
        if len(texts) > 1:
            m = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit_transform(texts)
            tree = linkage(m.toarray(), method="average", metric="cosine")
            labels = fcluster(tree, t=1 - threshold, criterion="distance")
        else:
            labels = [0]
        truth += [f"{target}/{r['topic']}" for r in members]
        pred += [f"{target}/{x}" for x in labels]
    return round(adjusted_rand_score(truth, pred), 3)


def label_checks(rows: list[dict]) -> dict[str, int]:
    """How many labels are a substring of a member, starting and ending at a boundary."""
    from analysis.clusters import Unit, build_clusters
    from analysis.labels import _word_ends

    by_target: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_target[r["target"]].append(r)
    total = inside = bounded = 0
    for members in by_target.values():
        units = [Unit(r["text"], i, (i,)) for i, r in enumerate(members)]
        for c in build_clusters("s", units, {}):
            if c.remainder:
                continue
            total += 1
            texts = [" ".join(members[m]["text"].split()) for m in c.members]
            if any(c.label in t for t in texts):
                inside += 1
                if any(_at_boundary(c.label, t, _word_ends) for t in texts):
                    bounded += 1
    return {"labels": total, "labels_in_member": inside, "labels_at_boundary": bounded}


def _at_boundary(label: str, text: str, word_ends) -> bool:  # type: ignore[no-untyped-def]
    start = text.find(label)
    end = start + len(label)
    punct = re.compile(r"[\s，。；！？,.;!?、：:（）()“”\"'‘’…~]")
    left = start == 0 or bool(punct.match(text[start - 1])) or start in _ends(text, word_ends)
    right = end == len(text) or bool(punct.match(text[end])) or end in _ends(text, word_ends)
    return left and right


def _ends(text: str, word_ends) -> set[int]:  # type: ignore[no-untyped-def]
    return {0, *word_ends(text)}


def suggestion_scores() -> dict[str, dict[str, float]]:
    from analysis.suggestions import extract

    rows = [json.loads(x) for x in SUGGESTIONS.read_text(encoding="utf-8").splitlines() if x]
    out: dict[str, dict[str, float]] = {}
    for split in ("tune", "frozen", "frozen2"):
        tp = fp = fn = 0
        for r in (r for r in rows if r["split"] == split):
            want = {(op, t, p) for op, t, p in r["expect"]}
            got = set(extract(r["text"]))
            tp += len(want & got)
            fp += len(got - want)
            fn += len(want - got)
        out[split] = {
            "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
            "expected": tp + fn,
        }
    return out


def speed(texts: list[str]) -> dict[str, float]:
    from analysis.clusters import Unit, build_clusters

    big = (texts * (2000 // len(texts) + 1))[:2000]
    big = [f"{t}{i % 7}" for i, t in enumerate(big)]
    out: dict[str, float] = {}
    for n in (500, 2000):
        units = [Unit(t, i, (i,)) for i, t in enumerate(big[:n])]
        build_clusters("s", units[:50], {})
        started = time.perf_counter()
        build_clusters("s", units, {})
        seconds = time.perf_counter() - started
        out[f"section_{n}_seconds"] = round(seconds, 3)
        out[f"section_{n}_ms_per_comment"] = round(1000 * seconds / n, 3)
    return out


def fixing_disturbance(rows: list[dict]) -> dict[str, int]:
    """Each point of each section fixed in turn (as a rename fixes it), the section grouped again:
    how often another point lost or changed members, and how many comments were proposed into
    the fixed one. A point a person fixed should leave the points beside it as they were."""
    from analysis.models import CommentInput, PointInput
    from analysis.sections import analyse_section
    from analysis.stance import classify_many

    by_target: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_target[r["target"]].append(r)
    points = disturbed = proposed = 0
    for _, members in sorted(by_target.items()):
        visible = [CommentInput(i + 1, "s", r["text"]) for i, r in enumerate(members)]
        reading = classify_many([c.body for c in visible])
        stance = {c.id: s.stance for c, s in zip(visible, reading, strict=True)}
        plain = analyse_section("s", visible, "", dict(stance))
        auto = {c.id: c.members for c in plain.clusters if not c.remainder}
        for key, ids in auto.items():
            points += 1
            fixed = analyse_section(
                "s", visible, "", dict(stance), points=[PointInput(key, "s", "改名", ids)]
            )
            after = {c.id: c.members for c in fixed.clusters if not c.remainder}
            disturbed += any(after.get(k) != m for k, m in auto.items() if k != key)
            proposed += sum(len(c.proposed) for c in fixed.clusters if c.id == key)
    return {"points": points, "disturbed": disturbed, "proposed": proposed}


def main() -> int:
    from analysis import clusters

    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=clusters.THRESHOLD)
    parser.add_argument("--static-weight", type=float, default=clusters.STATIC_WEIGHT)
    parser.add_argument("--dev-only", action="store_true", help="tuning: never score frozen")
    args = parser.parse_args()
    clusters.THRESHOLD = args.threshold
    clusters.STATIC_WEIGHT = args.static_weight
    figures: dict[str, object] = {"threshold": args.threshold, "static_weight": args.static_weight}
    if DEV.exists():
        rows = [json.loads(x) for x in DEV.read_text(encoding="utf-8").splitlines() if x]
        dev = [r for r in rows if not frozen(r["id"])]
        held = [r for r in rows if frozen(r["id"])]
        figures["comments_dev"] = point_ari(dev)
        figures["comments_dev_baseline_ari"] = baseline_ari(dev)
        if not args.dev_only:
            figures["comments_frozen"] = point_ari(held)
            figures["comments_frozen_baseline_ari"] = baseline_ari(held)
            figures["labels"] = label_checks(rows)
            figures["fixing_a_point"] = fixing_disturbance(rows)
    else:
        print(f"skipped comments_dev: {DEV} not found", file=sys.stderr)
    if MESSAGES.exists():
        from sklearn.metrics import adjusted_rand_score

        with MESSAGES.open(encoding="utf-8") as handle:
            msgs = list(csv.DictReader(handle))
        texts = [f"{r['留言主题']}。{r['留言详情']}" for r in msgs]
        truth = [r["一级分类"] for r in msgs]
        grouping = clusters.group(texts)
        pred = [str(x) if x >= 0 else f"single:{i}" for i, x in enumerate(grouping.labels)]
        figures["citizen_messages_ari"] = round(adjusted_rand_score(truth, pred), 3)
        figures["citizen_messages_points"] = len({x for x in grouping.labels if x >= 0})
        figures["citizen_messages_baseline_ari"] = baseline_ari(
            [{"target": "t", "topic": t, "text": x} for t, x in zip(truth, texts, strict=True)]
        )
        if not args.dev_only:
            figures.update(speed(texts))
    else:
        print(f"skipped citizen_messages: {MESSAGES} not found", file=sys.stderr)
    if SUGGESTIONS.exists():
        figures["suggestions"] = suggestion_scores()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
