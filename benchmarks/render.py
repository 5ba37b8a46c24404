"""Public draft page for a long draft: server time and HTML size of GET /drafts/{slug}.

Builds a law-shaped draft of 500 clauses (10 chapters of 49 articles) with 20,000 comments spread
over them (bulk SQL insert), then times the page through ``httpx.ASGITransport`` — the server's
own work: routing, queries, template, no network. Targets: under 300 ms and under 1 MB.

    python benchmarks/render.py [--clauses 500] [--comments 20000] [--runs 20] [--database-url URL]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from comments import period, storage  # noqa: E402
from comments.drafts import DraftTree, Node  # noqa: E402
from comments.settings import Settings  # noqa: E402
from comments.storage.db import make_engine, migrate  # noqa: E402
from comments.storage.models import Comment, utcnow  # noqa: E402
from comments.web.app import create_app  # noqa: E402

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..999 in Chinese numerals, as articles are numbered (第一百二十三条)."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    if ones:
        out += DIGITS[ones]
    return out


def long_tree(clauses: int) -> tuple[DraftTree, list[str]]:
    chapters = 10
    per_chapter = (clauses - chapters) // chapters
    nodes: list[Node] = []
    keys: list[str] = []
    article = 0
    for c in range(1, chapters + 1):
        chapter_key = f"第{chinese_number(c)}章"
        children = []
        for _ in range(per_chapter):
            article += 1
            label = f"第{chinese_number(article)}条"
            key = f"{chapter_key}/{label}"
            text = (
                f"县级以上人民政府有关部门应当按照职责分工，做好第{article}项管理工作，"
                "建立健全工作机制，加强监督检查，及时向社会公布有关信息，保障公众的知情权和参与权。"
            )
            children.append(Node(key=key, kind="article", label=label, number=article, text=text))
            keys.append(key)
        nodes.append(
            Node(
                key=chapter_key,
                kind="chapter",
                label=chapter_key,
                number=c,
                heading=f"第{c}部分规定",
                children=children,
            )
        )
        keys.append(chapter_key)
    return DraftTree(title="某省长篇条例（征求意见稿）", issuer="某省司法厅", nodes=nodes), keys


def build(database_url: str, clauses: int, comments: int) -> tuple[object, int]:
    engine = make_engine(database_url)
    migrate(engine)
    tree, keys = long_tree(clauses)
    with Session(engine) as session:
        draft = storage.import_draft(
            session=session,
            tree=tree,
            source_name="long.txt",
            slug="long-draft",
            deadline=period.today_in("Asia/Shanghai") + timedelta(days=30),
        )
        draft_id = draft.id
    assert draft_id is not None
    now = utcnow()
    rows = [
        {
            "draft_id": draft_id,
            "clause_key": None if i % 20 == 0 else keys[(i * 7919) % len(keys)],
            "receipt": f"{i // 100000:05d}-{i % 100000:05d}",
            "body": f"建议对本条第{i % 9 + 1}项作进一步细化，明确责任主体和时限。（{i}）",
            "submitter_type": "个人",
            "status": "published",
            "created_at": now,
        }
        for i in range(comments)
    ]
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Comment), rows[start : start + 5000])
    return engine, draft_id


async def measure(app: object, runs: int) -> tuple[list[float], int, int]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(3):  # warm: template compile, connection pool, caches
            r = await client.get("/drafts/long-draft")
            assert r.status_code == 200, r.text[:500]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            r = await client.get("/drafts/long-draft")
            times.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200
        body = r.content
        return times, len(body), body.count(b'class="comment-link"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clauses", type=int, default=500)
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'render.db'}"
        started = time.perf_counter()
        engine, _ = build(url, args.clauses, args.comments)
        build_s = time.perf_counter() - started
        settings = Settings(database_url=url, secret_key="bench", rate_limit_per_minute=0)
        app = create_app(settings, engine=engine)  # type: ignore[arg-type]
        try:
            times, size, links = asyncio.run(measure(app, args.runs))
        finally:
            app.state.comments.writer.close()
            engine.dispose()  # type: ignore[attr-defined]
    times.sort()
    print(
        json.dumps(
            {
                "benchmark": "render_draft_page",
                "database": url.split(":", 1)[0],
                "clauses": args.clauses,
                "comments": args.comments,
                "commentable_links": links,
                "runs": args.runs,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                "max_ms": round(times[-1], 1),
                "html_bytes": size,
                "under_300_ms": statistics.median(times) < 300,
                "under_1_mb": size < 1_000_000,
                "build_s": round(build_s, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
