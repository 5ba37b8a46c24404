"""A TCP proxy to PostgreSQL in a process of its own, that a test stops as the outage report did.

The report's partition was ``kill -STOP`` of a proxy between the service and PostgreSQL: every
socket stays open and the kernel still accepts new connections and acknowledges what is sent,
but not one byte moves in either direction. TCP keepalives and ``tcp_user_timeout`` see nothing
wrong (the proxy's kernel answers them), so only the service's own bounds can end its waits.

``StoppableProxy`` runs this file as a child process and partitions it with ``SIGSTOP``, heals
it with ``SIGCONT``; ``partition_after_next_commit`` makes the proxy stop itself right after it
has forwarded the ``COMMIT`` of a transaction that inserted a comment: the server commits, the
answer never comes back (the case where a comment is stored but nobody knows it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

_COMMENT_INSERT = b"INSERT INTO comment "
_COMMIT = b"COMMIT\x00"


class _Relay:
    """The child process: one listener, two threads per connection copying bytes."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.armed = False  # SIGUSR1: stop after the next COMMIT of a comment insert
        self.gate = threading.Event()  # cleared: nothing is forwarded
        self.gate.set()

    def arm(self, _signum: int, _frame: object) -> None:
        self.armed = True

    def resume(self, _signum: int, _frame: object) -> None:
        self.gate.set()

    def serve(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        signal.signal(signal.SIGUSR1, self.arm)
        signal.signal(signal.SIGCONT, self.resume)
        print(listener.getsockname()[1], flush=True)
        while True:
            client, _ = listener.accept()
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()
        self._pump(client, server, True)

    def _pump(self, source: socket.socket, target: socket.socket, to_server: bool) -> None:
        inserted = False
        try:
            while data := source.recv(65536):
                self.gate.wait()
                if to_server and _COMMENT_INSERT in data:
                    inserted = True
                if to_server and inserted and _COMMIT in data:
                    inserted = False
                    if self.armed:
                        self.armed = False
                        self.gate.clear()  # the answer to this COMMIT stays here
                        target.sendall(data)
                        os.kill(os.getpid(), signal.SIGSTOP)
                        continue
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


class StoppableProxy:
    """The proxy process, seen from the test: its port, and a partition that can be healed."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), upstream[0], str(upstream[1])],
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def stopped(self) -> bool:
        """True while the process is stopped (state ``T`` in /proc)."""
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] in ("T", "t")

    def partition(self) -> None:
        """``kill -STOP``: nothing moves, every socket stays open."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.wait_stopped(5)

    def partition_after_next_commit(self) -> None:
        """Forward the next COMMIT of a comment insert, then stop (see ``wait_stopped``)."""
        os.kill(self.proc.pid, signal.SIGUSR1)

    def wait_stopped(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stopped():
                return True
            time.sleep(0.01)
        return False

    def heal(self) -> None:
        """``kill -CONT``: the bytes held back flow again."""
        os.kill(self.proc.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


if __name__ == "__main__":
    _Relay((sys.argv[1], int(sys.argv[2]))).serve()
