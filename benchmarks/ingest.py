"""Comment intake over TCP: comments/s and latency at N concurrent clients, against a bare endpoint.

Starts the real server (`python -m comments serve`, SQLite in a temporary folder, rate limit off)
and a bare Starlette endpoint served by the same uvicorn, and posts comments to each from
concurrent keep-alive connections. Every comment is committed before its 201 is returned, so
the figure is committed comments per second.

    python benchmarks/ingest.py [--clients 32] [--requests 20000] [--rounds 5] [--database-url URL]

The two servers run side by side and take turns for several rounds; the figures are the median
round, and the ratio is the median of the per-round ratios. Prints one JSON line. The load
generator is a minimal asyncio HTTP/1.1 client (httpx itself would be the bottleneck on two
cores).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE_APP = """
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
import json

async def post(request: Request) -> JSONResponse:
    payload = json.loads(await request.body())
    return JSONResponse({"id": 1, "receipt": "ABCDE-FGHJK", "n": len(payload["body"])}, status_code=201)

app = Starlette(routes=[Route("/api/drafts/{slug}/comments", post, methods=["POST"])])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


async def one_client(
    port: int, path: str, bodies: list[bytes], latencies: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for body in bodies:
            request = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(head.split(b" ", 2)[1])
            if status != 201:
                errors.append(status)
    finally:
        writer.close()


async def drive(port: int, path: str, clients: int, total: int) -> dict[str, float]:
    per_client = total // clients
    latencies: list[float] = []
    errors: list[int] = []
    text = "建议将第5条中的“原则上”删除，并明确农村宽带覆盖的完成时间。"
    work = [
        [
            json.dumps(
                {"clause": None, "body": f"{text}（客户端{c}第{i}条）"}, ensure_ascii=False
            ).encode()
            for i in range(per_client)
        ]
        for c in range(clients)
    ]
    started = time.perf_counter()
    await asyncio.gather(*(one_client(port, path, w, latencies, errors) for w in work))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "errors": len(errors),
    }


def serve(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**env, "COMMENTS_PORT": str(port)}
    full = [c.replace("{port}", str(port)) for c in cmd]
    proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    wait_for(port, proc)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def count_rows(url: str) -> int:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(text("SELECT count(*) FROM comment")).scalar_one())
    engine.dispose()
    return n


def combine(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Figures of several rounds: totals, and the median round for rate and latency."""
    middle = sorted(rounds, key=lambda r: r["per_second"])[len(rounds) // 2]
    return {
        "requests": sum(r["requests"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "per_second": middle["per_second"],
        "p50_ms": middle["p50_ms"],
        "p99_ms": max(r["p99_ms"] for r in rounds),
        "rounds_per_second": [r["per_second"] for r in rounds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=20000, help="per round, per server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    service_path = "/api/drafts/informatization-draft/comments"
    bare_path = "/api/drafts/x/comments"
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTS_")}
        env.update(
            {
                "COMMENTS_DATABASE_URL": url,
                "COMMENTS_RATE_LIMIT_PER_MINUTE": "0",
                "PYTHONPATH": str(ROOT),
            }
        )
        before = count_rows(url) if args.database_url else 0
        Path(tmp, "bare_app.py").write_text(BARE_APP)
        bare_cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--port",
            "{port}",
            "--log-level",
            "warning",
            "--timeout-keep-alive",
            "5",
        ]
        service_proc, service_port = serve([sys.executable, "-m", "comments", "serve"], env, tmp)
        bare_proc, bare_port = serve(bare_cmd, {**env, "PYTHONPATH": tmp}, tmp)
        services: list[dict[str, float]] = []
        bares: list[dict[str, float]] = []
        try:
            # warm-up: imports, the first connection, the snapshot cache
            asyncio.run(drive(service_port, service_path, 4, 400))
            asyncio.run(drive(bare_port, bare_path, 4, 400))
            # The two servers take turns, round after round: a machine whose speed drifts
            # (a shared virtual machine does) then weighs on both alike.
            for n in range(args.rounds):
                print(f"round {n + 1}/{args.rounds}", file=sys.stderr)
                services.append(
                    asyncio.run(drive(service_port, service_path, args.clients, args.requests))
                )
                bares.append(asyncio.run(drive(bare_port, bare_path, args.clients, args.requests)))
        finally:
            stop(service_proc)
            stop(bare_proc)
        stored = count_rows(url) - before
    ratios = sorted(s["per_second"] / b["per_second"] for s, b in zip(services, bares, strict=True))
    service = combine(services)
    print(
        json.dumps(
            {
                "benchmark": "ingest",
                "database": url.split(":", 1)[0],
                "clients": args.clients,
                "rounds": args.rounds,
                "service": service,
                "bare_starlette": combine(bares),
                "ratio_to_bare": round(ratios[len(ratios) // 2], 3),
                "ratio_per_round": [round(r, 3) for r in ratios],
                "committed_rows": stored,
                "acknowledged": service["requests"] - service["errors"] + 400,
            }
        )
    )


if __name__ == "__main__":
    main()
