"""Who may act on which draft, drafter sessions and the login lock-out.

``authorise`` is the one authorisation rule, shared by the drafter pages and the JSON API.
Sessions are signed cookies (itsdangerous) that expire; they carry a fingerprint of the password
hash, so resetting a password ends every session of that account. Failed logins are counted in
the database (``storage/logins.py``), so the lock-out holds across processes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from comments import messages
from comments.errors import InputError
from comments.storage import logins
from comments.storage.drafters import drafter_by_id
from comments.storage.logins import LoginResult, login
from comments.storage.models import Draft, Drafter, utcnow

__all__ = [
    "SESSION_COOKIE",
    "LoginResult",
    "authorise",
    "drafter_from_session",
    "end_session",
    "login",
    "require_admin",
    "session_value",
]

SESSION_COOKIE = "drafter_session"
SESSION_SECONDS = 8 * 3600


def authorise(drafter: Drafter | None, draft: Draft) -> None:
    """Raise ``InputError`` unless the drafter may act on the draft.

    Anonymous: 401. A drafter of another organisation: 403. Admins may act on every draft.
    """
    if drafter is None or not drafter.active:
        raise InputError("unauthorised", messages.LOGIN_REQUIRED, status=401)
    if drafter.role == "admin":
        return
    if not drafter.organisation or drafter.organisation != draft.organisation:
        raise InputError("forbidden", "您无权处理其他单位的草案。", status=403)


def require_admin(drafter: Drafter | None) -> None:
    """Raise ``InputError`` (401/403) unless the drafter is an admin."""
    if drafter is None or not drafter.active:
        raise InputError("unauthorised", messages.LOGIN_REQUIRED, status=401)
    if drafter.role != "admin":
        raise InputError("forbidden", "只有管理员可以进行此操作。", status=403)


# ---------------------------------------------------------------- sessions


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="drafter-session")


def _password_mark(drafter: Drafter) -> str:
    return hashlib.sha256(drafter.password_hash.encode()).hexdigest()[:16]


def session_value(secret: str, drafter: Drafter) -> str:
    """The signed, timestamped cookie value for a logged-in drafter, with a session id of its
    own so that logging out can end this session (and only this one)."""
    data = {"id": drafter.id, "pw": _password_mark(drafter), "sid": secrets.token_hex(16)}
    return _serializer(secret).dumps(data)


def session_id(secret: str, value: str | None) -> str | None:
    """The id of a validly signed session cookie (expired or not), for logging it out."""
    if not value:
        return None
    try:
        data = _serializer(secret).loads(value)
    except BadSignature:
        return None
    sid = data.get("sid") if isinstance(data, dict) else None
    return sid if isinstance(sid, str) else None


def end_session(session: Session, secret: str, value: str | None) -> None:
    """Log a session out for good: its cookie stops working even if someone kept a copy."""
    sid = session_id(secret, value)
    if sid is not None:
        logins.end_session(session, sid, utcnow() + timedelta(seconds=SESSION_SECONDS))


def drafter_from_session(
    session: Session, secret: str, value: str | None, *, max_age: int = SESSION_SECONDS
) -> Drafter | None:
    """The active drafter a session cookie names, or None (bad, expired, or stale cookie)."""
    if not value:
        return None
    try:
        data = _serializer(secret).loads(value, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    sid = data.get("sid")
    if not isinstance(sid, str) or logins.session_ended(session, sid):
        return None
    drafter = drafter_by_id(session, data["id"])
    if drafter is None or not drafter.active or data.get("pw") != _password_mark(drafter):
        return None
    return drafter
