"""Comment intake while a flood of failed logins hits the same server.

Starts the real server (SQLite in a temporary folder), measures comment-post latency with a few
clients alone, then again while ``--flooders`` clients post wrong passwords as fast as they can
for ``--seconds``: once all from one address, once each from addresses of its own
(``X-Forwarded-For``, which uvicorn trusts from 127.0.0.1, as behind the reverse proxy).
The flood runs in a process of its own (as it would from another machine). Reports the comment
posts' p50/p99, the login answers by status, and the server's peak memory.

    python benchmarks/login_flood.py [--flooders 40] [--seconds 10]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest

PATH = "/api/drafts/informatization-draft/comments"


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else 0.0


async def commenters(port: int, seconds: float, clients: int = 4) -> dict[str, float]:
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    body = json.dumps({"clause": None, "body": "登录高峰时提交的意见。"}, ensure_ascii=False)

    async def one(http: httpx.AsyncClient) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            r = await http.post(PATH, content=body, headers={"content-type": "application/json"})
            latencies.append(time.perf_counter() - started)
            assert r.status_code == 201, r.text

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        await asyncio.gather(*(one(http) for _ in range(clients)))
    latencies.sort()
    return {
        "posts": len(latencies),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1),
    }


async def flood(port: int, seconds: float, flooders: int, rotate: bool) -> Counter[int]:
    answers: Counter[int] = Counter()
    stop = time.monotonic() + seconds

    async def one(k: int) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            page = await http.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            n = 0
            while time.monotonic() < stop:
                n += 1
                headers = {"x-forwarded-for": f"10.{k}.{n // 250}.{n % 250}"} if rotate else {}
                r = await http.post(
                    "/login",
                    data={"name": f"nobody{k}-{n}", "password": "wrong", "csrf_token": token[1]},
                    headers=headers,
                )
                answers[r.status_code] += 1

    await asyncio.gather(*(one(k) for k in range(flooders)))
    return answers


async def watch(pid: int, peak: list[float]) -> None:
    while True:
        peak.append(rss_mb(pid))
        await asyncio.sleep(0.2)


async def measure(port: int, pid: int, args: argparse.Namespace) -> dict[str, object]:
    figures: dict[str, object] = {"alone": await commenters(port, 5)}
    for name, rotate in (("one_address", False), ("many_addresses", True)):
        peak = [rss_mb(pid)]
        watcher = asyncio.ensure_future(watch(pid, peak))
        # The flood comes from a process of its own, as an attacker's machine would: in this
        # one, 40 flooding clients would also delay the commenters' own event loop.
        flooder = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--flood-only",
            str(port),
            "--flooders",
            str(args.flooders),
            "--seconds",
            str(args.seconds),
            *(["--rotate"] if rotate else []),
            stdout=asyncio.subprocess.PIPE,
        )
        await asyncio.sleep(1.0)  # the flooders have fetched the login page and are posting
        posts = await commenters(port, args.seconds - 1.0)
        out, _ = await flooder.communicate()
        answers = Counter({int(k): v for k, v in json.loads(out).items()})
        watcher.cancel()
        figures[name] = {
            **posts,
            "logins": dict(sorted(answers.items())),
            "peak_rss_mb": round(max(peak), 1),
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flooders", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--flood-only", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--rotate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.flood_only:  # the flooding process
        answers = asyncio.run(flood(args.flood_only, args.seconds, args.flooders, args.rotate))
        print(json.dumps(dict(answers)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "COMMENTS_DATABASE_URL": f"sqlite:///{tmp}/c.db",
            "COMMENTS_RATE_LIMIT_PER_MINUTE": "0",
        }
        proc, port = ingest.serve([sys.executable, "-m", "comments", "serve"], env, os.getcwd())
        try:
            figures = asyncio.run(measure(port, proc.pid, args))
        finally:
            ingest.stop(proc)
    print(json.dumps({"benchmark": "login_flood", "flooders": args.flooders, **figures}))


if __name__ == "__main__":
    main()
