"""Failed-login counters (``LoginThrottle`` rows), the login check that uses them, and sessions
ended by logging out (``EndedSession`` rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from comments.storage.drafters import drafter_by_name, verify_password
from comments.storage.models import Drafter, EndedSession, LoginThrottle, utcnow

MAX_FAILURES = 5  # failures before the first lock-out
FIRST_LOCK = timedelta(minutes=1)  # doubles with every further failure ...
LONGEST_LOCK = timedelta(minutes=30)  # ... up to this
FORGET_AFTER = timedelta(hours=1)  # failures older than this no longer count


@dataclass(frozen=True)
class LoginResult:
    drafter: Drafter | None
    wait_seconds: int = 0  # > 0: locked out, try again after this long


def _throttle_key(name: str, client: str = "") -> str:
    """The lock-out is kept per account name *and* client: someone guessing from one address
    locks only that address out of the account, never the account's owner elsewhere."""
    account = name.strip().lower()[:80]
    return f"{account}@{client[:16]}" if client else account


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
    session: Session, name: str, password: str, *, client: str = "", now: datetime | None = None
) -> LoginResult:
    """Check a name and password against the database, counting failures per account name and
    client (``client``: the address pseudonym; empty from the command line).

    While an account name is locked out for a client, even the right password is refused there.
    """
    now = now or utcnow()
    key = _throttle_key(name, client)
    wait = _locked_for(session, key, now)
    if wait:
        return LoginResult(None, wait)
    drafter = drafter_by_name(session, name)
    ok = verify_password(drafter, password) and drafter is not None and drafter.active
    if not ok:
        _record_failure(session, key, now)
        return LoginResult(None, _locked_for(session, key, now))
    _clear_failures(session, key)
    return LoginResult(drafter)


def end_session(session: Session, sid: str, expires_at: datetime) -> None:
    """Record a logged-out session (commits); rows of sessions past their expiry are dropped."""
    now = utcnow()
    session.execute(delete(EndedSession).where(col(EndedSession.expires_at) < now))
    if session.get(EndedSession, sid) is None:
        session.add(EndedSession(sid=sid, expires_at=expires_at))
    try:
        session.commit()
    except IntegrityError:  # the same cookie logged out twice at once
        session.rollback()


def session_ended(session: Session, sid: str) -> bool:
    return session.get(EndedSession, sid) is not None
