"""Retries: which rows of a batch repeat a comment already stored (or one earlier in the batch).

A client may send a key with a comment (``idempotency_key``); sending it again with the same
submission gets the first receipt instead of a second comment (docs/security.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple


class Stored(NamedTuple):
    id: int
    receipt: str
    created_at: datetime
    status: str = "published"  # as submitted: "pending" when held for a drafter


# Every stored field the client sends: a retry is the same submission only when all of them are.
SUBMITTED = ("clause_key", "body", "submitter_type", "name", "contact", "region", "show_name")

Submission = tuple[Any, ...]


def submission(row: Any) -> Submission:
    """What a client sent, as stored: a row to insert, or a stored row read back by name."""
    # show_name: SQLite keeps 0 or 1
    return tuple(bool(row[f]) if f == "show_name" else row[f] for f in SUBMITTED)


def plan_replays(
    rows: Sequence[dict[str, Any]], found: dict[tuple[int, str], tuple[Stored, Submission]]
) -> tuple[list[Stored | int | None], list[dict[str, Any]]]:
    """Which rows are retries of a comment already stored (same draft and key, and every field
    the client sent the same: ``SUBMITTED``).

    Returns one entry per row — a ``Stored`` (the earlier comment: nothing to insert), an ``int``
    (a retry of the row at that index in this batch) or ``None`` (insert it) — and the rows with
    their key kept only where it is still free: a key reused for a *different* submission (another
    text, or the same text with another name, clause, contact...) stores it as a new comment,
    without the key, so nothing anyone wrote is dropped.
    """
    plan: list[Stored | int | None] = []
    out: list[dict[str, Any]] = []
    first: dict[tuple[int, str], tuple[int, Submission]] = {}
    for index, row in enumerate(rows):
        key = row.get("idempotency_key")
        if not key:
            plan.append(None)
            out.append(row)
            continue
        slot = (row["draft_id"], key)
        if slot in found:
            stored, sent = found[slot]
            plan.append(stored if sent == submission(row) else None)
            out.append({**row, "idempotency_key": None})
        elif slot in first:
            earlier, sent = first[slot]
            plan.append(earlier if sent == submission(row) else None)
            out.append({**row, "idempotency_key": None})
        else:
            first[slot] = (index, submission(row))
            plan.append(None)
            out.append(row)
    return plan, out
