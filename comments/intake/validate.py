"""Checking a submitted comment against its draft: the row the writer will store, or an InputError."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from analysis import comment_flags as text_flags
from comments.errors import InputError
from comments.intake.payload import check_payload
from comments.period import check_open


@dataclass(frozen=True)
class DraftSnapshot:
    """What intake needs to know about a draft, cached for a few seconds."""

    id: int
    slug: str
    status: str
    opens_on: date | None
    deadline: date | None
    clause_keys: frozenset[str]


def validate_comment(
    payload: Mapping[str, Any],
    snapshot: DraftSnapshot,
    *,
    max_chars: int,
    today: date,
    client_hash: str = "",
) -> dict[str, Any]:
    """Check a submitted comment and return the row to insert, or raise InputError.

    The fields are checked by the payload model (``payload.py``), the one definition the
    OpenAPI document is made from; the clause must be one of the draft's.
    """
    check_open(snapshot, today)
    comment = check_payload(payload, max_chars)
    clause = comment.clause  # type: ignore[attr-defined]
    if clause is not None and clause not in snapshot.clause_keys:
        raise InputError("unknown_clause", f"草案中没有条款 {clause[:80]!r}。", status=404)
    body: str = comment.body  # type: ignore[attr-defined]
    # Spam, abuse and personal data wait for a drafter in the moderation queue; they are stored
    # and acknowledged all the same (a receipt is a record, whatever the comment says).
    held = bool(text_flags(body, HELD_FLAGS))
    return {
        "draft_id": snapshot.id,
        "clause_key": clause,
        "body": body,
        "submitter_type": comment.submitter_type,  # type: ignore[attr-defined]
        "name": comment.name,  # type: ignore[attr-defined]
        "contact": comment.contact,  # type: ignore[attr-defined]
        "region": comment.region,  # type: ignore[attr-defined]
        "show_name": comment.show_name,  # type: ignore[attr-defined]
        "idempotency_key": comment.idempotency_key,  # type: ignore[attr-defined]
        "status": "pending" if held else "published",
        "client_hash": client_hash,
    }


HELD_FLAGS = frozenset({"spam", "abuse", "pii"})


@functools.lru_cache(maxsize=4096)  # the same clients post again and again
def client_hash(secret: str, client: str) -> str:
    """A stable pseudonym for a client address: lets floods be seen without storing IPs."""
    return hashlib.sha256(f"{secret}:{client}".encode()).hexdigest()[:16]
