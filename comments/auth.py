"""Who may act on which draft, drafter sessions and the login lock-out.

``authorise`` is the one authorisation rule, shared by the drafter pages and the JSON API.
Sessions are signed cookies (itsdangerous) that expire; they carry a fingerprint of the password
hash, so resetting a password ends every session of that account. Failed logins are counted in
the database (``LoginThrottle``), so the lock-out holds across processes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from comments.errors import InputError
from comments.models import Draft, Drafter, LoginThrottle, utcnow
from comments.store import verify_password

SESSION_COOKIE = "drafter_session"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5  # failures before the first lock-out
FIRST_LOCK = timedelta(minutes=1)  # doubles with every further failure ...
LONGEST_LOCK = timedelta(minutes=30)  # ... up to this
FORGET_AFTER = timedelta(hours=1)  # failures older than this no longer count


def authorise(drafter: Drafter | None, draft: Draft) -> None:
    """Raise ``InputError`` unless the drafter may act on the draft.

    Anonymous: 401. A drafter of another organisation: 403. Admins may act on every draft.
    """
    if drafter is None or not drafter.active:
        raise InputError("unauthorised", "请先登录起草单位账号。", status=401)
    if drafter.role == "admin":
        return
    if not drafter.organisation or drafter.organisation != draft.organisation:
        raise InputError("forbidden", "您无权处理其他单位的草案。", status=403)


def require_admin(drafter: Drafter | None) -> None:
    """Raise ``InputError`` (401/403) unless the drafter is an admin."""
    if drafter is None or not drafter.active:
        raise InputError("unauthorised", "请先登录起草单位账号。", status=401)
    if drafter.role != "admin":
        raise InputError("forbidden", "只有管理员可以进行此操作。", status=403)


# ---------------------------------------------------------------- sessions


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="drafter-session")


def _password_mark(drafter: Drafter) -> str:
    return hashlib.sha256(drafter.password_hash.encode()).hexdigest()[:16]


def session_value(secret: str, drafter: Drafter) -> str:
    """The signed, timestamped cookie value for a logged-in drafter."""
    return _serializer(secret).dumps({"id": drafter.id, "pw": _password_mark(drafter)})


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
    drafter = session.get(Drafter, data["id"])
    if drafter is None or not drafter.active or data.get("pw") != _password_mark(drafter):
        return None
    return drafter


# ---------------------------------------------------------------- login and lock-out


@dataclass(frozen=True)
class LoginResult:
    drafter: Drafter | None
    wait_seconds: int = 0  # > 0: locked out, try again after this long


def _throttle_key(name: str) -> str:
    return name.strip().lower()[:100]


def _locked_for(session: Session, key: str, now: datetime) -> int:
    row = session.get(LoginThrottle, key)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, int((row.locked_until - now).total_seconds() + 0.999))


def _record_failure(session: Session, key: str, now: datetime) -> None:
    # Names that failed long ago and are not locked are forgotten: the table stays small even
    # when someone tries thousands of made-up names.
    session.execute(
        delete(LoginThrottle).where(
            col(LoginThrottle.name) != key,
            col(LoginThrottle.updated_at) < now - FORGET_AFTER,
            or_(col(LoginThrottle.locked_until).is_(None), col(LoginThrottle.locked_until) < now),
        )
    )
    row = session.get(LoginThrottle, key)
    if row is None:
        session.add(LoginThrottle(name=key, failures=0, updated_at=now))
        try:
            session.commit()
        except IntegrityError:  # another process inserted it first
            session.rollback()
    elif row.updated_at < now - FORGET_AFTER:
        row.failures, row.locked_until = 0, None
        session.add(row)
        session.commit()
    # An atomic increment, so concurrent failures from several processes all count.
    session.execute(
        update(LoginThrottle)
        .where(col(LoginThrottle.name) == key)
        .values(failures=col(LoginThrottle.failures) + 1, updated_at=now)
    )
    session.commit()
    row = session.exec(select(LoginThrottle).where(LoginThrottle.name == key)).one()
    session.refresh(row)
    if row.failures >= MAX_FAILURES:
        lock = min(FIRST_LOCK * 2 ** (row.failures - MAX_FAILURES), LONGEST_LOCK)
        row.locked_until = now + lock
        session.add(row)
        session.commit()


def _clear_failures(session: Session, key: str) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None:
        session.delete(row)
        session.commit()


def login(
    session: Session, name: str, password: str, *, now: datetime | None = None
) -> LoginResult:
    """Check a name and password against the database, counting failures per account name.

    While an account name is locked out, even the right password is refused.
    """
    now = now or utcnow()
    key = _throttle_key(name)
    wait = _locked_for(session, key, now)
    if wait:
        return LoginResult(None, wait)
    drafter = session.exec(select(Drafter).where(Drafter.name == name.strip())).first()
    # Verify against a real hash even for unknown names, so timing does not reveal them.
    ok = verify_password(drafter or _DUMMY, password) and drafter is not None and drafter.active
    if not ok:
        _record_failure(session, key, now)
        return LoginResult(None, _locked_for(session, key, now))
    _clear_failures(session, key)
    return LoginResult(drafter)


_DUMMY = Drafter(
    name="",
    password_hash="$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    token_hash="",
)
