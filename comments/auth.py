"""Who may act on which draft, drafter sessions and the login lock-out.

``authorise`` is the one authorisation rule, shared by the drafter pages and the JSON API.
Sessions are signed cookies (itsdangerous) that expire; they carry a fingerprint of the password
hash, so resetting a password ends every session of that account. Failed logins are counted in
the database (``storage/logins.py``), so the lock-out holds across processes.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from comments import messages
from comments.errors import InputError
from comments.intake.ratelimit import RateLimiter
from comments.storage import logins
from comments.storage.drafters import drafter_by_id
from comments.storage.logins import LoginResult, login
from comments.storage.models import Draft, Drafter, utcnow

T = TypeVar("T")

__all__ = [
    "LoginGate",
    "SESSION_COOKIE",
    "LoginResult",
    "authorise",
    "drafter_from_session",
    "end_session",
    "login",
    "may_act",
    "require_admin",
    "session_value",
]

SESSION_COOKIE = "drafter_session"
SESSION_SECONDS = 8 * 3600


def may_act(drafter: Drafter, draft: Draft) -> bool:
    """The one rule: admins act on every draft, a drafter on the drafts of their organisation,
    and every drafter on the bundled example draft (so the first account can try the workspace)."""
    if not drafter.active:
        return False
    if drafter.role == "admin" or draft.is_example:
        return True
    return bool(drafter.organisation) and drafter.organisation == draft.organisation


def authorise(drafter: Drafter | None, draft: Draft) -> None:
    """Raise ``InputError`` unless the drafter may act on the draft (``may_act``).

    Anonymous: 401. A drafter of another organisation: 403.
    """
    if drafter is None or not drafter.active:
        raise InputError("unauthorised", messages.LOGIN_REQUIRED, status=401)
    if not may_act(drafter, draft):
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


class LoginGate:
    """Where logins wait: a per-address limit on attempts, and password checks (argon2, 64 MiB
    and tens of milliseconds each) in a small pool of their own, so that a flood of logins can
    neither starve comment intake of threads nor fill the memory. A full queue answers 429 at once.
    """

    PER_MINUTE = 10  # attempts per address and minute
    WORKERS = 1  # one core stays free for intake on the smallest machine
    QUEUE = 4  # checks waiting or running at once, beyond which a login is refused
    COUNT_WAIT = 8.0  # seconds for the attempt to be counted; then 503 (database unavailable)

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self._pool = ThreadPoolExecutor(max_workers=self.WORKERS, thread_name_prefix="login")
        self._waiting = 0

    async def admit(self, address: str) -> None:
        """Count an attempt from ``address``; raise InputError (429) when it is over its limit."""
        wait = await self.limiter.hit(f"login:{address}", timeout=self.COUNT_WAIT)
        if wait:
            raise InputError(
                "login_rate_limited",
                f"登录尝试过于频繁，请 {wait} 秒后再试。",
                status=429,
                retry_after=wait,
            )

    async def check(self, fn: Callable[[], T]) -> T:
        """Run a password check in the login pool."""
        if self._waiting >= self.QUEUE:
            raise InputError("login_busy", "登录的人太多，请稍后再试。", status=429, retry_after=5)
        self._waiting += 1
        try:
            return await asyncio.wrap_future(self._pool.submit(fn))
        finally:
            self._waiting -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.limiter.close()
