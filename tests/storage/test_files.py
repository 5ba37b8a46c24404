"""A SQLite database whose files the server cannot write (hardening item 11).

The report: a read-only ``comments.db-shm`` and the server died of SIGBUS at the next post, with
no log line. Root ignores file modes, so the server runs here as ``nobody`` (``setpriv``, with
only the capability to read and search everything, so that it finds Python and the code; write
permission is checked as for anyone). Run by an ordinary user, the test needs no ``setpriv``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from comments.storage.files import DatabaseFilesNotWritable, check_writable, unwritable
from tests.servers import free_port, server_env, start_server, stop_server

pytestmark = pytest.mark.slow

SLUG = "informatization-draft"
NOBODY = 65534
IN_CI = os.environ.get("CI", "").lower() == "true"


def unprivileged() -> tuple[str, ...]:
    """The command prefix that runs the server as a user to whom file modes apply."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if IN_CI:  # util-linux is on every CI machine: its absence is a bug
            pytest.fail("CI must have setpriv (util-linux)")
        pytest.skip("running as root without setpriv: file modes cannot be tested")
    return (
        setpriv,
        f"--reuid={NOBODY}",
        f"--regid={NOBODY}",
        "--clear-groups",
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
    )


@pytest.fixture
def db_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory the server's user owns, as in a deployment."""
    directory = tmp_path / "data"
    directory.mkdir()
    if os.geteuid() == 0:
        os.chown(directory, NOBODY, NOBODY)
    yield directory


def post(base: str, body: str) -> httpx.Response:
    return httpx.post(f"{base}/api/drafts/{SLUG}/comments", json={"body": body}, timeout=20)


def left_behind_by_a_crash(db_dir: Path, tmp_path: Path, prefix: tuple[str, ...]) -> dict[str, str]:
    """Comments acknowledged by a server that was then SIGKILLed: the -wal and -shm stay."""
    port = free_port()
    env = {**server_env(port, f"sqlite:///{db_dir / 'comments.db'}"), "HOME": str(db_dir)}
    proc = start_server(env, tmp_path, log=tmp_path / "first.log", prefix=prefix)
    acknowledged = {}
    try:
        for i in range(3):
            r = post(f"http://127.0.0.1:{port}", f"只读文件之前的第{i}条意见。")
            assert r.status_code == 201, r.text
            acknowledged[r.json()["receipt"]] = f"只读文件之前的第{i}条意见。"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert (db_dir / "comments.db-wal").exists() and (db_dir / "comments.db-shm").exists()
    return acknowledged


def test_a_read_only_shm_stops_the_server_at_start_with_the_file_named(db_dir, tmp_path):
    prefix = unprivileged()
    acknowledged = left_behind_by_a_crash(db_dir, tmp_path, prefix)
    shm = db_dir / "comments.db-shm"
    shm.chmod(0o444)

    port = free_port()
    env = {**server_env(port, f"sqlite:///{db_dir / 'comments.db'}"), "HOME": str(db_dir)}
    started = time.monotonic()
    refused = subprocess.run(
        [*prefix, sys.executable, "-m", "comments", "serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert time.monotonic() - started < 30
    told = refused.stderr
    assert f"comments: 数据库文件 {shm} 对运行服务的用户" in told
    assert "不可写" in told and "不要删除 -wal 文件" in told
    lines = [json.loads(line) for line in told.splitlines() if line.startswith('{"event"')]
    assert [line["kind"] for line in lines] == ["database_not_writable"]
    assert str(shm) in lines[0]["error"]

    shm.chmod(0o644)  # the operator fixes the mode: every acknowledged comment is there
    proc = start_server(env, tmp_path, log=tmp_path / "second.log", prefix=prefix)
    try:
        base = f"http://127.0.0.1:{port}"
        for receipt, body in acknowledged.items():
            got = httpx.get(f"{base}/api/receipts/{receipt}", timeout=20)
            assert got.status_code == 200 and got.json()["body"] == body
        assert post(base, "权限修好之后的意见。").status_code == 201
    finally:
        stop_server(proc)


def test_a_shm_cut_short_under_the_server_leaves_a_traceback_and_loses_nothing(db_dir, tmp_path):
    """The SIGBUS itself: SQLite touches its mapping of a ``-shm`` that another process
    truncated. Nothing can catch it; ``faulthandler`` at least says where, and the WAL keeps
    every acknowledged comment."""
    port = free_port()
    env = {**server_env(port, f"sqlite:///{db_dir / 'comments.db'}"), "HOME": str(db_dir)}
    log = tmp_path / "serve.log"
    proc = start_server(env, tmp_path, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        first = post(base, "截断之前的意见。")
        assert first.status_code == 201
        os.truncate(db_dir / "comments.db-shm", 0)
        with pytest.raises(httpx.TransportError):
            post(base, "截断之后的意见。")
        assert proc.wait(timeout=20) == -signal.SIGBUS
    finally:
        if proc.poll() is None:
            stop_server(proc)
    told = log.read_text(errors="replace")
    assert "Fatal Python error: Bus error" in told
    assert 'File "' in told.split("Fatal Python error: Bus error", 1)[1]  # where it happened

    proc = start_server(env, tmp_path, log=log)
    try:
        got = httpx.get(f"{base}/api/receipts/{first.json()['receipt']}", timeout=20)
        assert got.json()["body"] == "截断之前的意见。"
    finally:
        stop_server(proc)


def test_the_check_names_an_unwritable_directory_and_passes_a_writable_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'ok' / 'comments.db'}"
    assert unwritable(url) == []  # a missing directory is created by make_engine
    check_writable(url)
    assert unwritable("postgresql+psycopg://u@h/db") == []
    if os.geteuid() == 0:
        return  # root writes everywhere; the server test above runs as nobody
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "comments.db").write_bytes(b"")
    locked.chmod(0o555)
    try:
        with pytest.raises(DatabaseFilesNotWritable, match=str(locked)):
            check_writable(f"sqlite:///{locked / 'comments.db'}")
    finally:
        locked.chmod(0o755)
