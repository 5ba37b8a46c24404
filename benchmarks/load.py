"""Load on the real server over TCP: comments/s, p50/p99 latency and errors for a bounded time.

Modes (each starts `python -m comments serve` on a fresh database and stops it afterwards):

- ``sqlite``: one process on a SQLite file;
- ``pg1`` / ``pg2``: one or two worker processes (`--workers N`) on one PostgreSQL (a fresh
  schema in the database given by ``--pg-url``, dropped afterwards);
- ``digest``: the example draft pre-filled with ``--digest-comments`` comments (texts from
  ../shared/data/citizen_messages when present), then a drafter asks for the digest while
  ``--digest-clients`` clients keep posting; reports the post latency before and during the
  digest computation, which runs in the same process.

Every 201 is a committed comment; ``stored`` counts the rows afterwards (must equal
``acknowledged``). The HTTP client is benchmarks/ingest.py's minimal asyncio client.

    python benchmarks/load.py [--seconds 15] [--clients 32] [--modes sqlite,pg1,pg2,digest]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest import one_client, serve, stop  # noqa: E402

SLUG = "informatization-draft"
PATH = f"/api/drafts/{SLUG}/comments"
MESSAGES = ROOT.parent / "shared" / "data" / "citizen_messages" / "a3_hot_full4326.csv"
TEXT = "建议将第5条中的“原则上”删除，并明确农村宽带覆盖的完成时间。"


def figures(latencies: list[float], errors: list[int], elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)
    ok = len(ordered) - len(errors)
    return {
        "requests": len(ordered),
        "acknowledged": ok,
        "seconds": round(elapsed, 2),
        "comments_per_second": round(ok / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 1)
        if ordered
        else None,
        "errors": len(errors),
    }


async def drive_until(port: int, clients: int, stop_when: Any) -> dict[str, Any]:
    """``clients`` keep-alive connections post until ``stop_when()`` is true."""
    latencies: list[float] = []
    errors: list[int] = []

    async def client(c: int) -> None:
        batch = 0
        while not stop_when():
            bodies = [
                json.dumps(
                    {"clause": None, "body": f"{TEXT}（客户端{c}第{batch}批第{i}条）"},
                    ensure_ascii=False,
                ).encode()
                for i in range(10)
            ]
            await one_client(port, PATH, bodies, latencies, errors)
            batch += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(c) for c in range(clients)))
    return figures(latencies, errors, time.perf_counter() - started)


def drive_for(port: int, clients: int, seconds: float) -> dict[str, Any]:
    deadline = time.perf_counter() + seconds
    return asyncio.run(drive_until(port, clients, lambda: time.perf_counter() >= deadline))


class Database:
    """A fresh SQLite file or PostgreSQL schema for one run."""

    def __init__(self, kind: str, tmp: str, pg_url: str) -> None:
        from sqlalchemy import create_engine, text

        self.kind = kind
        self.admin = None
        if kind == "sqlite":
            self.url = f"sqlite:///{tmp}/load-{uuid.uuid4().hex[:6]}.db"
            return
        self.schema = f"load_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(pg_url)
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        sep = "&" if "?" in pg_url else "?"
        self.url = f"{pg_url}{sep}options=-csearch_path%3D{self.schema}"

    def count(self) -> int:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as conn:
            n = int(conn.execute(text("SELECT count(*) FROM comment")).scalar_one())
        engine.dispose()
        return n

    def drop(self) -> None:
        from sqlalchemy import text

        if self.admin is not None:
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()


def environment(url: str, rate_limit: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTS_")}
    env.update(
        {
            "COMMENTS_DATABASE_URL": url,
            "COMMENTS_RATE_LIMIT_PER_MINUTE": str(rate_limit),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run_mode(kind: str, workers: int, args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    db = Database(kind, tmp, args.pg_url)
    try:
        cmd = [sys.executable, "-m", "comments", "serve", "--workers", str(workers)]
        proc, port = serve(cmd, environment(db.url, args.rate_limit), tmp)
        try:
            drive_for(port, 4, 2.0)  # warm-up: imports, connections, snapshot caches
            before = db.count()
            print(f"{kind} × {workers}: running", file=sys.stderr)
            result = drive_for(port, args.clients, args.seconds)
        finally:
            stop(proc)
        result["stored"] = db.count() - before
        return {"database": kind, "workers": workers, "clients": args.clients, **result}
    finally:
        db.drop()


def comment_texts() -> list[str]:
    if MESSAGES.exists():
        with MESSAGES.open(encoding="utf-8") as f:
            texts = [row["留言详情"].strip() for row in csv.DictReader(f)]
        return [t[:2000] for t in texts if t]
    return [f"{TEXT}（第{i}种说法）" for i in range(500)]


def prefill(url: str, count: int) -> tuple[str, int]:
    """Insert ``count`` comments on the example draft; return a drafter token and the draft's
    clause count."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from comments import storage
    from comments.intake import new_receipt
    from comments.seed import load_example_if_empty
    from comments.settings import Settings
    from comments.storage.db import make_engine, migrate
    from comments.storage.models import Comment, utcnow

    engine = make_engine(url)
    migrate(engine)
    load_example_if_empty(engine, Settings(database_url=url))
    with Session(engine) as session:
        draft = storage.draft_by_slug(session, SLUG)
        assert draft is not None and draft.id is not None
        draft_id = draft.id
        keys = [c.key for c in storage.clauses_of(session, draft_id)]
        _drafter, _password, token = storage.add_drafter(
            session=session, name="bench", organisation="", role="admin"
        )
    texts = comment_texts()
    rng = random.Random(7)
    now = utcnow()
    table = Comment.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(
                insert(table),
                [
                    {
                        "draft_id": draft_id,
                        "clause_key": rng.choice(keys) if rng.random() < 0.8 else None,
                        "receipt": new_receipt(),
                        "body": rng.choice(texts),
                        "submitter_type": "个人",
                        "name": "",
                        "contact": "",
                        "region": "",
                        "show_name": False,
                        "status": "published",
                        "client_hash": f"{rng.randrange(20000):016x}",
                        "created_at": now,
                    }
                    for _ in range(start, min(count, start + 5000))
                ],
            )
    engine.dispose()
    return token, len(keys)


