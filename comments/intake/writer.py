"""The group-commit writer: every comment acknowledged only after its transaction committed.

To reach thousands of comments a second on SQLite without putting SQLite calls on the event
loop, requests hand their validated row to one writer thread (``Batcher``) that commits whatever
has queued up in one transaction (``storage/inserts.py``) and then wakes every waiting request
with its receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from comments.intake import receipts
from comments.intake.batcher import Batcher
from comments.storage.db import DatabaseUnavailable
from comments.storage.inserts import LEFT_OUT, CommentInserter, Outcome, Stored
from comments.storage.models import utcnow

__all__ = ["CommentWriter", "Stored"]


class CommentWriter:
    """``await writer.submit(row)`` → ``Stored`` once the row is committed (or raises)."""

    def __init__(self, engine: Engine, *, batch_size: int = 256, timezone: str) -> None:
        self.engine = engine
        self.tz = ZoneInfo(timezone)
        self.inserter = CommentInserter(engine)
        self._batcher: Batcher[dict[str, Any], Stored] = Batcher(
            self._write,
            name="comment-writer",
            max_batch=batch_size,
            settle=self.inserter.settle,
        )

    async def submit(self, row: dict[str, Any], *, timeout: float | None = None) -> Stored:
        """Queue a validated row; return once it is committed (or raise).

        Raises ``DatabaseUnavailable`` (not stored), ``CommitUncertain`` (the commit's answer was
        lost), and with ``timeout`` ``Withdrawn`` (left out, not stored) or ``TimeoutError``
        (being committed when the time ran out: unknown).
        """
        return await self._batcher.submit(row, timeout=timeout)

    def close(self) -> None:
        """Commit what is queued, stop the thread, close its connection."""
        self._batcher.close()
        self.inserter.close()

    def _write(self, rows: list[dict[str, Any]]) -> list[Outcome | Exception]:
        integrity = self.inserter.integrity_errors
        wanted: list[bool] = [True] * len(rows)

        def claim() -> list[bool]:
            wanted[:] = self._batcher.commit_point()
            return wanted

        try:
            return list(self._insert(rows, claim))
        except integrity:
            pass
        except Exception as exc:
            return [self._unavailable(exc)] * len(rows)
        # A receipt collided (or another constraint): insert one by one so that one bad row
        # cannot fail the others; a colliding receipt is simply drawn again.
        outcomes: list[Outcome | Exception] = []
        for row, keep in zip(rows, wanted, strict=True):
            if not keep:
                outcomes.append(LEFT_OUT)
                continue
            for attempt in range(2):
                try:
                    outcomes.extend(self._insert([row]))
                    break
                except integrity as exc:
                    if attempt == 1:
                        outcomes.append(self._unavailable(exc))
                except Exception as exc:
                    outcomes.append(self._unavailable(exc))
                    break
        return outcomes

    def _insert(
        self, rows: list[dict[str, Any]], claim: Callable[[], list[bool]] | None = None
    ) -> list[Outcome]:
        now = utcnow()
        return self.inserter.insert(
            rows,
            receipts.new_receipts(len(rows)),
            now=now,
            today=datetime.now(self.tz).date(),
            claim=claim,
        )

    def _unavailable(self, exc: Exception) -> Exception:
        """A database failure becomes ``DatabaseUnavailable`` (503); anything else stays itself."""
        failures = (*self.inserter.driver_errors, OperationalError, DBAPIError, DatabaseUnavailable)
        if isinstance(exc, failures):
            return DatabaseUnavailable(str(exc).splitlines()[0][:200])
        return exc
