"""Outages leave a trace: one structured log line per kind of failure and burst.

Disk full, a database that is down or unreachable, a crash of a request: each is logged on the
``comments.failures`` logger (stderr under ``comments serve``) as one JSON line with the kind,
the error and how many further failures of that kind were folded into it, at most once per
``BURST`` seconds per kind, so that a thousand refused posts do not flood the log. A death by a
fatal signal (SIGBUS from a mapped file cut short) leaves the threads' tracebacks on stderr
(``enable_faulthandler``).
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import logging
import threading
import time

log = logging.getLogger("comments.failures")
BURST = 30.0  # seconds

_lock = threading.Lock()
_last: dict[str, float] = {}
_folded: dict[str, int] = {}


def failure(kind: str, error: BaseException | str) -> None:
    """Record a failure of ``kind`` (``database_unavailable``, ``server_error``, ...)."""
    now = time.monotonic()
    with _lock:
        if now - _last.get(kind, -BURST) < BURST:
            _folded[kind] = _folded.get(kind, 0) + 1
            return
        _last[kind] = now
        folded = _folded.pop(kind, 0)
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    line = {"event": "failure", "kind": kind, "error": text.splitlines()[0][:300] if text else ""}
    if folded:
        line["folded_since_last"] = folded
    log.error(json.dumps(line, ensure_ascii=False))


def reset() -> None:
    """Forget the bursts (tests)."""
    with _lock:
        _last.clear()
        _folded.clear()


def enable_faulthandler() -> None:
    """On SIGBUS, SIGSEGV, SIGFPE, SIGABRT: every thread's traceback on stderr (server start)."""
    with contextlib.suppress(ValueError, io.UnsupportedOperation):  # stderr is not a file
        faulthandler.enable()
