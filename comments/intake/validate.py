"""Checking and cleaning a submitted comment: the row the writer will store, or an InputError."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from analysis import comment_flags as text_flags
from comments.errors import InputError
from comments.period import check_open
from comments.storage.models import SUBMITTER_TYPES

# Characters never stored: C0/C1 controls (newline and tab are handled apart), zero-width and
# bidirectional controls that hide or reorder text, the soft hyphen, lone surrogates and private use.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]"
)


def clean_text(value: str, *, multiline: bool) -> str:
    """Drop invisible and control characters; keep newlines only when multiline."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    value = _UNWANTED.sub("", value)
    if multiline:
        value = value.replace("\t", " ")
        if "\n\n\n" in value or " \n" in value:
            value = re.sub(r"[ ]+\n", "\n", value)
            value = re.sub(r"\n{3,}", "\n\n", value)
    else:
        value = re.sub(r"[\t\n ]+", " ", value)
    return value.strip()


@dataclass(frozen=True)
class DraftSnapshot:
    """What intake needs to know about a draft, cached for a few seconds."""

    id: int
    slug: str
    status: str
    opens_on: date | None
    deadline: date | None
    clause_keys: frozenset[str]


def _field(payload: Mapping[str, Any], name: str, limit: int, label: str) -> str:
    raw = payload.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InputError("bad_field", f"{label}应为文本。")
    value = clean_text(raw, multiline=False)
    if len(value) > limit:
        raise InputError("field_too_long", f"{label}不能超过 {limit} 个字符。")
    return value


def validate_comment(
    payload: Mapping[str, Any],
    snapshot: DraftSnapshot,
    *,
    max_chars: int,
    today: date,
    client_hash: str = "",
) -> dict[str, Any]:
    """Check a submitted comment and return the row to insert, or raise InputError."""
    check_open(snapshot, today)
    clause = payload.get("clause")
    if clause in ("", None):
        clause = None
    elif not isinstance(clause, str):
        raise InputError("bad_clause", "clause 应为条款编号文本，或为 null 表示对全文提意见。")
    elif clause not in snapshot.clause_keys:
        raise InputError("unknown_clause", f"草案中没有条款 {clause[:80]!r}。", status=404)
    body_raw = payload.get("body")
    if body_raw is None or not isinstance(body_raw, str):
        raise InputError("empty_comment", "请填写意见内容。")
    body = clean_text(body_raw, multiline=True)
    if not body:
        raise InputError("empty_comment", "意见内容不能为空。")
    if len(body) > max_chars:
        raise InputError(
            "comment_too_long", f"意见不能超过 {max_chars} 字（现为 {len(body)} 字）。"
        )
    submitter_type = payload.get("submitter_type") or "个人"
    if submitter_type not in SUBMITTER_TYPES:
        raise InputError(
            "bad_submitter_type", f"提交者类型应为：{'、'.join(SUBMITTER_TYPES)} 之一。"
        )
    # Spam, abuse and personal data wait for a drafter in the moderation queue; they are stored
    # and acknowledged all the same (a receipt is a record, whatever the comment says).
    held = bool(text_flags(body, HELD_FLAGS))
    show_name = payload.get("show_name", False)
    if isinstance(show_name, str):
        show_name = show_name in {"1", "on", "true", "yes"}
    return {
        "draft_id": snapshot.id,
        "clause_key": clause,
        "body": body,
        "submitter_type": submitter_type,
        "name": _field(payload, "name", 100, "姓名"),
        "contact": _field(payload, "contact", 200, "联系方式"),
        "region": _field(payload, "region", 100, "地区"),
        "show_name": bool(show_name),
        "status": "pending" if held else "published",
        "client_hash": client_hash,
    }


HELD_FLAGS = frozenset({"spam", "abuse", "pii"})


def client_hash(secret: str, client: str) -> str:
    """A stable pseudonym for a client address: lets floods be seen without storing IPs."""
    return hashlib.sha256(f"{secret}:{client}".encode()).hexdigest()[:16]
