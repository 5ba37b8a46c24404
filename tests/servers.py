"""The real server in a child process (`python -m comments serve`), for tests that need TCP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(port: int, database_url: str, **settings: str) -> dict[str, str]:
    """This shell's environment without COMMENTS_*, plus the given settings (COMMENTS_ names)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMMENTS_")},
        "COMMENTS_PORT": str(port),
        "COMMENTS_DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        **settings,
    }


def start_server(
    env: Mapping[str, str],
    cwd: Path,
    *,
    args: tuple[str, ...] = (),
    log: Path | None = None,
    prefix: tuple[str, ...] = (),
) -> subprocess.Popen[bytes]:
    """Start `comments serve` and return once /api/drafts answers 200 (60 s at most).

    ``prefix`` goes before the command (``setpriv ...`` to run it as another user)."""
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "comments", "serve", *args],
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finally:
        if log is not None:
            out.close()  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{env['COMMENTS_PORT']}/api/drafts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            told = log.read_text(errors="replace") if log is not None else ""
            raise AssertionError(f"the server exited while starting: {told}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    stop_server(proc)
    raise AssertionError("the server did not start within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def running_server(
    env: Mapping[str, str], cwd: Path, *, args: tuple[str, ...] = (), log: Path | None = None
) -> Iterator[str]:
    """The server's base URL while the block runs; stopped afterwards."""
    proc = start_server(env, cwd, args=args, log=log)
    try:
        yield f"http://127.0.0.1:{env['COMMENTS_PORT']}"
    finally:
        stop_server(proc)
