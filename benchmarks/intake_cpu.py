"""CPU per comment post, in process: no sockets, so the machine's network noise stays out.

The ASGI application is called directly by 32 concurrent coroutines on uvloop, as uvicorn would
call it, and the process CPU time per request is reported for:

- ``bare``: the bare Starlette endpoint of benchmarks/ingest.py;
- ``no_write``: the comment service with a writer that answers at once and stores nothing;
- ``service``: the comment service as shipped (writer thread, SQLite group commit).

Then the writer's SQLite insert alone, per row, on a table already holding ``--rows`` comments,
with the service's receipts (clock prefix + 50 random bits) and with fully random receipts of
the same length: the cost of a random key in the receipt index.

    python benchmarks/intake_cpu.py [--requests 16000] [--rounds 3] [--rows 100000]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import uvloop  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

import comments.web.app as web_app  # noqa: E402
from comments import intake  # noqa: E402
from comments.intake import receipts as receipt_symbols  # noqa: E402
from comments.seed import load_example_if_empty  # noqa: E402
from comments.settings import Settings  # noqa: E402
from comments.storage.db import make_engine, migrate  # noqa: E402

SERVICE_PATH = "/api/drafts/informatization-draft/comments"
BODY = json.dumps(
    {"clause": None, "body": "建议将第5条中的“原则上”删除，并明确农村宽带覆盖的完成时间。"},
    ensure_ascii=False,
).encode()


async def _bare_post(request: Request) -> JSONResponse:  # the endpoint of ingest.BARE_APP
    payload = json.loads(await request.body())
    return JSONResponse(
        {"id": 1, "receipt": "ABCDE-FGHJK", "n": len(payload["body"])}, status_code=201
    )


BARE = Starlette(routes=[Route("/api/drafts/{slug}/comments", _bare_post, methods=["POST"])])


class NoWrite(intake.CommentWriter):
    async def submit(self, row: dict[str, Any], *, timeout: float | None = None) -> intake.Stored:
        return intake.Stored(1, "ABCDEF-GHJKMN", datetime.now(UTC))


async def post(app: Any, path: str) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(BODY)).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 201, sent


async def cpu_per_request(app: Any, path: str, n: int, clients: int = 32) -> float:
    async def client(k: int) -> None:
        for _ in range(k):
            await post(app, path)

    started = time.process_time()
    await asyncio.gather(*(client(n // clients) for _ in range(clients)))
    return (time.process_time() - started) / n * 1e6


def service_app(tmp: str, name: str, writer: type[intake.CommentWriter]) -> Any:
    url = f"sqlite:///{tmp}/{name}.db"
    settings = Settings(database_url=url, rate_limit_per_minute=0)
    engine = make_engine(url)
    migrate(engine)
    load_example_if_empty(engine, settings)
    original = web_app.CommentWriter
    web_app.CommentWriter = writer  # type: ignore[misc]
    try:
        return web_app.create_app(settings, engine=engine)
    finally:
        web_app.CommentWriter = original  # type: ignore[misc]


def random_receipts(n: int) -> list[str]:
    """Twelve symbols, all random: the service's receipt length without its clock prefix."""
    out = []
    for _ in range(n):
        symbols = "".join(secrets.choice(receipt_symbols.RECEIPT_ALPHABET) for _ in range(12))
        out.append(f"{symbols[:6]}-{symbols[6:]}")
    return out


def insert_us_per_row(tmp: str, name: str, receipts: Any, rows: int, batch: int = 32) -> float:
    """The writer's SQLite transaction alone, per row, on a table of ``rows`` comments."""
    url = f"sqlite:///{tmp}/{name}.db"
    engine = make_engine(url)
    migrate(engine)
    load_example_if_empty(engine, Settings(database_url=url))
    writer = intake.CommentWriter(engine, timezone="Asia/Shanghai")
    with engine.connect() as connection:
        draft_id = connection.exec_driver_sql("SELECT id FROM draft").scalar_one()
    row = {
        "draft_id": draft_id,
        "clause_key": None,
        "body": json.loads(BODY)["body"],
        "submitter_type": "个人",
        "name": "",
        "contact": "",
        "region": "",
        "show_name": False,
        "status": "published",
        "client_hash": "0123456789abcdef",
    }
    inserter = writer.inserter
    try:
        today = date.today()
        for _ in range(rows // 500):  # fill the table first
            inserter.insert([row] * 500, receipts(500), now=datetime.now(UTC), today=today)
        started = time.process_time()
        for _ in range(300):
            inserter.insert([row] * batch, receipts(batch), now=datetime.now(UTC), today=today)
        return (time.process_time() - started) / (300 * batch) * 1e6
    finally:
        writer.close()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=16000, help="per round and variant")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    figures: dict[str, Any] = {"benchmark": "intake_cpu", "clients": 32}
    with tempfile.TemporaryDirectory() as tmp:
        apps = {
            "bare": (BARE, "/api/drafts/x/comments"),
            "no_write": (service_app(tmp, "nowrite", NoWrite), SERVICE_PATH),
            "service": (service_app(tmp, "service", intake.CommentWriter), SERVICE_PATH),
        }
        web_app.tune_garbage_collector()

        async def measure() -> dict[str, list[float]]:
            for app, path in apps.values():  # warm-up
                await cpu_per_request(app, path, 2000)
            results: dict[str, list[float]] = {name: [] for name in apps}
            for _ in range(args.rounds):  # the variants take turns, round after round
                for name, (app, path) in apps.items():
                    results[name].append(await cpu_per_request(app, path, args.requests))
            return results

        results = uvloop.run(measure())
        for name, values in results.items():
            figures[f"{name}_cpu_us_per_request"] = round(statistics.median(values), 1)
            figures[f"{name}_rounds"] = [round(v, 1) for v in values]
        for name in ("no_write", "service"):
            apps[name][0].state.comments.close()
        figures["insert_us_per_row_prefixed_receipts"] = round(
            insert_us_per_row(tmp, "prefixed", receipt_symbols.new_receipts, args.rows), 1
        )
        figures["insert_us_per_row_random_receipts"] = round(
            insert_us_per_row(tmp, "random", random_receipts, args.rows), 1
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
