"""The SQLite database's files: the server must be able to write every one of them.

In WAL mode a database is three files: ``comments.db``, ``comments.db-wal`` (committed
transactions not yet copied back) and ``comments.db-shm`` (the index of the WAL, which every
process maps into its memory). Hardening item 11: a ``-shm`` the server's user cannot write
(one that a copy or restore as root left owned by root, or one made read-only) puts SQLite
into its read-only shared-memory mode. Every write then fails ("attempt to write a readonly
database"), and the process holds no lock on the file, so another process that opens the
database takes itself for the first and re-initialises (truncates) the ``-shm`` under the
server. A mapped file cut short kills the process with SIGBUS at its next access, before Python
can log anything. Reproduced: truncating the ``-shm`` under a running server kills it at the
next post; the read-only-then-truncated chain is read from SQLite's source, not reproduced.

So the server refuses to start unless its user can write the directory and each of the files
that exist; the message names the file. ``failures.enable_faulthandler`` (at start) leaves a
traceback on stderr should a fatal signal still come.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

SUFFIXES = ("", "-wal", "-shm", "-journal")


class DatabaseFilesNotWritable(RuntimeError):
    """The server's user cannot write the SQLite database's directory or one of its files."""


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None: not SQLite, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "").expanduser().resolve()


def unwritable(url: str) -> list[tuple[Path, str]]:
    """What this process cannot write: (path, why) for the directory and each existing file."""
    database = sqlite_file(url)
    if database is None:
        return []
    problems: list[tuple[Path, str]] = []
    directory = database.parent
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent  # make_engine creates the missing part
    try:
        handle, probe = tempfile.mkstemp(prefix=".comments-probe-", dir=directory)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        problems.append((directory, exc.strerror or str(exc)))
    for suffix in SUFFIXES:
        path = database.with_name(database.name + suffix)
        if not path.exists():
            continue
        if not os.access(path, os.R_OK | os.W_OK, effective_ids=True):
            problems.append((path, "没有读写权限"))
            continue
        try:
            os.close(os.open(path, os.O_RDWR))  # what SQLite does (a read-only mount, chattr +i)
        except OSError as exc:
            problems.append((path, exc.strerror or str(exc)))
    return problems


def check_writable(url: str) -> None:
    """Raise ``DatabaseFilesNotWritable`` with a message that names the file, if any."""
    problems = unwritable(url)
    database = sqlite_file(url)
    if not problems or database is None:
        return
    path, why = problems[0]
    more = "".join(f"{p}（{w}）；" for p, w in problems[1:])
    raise DatabaseFilesNotWritable(
        f"数据库文件 {path} 对运行服务的用户（uid {os.geteuid()}）不可写：{why}。"
        + (f"同样不可写的还有：{more}" if more else "")
        + f"请把数据库目录及其中的 {database.name}、-wal、-shm "
        "文件交给运行服务的用户（chown），或修正其权限后再启动。不要删除 -wal 文件：其中可能有"
        "已确认的意见。"
    )