def run_digest(args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    import httpx

    db = Database(args.digest_database, tmp, args.pg_url)
    try:
        started = time.perf_counter()
        token, clauses = prefill(db.url, args.digest_comments)
        prefill_seconds = time.perf_counter() - started
        cmd = [sys.executable, "-m", "comments", "serve"]
        proc, port = serve(cmd, environment(db.url, args.rate_limit), tmp)
        try:
            drive_for(port, 4, 2.0)
            print("digest: baseline", file=sys.stderr)
            baseline = drive_for(port, args.digest_clients, args.seconds)
            outcome: dict[str, Any] = {}

            def ask_for_digest() -> None:
                began = time.perf_counter()
                r = httpx.get(
                    f"http://127.0.0.1:{port}/api/drafts/{SLUG}/digest",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=args.digest_timeout,
                )
                outcome["status"] = r.status_code
                outcome["seconds"] = round(time.perf_counter() - began, 1)
                if r.status_code == 200:
                    outcome["comments_in_digest"] = len(r.json().get("comments", []))

            print("digest: computing while posting", file=sys.stderr)
            asker = threading.Thread(target=ask_for_digest, daemon=True)
            asker.start()
            during = asyncio.run(
                drive_until(port, args.digest_clients, lambda: not asker.is_alive())
            )
            asker.join()
        finally:
            stop(proc)
        return {
            "database": args.digest_database,
            "workers": 1,
            "prefilled_comments": args.digest_comments,
            "prefill_seconds": round(prefill_seconds, 1),
            "clauses": clauses,
            "clients": args.digest_clients,
            "digest": outcome,
            "posts_before_digest": baseline,
            "posts_during_digest": during,
        }
    finally:
        db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each load run")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--modes", default="sqlite,pg1,pg2,digest")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rate-limit", type=int, default=0, help="per minute; 0: off")
    parser.add_argument("--digest-comments", type=int, default=100_000)
    parser.add_argument("--digest-clients", type=int, default=8)
    parser.add_argument("--digest-database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--digest-timeout", type=float, default=900.0)
    args = parser.parse_args()
    modes = {"sqlite": ("sqlite", 1), "pg1": ("postgresql", 1), "pg2": ("postgresql", 2)}
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes.split(","):
            if mode == "digest":
                results.append({"mode": mode, **run_digest(args, tmp)})
            elif mode in modes:
                kind, workers = modes[mode]
                results.append({"mode": mode, **run_mode(kind, workers, args, tmp)})
            else:
                raise SystemExit(f"unknown mode {mode!r}: sqlite, pg1, pg2, digest")
    print(json.dumps({"benchmark": "load", "cpus": os.cpu_count(), "runs": results}))


if __name__ == "__main__":
    main()
