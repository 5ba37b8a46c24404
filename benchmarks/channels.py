"""Clause inference for comments that arrive without a clause (e-mail, letters).

Usage: python benchmarks/channels.py

Reads ``../shared/data/comments_dev`` and seed plan 002 (skips when absent). Each labelled
comment that was filed under a clause (not the whole plan) is given to the inference *without*
its clause, as an e-mail would come; the answer is right when it is the labelled clause or a
clause inside it (a comment on 专栏2 answered with 专栏2's item 1). Printed: accuracy of all
answers, share answered with confidence (≥ ``CONFIDENT``) and accuracy of those — the ones
filed without a drafter — and how the answers were found. One JSON line on stdout.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared"


def target_key(target: str, keys: list[str]) -> str | None:
    kind, _, rest = target.partition(":")
    if kind == "part":
        return rest if rest in keys else None
    if kind == "sub":
        return next((k for k in keys if k.endswith("/" + rest) and k.count("/") == 1), None)
    if kind == "item":
        sub, _, number = rest.partition("/")
        return next((k for k in keys if k.endswith(f"/{sub}/{number}")), None)
    if kind == "box":
        return rest if rest in keys else None
    if kind == "annex":
        return next((k for k in keys if k.startswith("附件" + rest)), None)
    return None


def main() -> int:
    from comments.channels.infer import ClauseIndex, ClauseRef
    from comments.drafts import iter_clauses, parse_file

    seed = DATA / "seeds" / "002_3c784148d53b7ccd.txt"
    path = DATA / "data" / "comments_dev" / "plan002_comments.jsonl"
    if not seed.is_file() or not path.is_file():
        print("skipped: ../shared/ not found", file=sys.stderr)
        return 0
    nodes = [n for n in iter_clauses(parse_file(seed)) if n.kind != "row"]
    parent = {}
    for n in nodes:
        head, _, _ = n.key.rpartition("/")
        parent[n.key] = head or None
    index = ClauseIndex(
        [
            ClauseRef(n.key, n.kind, n.label, n.number, n.heading, n.text, parent[n.key])
            for n in nodes
        ]
    )
    keys = [n.key for n in nodes]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    scored = unmapped = 0
    right = confident = confident_right = 0
    how: Counter[str] = Counter()
    for row in rows:
        if row["target"] == "document" or row.get("spam"):
            continue
        gold = target_key(row["target"], keys)
        if gold is None:
            unmapped += 1
            continue
        guess = index.infer(row["text"])
        ok = guess.key is not None and (guess.key == gold or guess.key.startswith(gold + "/"))
        scored += 1
        right += ok
        how[guess.how] += 1
        if guess.confident:
            confident += 1
            confident_right += ok
    print(
        json.dumps(
            {
                "comments": scored,
                "unmapped_targets": unmapped,
                "accuracy_all": round(right / scored, 3),
                "confident_share": round(confident / scored, 3),
                "accuracy_confident": round(confident_right / confident, 3) if confident else None,
                "how": dict(how),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
