"""The storage layer: every SQL statement of the service lives in this package.

One module per kind of row; this package re-exports the functions the rest of the service
calls, so callers write ``storage.import_draft(...)``:

| module | rows |
|---|---|
| ``models.py`` | the SQLModel tables |
| ``db.py`` | engines, migrations (``../migrations/``), the secret key |
| ``postgres.py`` | PostgreSQL connections on which every wait is bounded |
| ``files.py`` | the SQLite database's files: writable by the server's user |
| ``drafts.py`` | drafts and clauses: import, read, edit, period actions |
| ``comments.py`` | comment counts and look-ups |
| ``inserts.py`` | the comment writer's batched insert, one path per database |
| ``replays.py`` | retries: which rows repeat a stored comment (same key, same submission) |
| ``digest_inputs.py`` | what analysis reads: clauses, comments, their fingerprint |
| ``review.py`` | moderation and adoption decisions with their members |
| ``decisions.py`` | each comment's effective decision, the current (internal) feedback report |
| ``publications.py`` | published feedback reports, and each comment's decision as published |
| ``drafters.py`` | accounts, passwords, tokens |
| ``logins.py`` | failed-login counters and lock-outs |
| ``ratelimits.py`` | rate-limit counters |
| ``auditlog.py`` | audit rows |
| ``retention.py`` | erasing contacts past their retention period |
"""

from __future__ import annotations

from comments.storage.auditlog import audit, audit_log
from comments.storage.comments import (
    comment_by_receipt,
    comment_counts,
    comment_ids_with_status,
    comments_of,
    status_counts,
)
from comments.storage.drafters import (
    add_drafter,
    add_drafter_as,
    all_drafters,
    drafter_by_id,
    drafter_by_name,
    drafter_by_token,
    hash_token,
    reset_drafter,
    set_drafter_active,
    verify_password,
)
from comments.storage.drafts import (
    MAX_TITLE_CHARS,
    DraftSummary,
    clause_by_key,
    clause_keys,
    clauses_of,
    closed_on,
    derived_slug,
    draft_by_id,
    draft_by_slug,
    flatten,
    has_drafts,
    import_draft,
    list_drafts,
    set_period,
    slugify,
    update_draft,
)

__all__ = [
    "MAX_TITLE_CHARS",
    "DraftSummary",
    "add_drafter",
    "add_drafter_as",
    "all_drafters",
    "audit",
    "audit_log",
    "clause_by_key",
    "clause_keys",
    "clauses_of",
    "closed_on",
    "comment_by_receipt",
    "comment_counts",
    "comment_ids_with_status",
    "comments_of",
    "draft_by_id",
    "draft_by_slug",
    "drafter_by_id",
    "drafter_by_name",
    "drafter_by_token",
    "flatten",
    "has_drafts",
    "hash_token",
    "derived_slug",
    "import_draft",
    "list_drafts",
    "reset_drafter",
    "set_drafter_active",
    "set_period",
    "slugify",
    "status_counts",
    "update_draft",
    "verify_password",
]
