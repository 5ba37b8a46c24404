"""Parse every real document in ../shared/data (120 laws + 60 policy texts) and score the tree.

Prints one JSON line: throughput (documents/s, MB/s, parsing only, best of ``--repeat`` runs)
and how often the 编/章/节/条 and 一、/（一） counts agree with the corpus indexes.

    python benchmarks/parse.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import score_corpus  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest is reported")
    args = parser.parse_args(argv)
    if not (DATA / "laws" / "index.csv").exists() or not (DATA / "policy" / "index.json").exists():
        print(
            f"跳过：找不到语料目录 {DATA}（需要 laws/index.csv 与 policy/index.json）",
            file=sys.stderr,
        )
        print(json.dumps({"skipped": True, "reason": f"missing {DATA}"}))
        return 0
    best = None
    for run in range(max(1, args.repeat)):
        report = score_corpus(DATA)
        print(
            f"run {run + 1}: {report.documents} documents in {report.seconds:.3f} s",
            file=sys.stderr,
        )
        if best is None or report.seconds < best.seconds:
            best = report
    assert best is not None
    mb = best.bytes / 1_000_000
    for miss in best.misses:
        print("不一致：" + miss, file=sys.stderr)
    for error in best.errors:
        print("错误：" + error, file=sys.stderr)
    figures = {
        "documents": best.documents,
        "laws": best.laws,
        "policy": best.policy,
        "megabytes": round(mb, 3),
        "seconds": round(best.seconds, 3),
        "documents_per_s": round(best.documents / best.seconds, 1),
        "mb_per_s": round(mb / best.seconds, 2),
        "laws_agreement_pct": round(best.laws_pct, 2),
        "policy_agreement_pct": round(best.policy_pct, 2),
        "errors": len(best.errors),
        "misses": best.misses,
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
