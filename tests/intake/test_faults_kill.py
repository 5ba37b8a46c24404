"""SIGKILL in the middle of a load run: every receipt that was returned survives, byte for byte."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from comments.storage.db import make_engine
from tests.servers import free_port, server_env, start_server, stop_server

pytestmark = pytest.mark.slow

SLUG = "informatization-draft"
WHOLE_BODY = re.compile(r"第(\d+)号客户端第(\d+)条：建议删除“原则上”。\n<b>理由</b> ✅ \1-\2")


def start(
    database_url: str, cwd: Path, port: int, *, workers: int = 1, rate_limit: int = 0
) -> subprocess.Popen[bytes]:
    env = server_env(port, database_url, COMMENTS_RATE_LIMIT_PER_MINUTE=str(rate_limit))
    return start_server(env, cwd, args=("--workers", str(workers)))


async def post_until_killed(
    port: int, proc: subprocess.Popen[bytes], acknowledged: dict[str, tuple[str | None, str]]
) -> int:
    """Eight clients post until the server dies; it is killed once 150 receipts are back."""
    url = f"http://127.0.0.1:{port}/api/drafts/{SLUG}/comments"
    clause = None
    failures = 0

    async def client(n: int) -> None:
        nonlocal failures
        async with httpx.AsyncClient(timeout=10) as http:
            for i in range(100_000):
                # Text that shows any mangling: CJK, an emoji, quotes, a newline, markup.
                body = f"第{n}号客户端第{i}条：建议删除“原则上”。\n<b>理由</b> ✅ {n}-{i}"
                try:
                    r = await http.post(url, json={"clause": clause, "body": body})
                except httpx.TransportError:
                    failures += 1
                    return
                assert r.status_code == 201, r.text
                acknowledged[r.json()["receipt"]] = (clause, body)

    async def killer() -> None:
        while len(acknowledged) < 150 and proc.poll() is None:
            await asyncio.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)

    await asyncio.gather(killer(), *(client(n) for n in range(8)))
    return failures


def test_receipts_returned_before_a_sigkill_are_all_stored_after_restart(database_url, tmp_path):
    port = free_port()
    proc = start(database_url, tmp_path, port)
    acknowledged: dict[str, tuple[str | None, str]] = {}
    try:
        failures = asyncio.run(post_until_killed(port, proc, acknowledged))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert failures == 8  # every client saw the connection die: the kill came mid-run
    assert len(acknowledged) >= 150

    proc = start(database_url, tmp_path, port)  # restart on the same database
    try:
        engine = make_engine(database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT receipt, clause_key, body, created_at, draft_id FROM comment")
            ).all()
            if engine.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()
        stored = {r.receipt: (r.clause_key, r.body) for r in rows}
        missing = [r for r in acknowledged if r not in stored]
        assert missing == []
        assert all(stored[r] == acknowledged[r] for r in acknowledged)  # byte for byte
        # No half-written rows: every stored row, acknowledged or not, is whole.
        for r in rows:
            assert re.fullmatch(r"[0-9A-Z]{6}-[0-9A-Z]{6}", r.receipt)
            assert WHOLE_BODY.fullmatch(r.body), r.body
            assert r.created_at is not None and r.draft_id is not None
        # The restarted server serves the receipts and takes new comments.
        some = next(iter(acknowledged))
        got = httpx.get(f"http://127.0.0.1:{port}/api/receipts/{some}").json()
        assert got["body"] == acknowledged[some][1]
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/drafts/{SLUG}/comments", json={"body": "重启后的意见。"}
        )
        assert r.status_code == 201
    finally:
        stop_server(proc)
