"""Scoring the parser on a corpus of real documents (used by tests and benchmarks/parse.py).

``laws/index.csv`` gives per-file counts of 编/章/节/条 and ``policy/index.json`` counts of
一、 and （一） lines; both were made by line-start patterns on the same files.
"""

from __future__ import annotations

import csv
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from comments.drafts import DraftParseError, DraftTree, parse_text

_HASH_MARKS = re.compile(r"^[ \t]*#{1,6}[ \t]*", re.M)
LAW_FIELDS = {"book": "bian", "chapter": "zhang", "section": "jie", "article": "tiao"}


def law_counts(tree: DraftTree) -> dict[str, int]:
    """Counts of 编/章/节/条 nodes, keyed like index.csv."""
    counts = dict.fromkeys(LAW_FIELDS.values(), 0)
    for node in tree.walk():
        if node.marker in LAW_FIELDS:
            counts[LAW_FIELDS[node.marker]] += 1
    return counts


def policy_counts(tree: DraftTree) -> dict[str, int]:
    """Counts of 一、 and （一） nodes, keyed like index.json (yi, paren)."""
    yi = sum(1 for n in tree.walk() if n.marker == "yi")
    paren = sum(1 for n in tree.walk() if n.marker == "paren")
    return {"yi": yi, "paren": paren}


@dataclass
class CorpusReport:
    documents: int = 0
    bytes: int = 0
    seconds: float = 0.0
    laws: int = 0
    laws_agree: int = 0
    policy: int = 0
    policy_agree: int = 0
    errors: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def laws_pct(self) -> float:
        return 100.0 * self.laws_agree / self.laws if self.laws else 0.0

    @property
    def policy_pct(self) -> float:
        return 100.0 * self.policy_agree / self.policy if self.policy else 0.0


def score_corpus(data_dir: Path) -> CorpusReport:
    """Parse every law (with ``#`` marks stripped) and policy document; compare the counts.

    Reading files is outside the timed part; ``seconds`` is parsing only.
    """
    report = CorpusReport()
    laws_dir, policy_dir = data_dir / "laws", data_dir / "policy"
    with (laws_dir / "index.csv").open(encoding="utf-8") as f:
        law_rows = list(csv.DictReader(f))
    policy_rows = json.loads((policy_dir / "index.json").read_text(encoding="utf-8"))
    jobs: list[tuple[str, str, dict[str, int], bool]] = []
    for row in law_rows:
        text = _HASH_MARKS.sub("", (laws_dir / row["path"]).read_text(encoding="utf-8"))
        jobs.append((row["path"], text, {k: int(row[k]) for k in LAW_FIELDS.values()}, True))
    for doc in policy_rows:
        text = (policy_dir / doc["file"]).read_text(encoding="utf-8")
        jobs.append((doc["file"], text, {"yi": doc["yi"], "paren": doc["paren"]}, False))
    for name, text, expected, is_law in jobs:
        report.documents += 1
        report.bytes += len(text.encode("utf-8"))
        if is_law:
            report.laws += 1
        else:
            report.policy += 1
        started = time.perf_counter()
        try:
            tree = parse_text(text, name=name)
        except DraftParseError as exc:
            report.seconds += time.perf_counter() - started
            report.errors.append(str(exc))
            continue
        report.seconds += time.perf_counter() - started
        got = law_counts(tree) if is_law else policy_counts(tree)
        if is_law:
            report.laws_agree += got == expected
        else:
            report.policy_agree += got == expected
        if got != expected:
            report.misses.append(f"{name}: 解析 {got}，索引 {expected}")
    return report
