"""Worker processes: a large digest is the same whether it is analysed in them or here."""

from __future__ import annotations

import random

import pytest

from analysis import (
    ClauseInput,
    CommentCorrection,
    CommentInput,
    Corrections,
    DigestCache,
    PointInput,
    build_digest,
)
from analysis.workers import MIN_WORK, Workers
from tests.analysis.test_corrections import CLAUSES as TWO_CLAUSES
from tests.analysis.test_corrections import DRAFT

CLAUSES = [
    *TWO_CLAUSES,
    ClauseInput("3", "article", "第三条", "", "原则上鼓励企业加大研发投入。", order=3),
]
PHRASES = [
    "小区宽带被一家垄断",
    "价格贵得离谱",
    "反对在居民楼顶建基站",
    "辐射影响健康",
    "建议将“原则上”删除",
    "网速太慢",
    "支持降低资费",
    "山区信号覆盖不好",
    "联系我13812345678",
    "希望尽快落实",
]


def many(n: int) -> list[CommentInput]:
    rng = random.Random(5)
    keys = ["1", "2", "3", None, "9"]
    return [
        CommentInput(
            i,
            rng.choice(keys),
            "，".join(rng.sample(PHRASES, rng.randint(1, 3))) + "。",
            "个人",
            hidden=i % 97 == 0,
        )
        for i in range(1, n + 1)
    ]


def test_the_digest_is_the_same_with_worker_processes_and_without() -> None:
    items = many(600)
    fixes = Corrections(
        comments=(
            CommentCorrection(2, stance="oppose"),
            CommentCorrection(3, point=""),
            CommentCorrection(4, clause="2"),
        ),
        points=(PointInput("p1", "1", "小区宽带垄断", (5, 6, 7)),),
    )
    here = build_digest(DRAFT, CLAUSES, items, corrections=fixes, workers=1)
    cache = DigestCache()
    apart = build_digest(
        DRAFT, CLAUSES, items, corrections=fixes, cache=cache, workers=Workers(2, min_work=0)
    )
    assert apart.to_dict() == here.to_dict()
    assert cache.annotated == len(items) and cache.sections_computed == 5
    # The cache filled by the workers serves the next call here: nothing is analysed again.
    again = build_digest(DRAFT, CLAUSES, items, corrections=fixes, cache=cache, workers=1)
    assert again.to_dict() == here.to_dict()
    assert cache.annotated == len(items) and cache.sections_computed == 5


def test_a_pool_starts_only_for_enough_work_and_closes_after() -> None:
    workers = Workers(2)
    assert workers.pool(MIN_WORK - 1) is None
    with workers:
        pool = workers.pool(MIN_WORK)
        assert pool is not None
        assert pool.submit(sum, [1, 2]).result() == 3
        assert workers.pool(1) is pool  # once started, it serves the rest of the call
    assert workers.pool(1) is None
    assert Workers(1).pool(10 * MIN_WORK) is None


def test_a_worker_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Workers(0)
    with pytest.raises(ValueError, match="at least 1"):
        build_digest(DRAFT, CLAUSES, many(3), workers=0)


def test_jobs_beyond_the_window_all_come_back_in_order_or_as_done() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from analysis import sections

    n = 3 * sections.WINDOW + 1
    with ThreadPoolExecutor(2) as pool:
        ordered = list(sections._in_order(pool, ((i, (pow, i, 2)) for i in range(n))))
        done = list(sections._as_done(pool, ((i, (pow, i, 2)) for i in range(n))))
    assert ordered == [(i, i * i) for i in range(n)]
    assert sorted(done) == ordered


def test_a_script_without_a_main_guard_can_use_worker_processes(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "plain.py"
    script.write_text(
        "from analysis import ClauseInput, CommentInput, DraftInfo, build_digest\n"
        "from analysis.workers import Workers\n"
        "clauses = [ClauseInput('1', 'article', '第一条', '', '降低宽带资费。')]\n"
        "items = [CommentInput(i, '1', f'宽带太贵了{i}') for i in range(1, 50)]\n"
        "d = build_digest(DraftInfo('x', '办法'), clauses, items, workers=Workers(2, min_work=0))\n"
        "print('comments', d.totals.comments)\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script)], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["comments 49"]  # printed once: the workers ran no script


def test_cancel_drops_the_work_not_yet_begun() -> None:
    import time

    with Workers(2, min_work=0) as workers:
        pool = workers.pool(0)
        assert pool is not None
        futures = [pool.submit(time.sleep, 1.0) for _ in range(8)]
        began = time.monotonic()
        workers.cancel()  # the pool's own thread cancels what waits, a moment later
        while sum(f.cancelled() for f in futures) < 4 and time.monotonic() - began < 0.9:
            time.sleep(0.01)
        # At most two sleep in the workers and one more each is already handed over.
        assert sum(f.cancelled() for f in futures) >= 4
        assert time.monotonic() - began < 0.9  # before the first sleep could end
