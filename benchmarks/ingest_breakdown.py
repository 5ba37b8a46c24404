"""Where the time of a comment post goes: the same load against variants of the comment service.

Variants, each served by uvicorn in a child process with the server's GC tuning:
- ``thread``: the service as shipped (validation, writer thread, one transaction per batch);
- ``stub``: the writer replaced by one that answers at once and writes nothing, so the figure is
  everything but the database.
Then in-process timings of the per-request steps. Prints one JSON line.

    python benchmarks/ingest_breakdown.py [--clients 32] [--requests 16000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest

ROOT = ingest.ROOT
SLUG_PATH = "/api/drafts/informatization-draft/comments"

SERVER = """
import asyncio, sys
from datetime import UTC, datetime
import uvicorn
from comments import intake
from comments.storage.db import make_engine, migrate
from comments.seed import load_example_if_empty
from comments.settings import Settings
import comments.web.app as web_app

variant, port, url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
settings = Settings(database_url=url, rate_limit_per_minute=0)
engine = make_engine(url)
migrate(engine)
load_example_if_empty(engine, settings)
engine.dispose()


class StubWriter(intake.CommentWriter):
    async def submit(self, row, *, timeout=None):
        return intake.Stored(1, "ABCDEF-GHJKMN", datetime.now(UTC))


web_app.CommentWriter = {"thread": intake.CommentWriter, "stub": StubWriter}[variant]
app = web_app.create_app(settings)
web_app.tune_garbage_collector()
uvicorn.run(app, port=port, log_level="warning", access_log=False)
"""


def run_variant(variant: str, clients: int, requests: int, tmp: str) -> dict[str, float]:
    port = ingest.free_port()
    script = Path(tmp, "variant_server.py")
    script.write_text(SERVER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTS_")}
    env["PYTHONPATH"] = str(ROOT)
    url = f"sqlite:///{tmp}/{variant}.db"
    proc = subprocess.Popen(
        [sys.executable, str(script), variant, str(port), url],
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        ingest.wait_for(port, proc)
        asyncio.run(ingest.drive(port, SLUG_PATH, 4, 400))  # warm-up
        print(f"{variant}: running", file=sys.stderr)
        return asyncio.run(ingest.drive(port, SLUG_PATH, clients, requests))
    finally:
        ingest.stop(proc)


def step_timings(n: int = 20000) -> dict[str, float]:
    from datetime import date

    from analysis import comment_flags as flags
    from comments.intake import DraftSnapshot, clean_text, client_hash, validate_comment
    from comments.intake.validate import HELD_FLAGS

    snapshot = DraftSnapshot(1, "x", "open", None, None, frozenset({"a"}))
    raw = json.dumps(
        {"clause": None, "body": "建议将第5条中的“原则上”删除，并明确农村宽带覆盖的完成时间。"},
        ensure_ascii=False,
    ).encode()
    payload = json.loads(raw)
    numbered = payload["body"] + "（客户端3第17条）"

    def per_call_us(fn: object) -> float:
        started = time.perf_counter()
        for _ in range(n):
            fn()  # type: ignore[operator]
        return round((time.perf_counter() - started) / n * 1e6, 1)

    return {
        "json_loads_us": per_call_us(lambda: json.loads(raw)),
        "validate_comment_us": per_call_us(
            lambda: validate_comment(payload, snapshot, max_chars=5000, today=date(2026, 1, 1))
        ),
        "of_which_flags_us": per_call_us(lambda: flags(payload["body"], HELD_FLAGS)),
        # The body as benchmarks/ingest.py posts it: numbers and full-width brackets as well.
        "flags_ingest_body_us": per_call_us(lambda: flags(numbered, HELD_FLAGS)),
        "clean_text_us": per_call_us(lambda: clean_text(payload["body"], multiline=True)),
        "client_hash_us": per_call_us(lambda: client_hash("secret", "127.0.0.1")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=16000)
    args = parser.parse_args()
    figures: dict[str, object] = {"benchmark": "ingest_breakdown", "clients": args.clients}
    with tempfile.TemporaryDirectory() as tmp:
        for variant in ("thread", "stub"):
            figures[variant] = run_variant(variant, args.clients, args.requests, tmp)
    figures["steps"] = step_timings()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
