"""Time and memory of a full digest: a 50-clause draft and 100,000 comments (``--n`` to change).

Comments are built from the real citizen messages (``a3_hot_full4326.csv``): each one joins
2-5 phrases (between commas) of random messages, so the words are real but texts are not copies;
5% are copies of 100 form letters with realistic edits (see ``campaigns.py``) and a few clients
flood. Prints one JSON line: seconds to the full digest (cold; up to 10,000 comments also again
with the models loaded, as in a running server), the part spent in per-comment
analysis (``classify_many`` + flags), peak RSS (of this process, and of the largest worker:
above 20,000 comments ``build_digest`` works in one process per core; ``--workers 1`` keeps it
in one), seconds to re-digest after one more comment with a warm ``DigestCache``, then after a
drafter corrects that comment's stance, and seconds to render the Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaigns import SOURCE, edit, load

from analysis import ClauseInput, CommentInput, DraftInfo

CLAUSES = 50
SEED = 11


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def watch_workers(stop: threading.Event, peaks: dict[str, float]) -> None:
    """Peak RSS of the processes below this one (the workers are children of the fork server,
    so ``RUSAGE_CHILDREN`` does not see them), and of all of them together with this one, read
    from /proc twice a second."""
    me = os.getpid()
    while not stop.wait(0.5):
        parent: dict[int, int] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    stat = Path(f"/proc/{name}/stat").read_text()
                except OSError:
                    continue
                parent[int(name)] = int(stat.rsplit(")", 1)[1].split()[1])
        below, grown = {me}, True
        while grown:
            more = {p for p, pp in parent.items() if pp in below} - below
            below |= more
            grown = bool(more)
        total = 0.0
        for pid in below:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            total += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
            if pid != me:
                hwm = int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
                peaks["worker"] = max(peaks.get("worker", 0.0), hwm)
        peaks["total"] = max(peaks.get("total", 0.0), total)


def build_inputs(n: int) -> tuple[DraftInfo, list[ClauseInput], list[CommentInput]]:

    rng = random.Random(SEED)
    messages = load()
    pieces = [p for m in messages for p in re.split(r"[，。；！？,;!?]", m) if len(p) >= 6]
    clauses = [
        ClauseInput(
            f"第{i + 1}条", "article", f"第{i + 1}条", f"条款{i + 1}", messages[i][:200], None, i
        )
        for i in range(CLAUSES)
    ]
    keys = [c.key for c in clauses]
    weights = [1 / (i + 1) for i in range(CLAUSES)]
    letters = [m for m in messages if 80 <= len(m) <= 400][:100]
    start = datetime(2026, 3, 1, 8, 0)
    comments = []
    for i in range(1, n + 1):
        roll = rng.random()
        clause: str | None = rng.choices(keys, weights)[0]
        if roll < 0.05:
            letter = letters[hash_index(i, len(letters))]
            body = edit(letter, messages, rng)
            clause = keys[hash_index(i, len(letters)) % CLAUSES]
        else:
            body = "，".join(rng.choice(pieces) for _ in range(rng.randint(2, 5))) + "。"
            if roll > 0.995:
                clause = "第999条"
            elif roll > 0.95:
                clause = None
        client = f"client{i % 40}" if roll < 0.001 else f"c{i}"
        comments.append(
            CommentInput(
                i, clause, body, "个人", created_at=start + timedelta(seconds=i), client=client
            )
        )
    draft = DraftInfo(
        "bench", "基准测试征求意见稿", "基准测试", date(2026, 3, 1), date(2026, 3, 31), CLAUSES
    )
    return draft, clauses, comments


def workers(asked: int | None) -> int:
    try:
        from analysis.workers import Workers
    except ImportError:  # an older analysis, measured for comparison
        return 1
    return Workers(asked).count


def hash_index(i: int, size: int) -> int:
    return (i * 2654435761) % size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="number of comments")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: cores)"
    )
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} not found (the shared data folder is absent)", file=sys.stderr)
        print(json.dumps({"skipped": True, "reason": f"missing {SOURCE}"}))
        return 0
    from analysis import (
        CommentCorrection,
        Corrections,
        DigestCache,
        build_digest,
        render_digest_markdown,
    )

    print(f"building {args.n} comments…", file=sys.stderr)
    draft, clauses, comments = build_inputs(args.n)
    rss_inputs = peak_mb()
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        if done >= args.n and "annotated" not in marks:
            marks["annotated"] = time.perf_counter()
        if done % 20_000 == 0 or done == total:
            print(f"  {done}/{total}", file=sys.stderr)

    cache = DigestCache()
    stop, peaks = threading.Event(), {}
    watcher = threading.Thread(target=watch_workers, args=(stop, peaks), daemon=True)
    watcher.start()
    began = time.perf_counter()
    options = {} if args.workers is None else {"workers": args.workers}
    digest = build_digest(draft, clauses, comments, cache=cache, progress=progress, **options)
    cold = time.perf_counter() - began
    computed = cache.sections_computed
    again = None
    if args.n <= 10_000:  # a warm server: the models loaded, nothing of this draft cached
        started = time.perf_counter()
        build_digest(draft, clauses, comments, **options)
        again = round(time.perf_counter() - started, 3)

    extra = CommentInput(args.n + 1, "第3条", "建议将“原则上”删除，增加数据安全的规定。", "企业")
    started = time.perf_counter()
    warm = build_digest(draft, clauses, [*comments, extra], cache=cache, **options)
    incremental = time.perf_counter() - started
    recomputed = cache.sections_computed - computed

    # A drafter corrects one stance: its section again, and the model adapted to the draft.
    fix = Corrections(comments=(CommentCorrection(extra.id, stance="support"),))
    started = time.perf_counter()
    build_digest(draft, clauses, [*comments, extra], cache=cache, corrections=fix, **options)
    corrected = time.perf_counter() - started
    stop.set()
    watcher.join()

    started = time.perf_counter()
    markdown = render_digest_markdown(warm)
    render = time.perf_counter() - started
    started = time.perf_counter()
    json.dumps(warm.to_dict(), ensure_ascii=False)
    to_json = time.perf_counter() - started

    figures = {
        "comments": args.n,
        "clauses": CLAUSES,
        "seconds_full_digest": round(cold, 2),
        "seconds_full_digest_warm_models": again,
        "seconds_per_comment_analysis": round(marks.get("annotated", began) - began, 2),
        "seconds_incremental_one_comment": round(incremental, 3),
        "seconds_after_one_correction": round(corrected, 3),
        "seconds_markdown": round(render, 3),
        "seconds_json": round(to_json, 3),
        "peak_rss_mb": peak_mb(),
        "peak_rss_worker_mb": round(peaks.get("worker", 0.0), 1),
        "peak_rss_all_processes_mb": round(peaks.get("total", 0.0), 1),
        "workers": workers(args.workers),
        "rss_after_inputs_mb": rss_inputs,
        "campaigns": digest.totals.campaigns,
        "comments_in_campaigns": digest.totals.in_campaigns,
        "distinct": digest.totals.distinct,
        "clusters": sum(1 for s in digest.sections for c in s.clusters if not c.remainder),
        "markdown_bytes": len(markdown.encode()),
        "sections_recomputed_incremental": recomputed,
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
