"""Drafter rows: accounts, passwords (argon2) and API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from comments.errors import InputError
from comments.storage.auditlog import audit
from comments.storage.models import DRAFTER_ROLES, AuditLog, Drafter

_password_hasher = PasswordHasher()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_drafter(
    *, session: Session, name: str, organisation: str = "", role: str = "drafter"
) -> tuple[Drafter, str, str]:
    """Create a drafter; returns (drafter, password, token). Both secrets are shown only once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("bad_name", "用户名不能为空，且不超过 100 个字符。")
    if role not in DRAFTER_ROLES:
        raise InputError("bad_role", "角色只能是 drafter 或 admin。")
    if session.exec(select(Drafter.id).where(Drafter.name == name)).first() is not None:
        raise InputError("name_taken", f"用户名 {name!r} 已存在。", status=409)
    password = secrets.token_urlsafe(12)
    token = secrets.token_urlsafe(32)
    drafter = Drafter(
        name=name,
        organisation=organisation,
        role=role,
        password_hash=_password_hasher.hash(password),
        token_hash=hash_token(token),
    )
    session.add(drafter)
    session.add(AuditLog(actor="cli", action="add_drafter", target=name, detail=role))
    session.commit()
    session.refresh(drafter)
    return drafter, password, token


def drafter_by_token(session: Session, token: str) -> Drafter | None:
    if not token:
        return None
    return session.exec(select(Drafter).where(Drafter.token_hash == hash_token(token))).first()


def drafter_by_id(session: Session, drafter_id: int) -> Drafter | None:
    return session.get(Drafter, drafter_id)


def drafter_by_name(session: Session, name: str) -> Drafter | None:
    return session.exec(select(Drafter).where(Drafter.name == name.strip())).first()


def verify_password(drafter: Drafter | None, password: str) -> bool:
    """Whether the password is the drafter's. ``None`` (no such account) is checked against a
    hash made with the same parameters, so the time taken does not reveal which names exist."""
    stored = drafter.password_hash if drafter is not None else _dummy_hash(_password_hasher)
    try:
        return _password_hasher.verify(stored, password) and drafter is not None
    except Exception:  # argon2 raises several mismatch/invalid-hash types
        return False


_DUMMIES: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _DUMMIES:
        _DUMMIES[key] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMIES[key]


def all_drafters(session: Session) -> list[Drafter]:
    return list(session.exec(select(Drafter).order_by(col(Drafter.id))))


def add_drafter_as(
    *, session: Session, actor: str, name: str, organisation: str, role: str
) -> tuple[Drafter, str, str]:
    """``add_drafter`` from the admin pages: the audit row names the admin who did it."""
    drafter, password, token = add_drafter(
        session=session, name=name, organisation=organisation, role=role
    )
    row = session.exec(
        select(AuditLog)
        .where(AuditLog.action == "add_drafter", AuditLog.target == drafter.name)
        .order_by(col(AuditLog.id).desc())
    ).first()
    if row is not None:
        row.actor = actor
        session.add(row)
        session.commit()
    return drafter, password, token


def set_drafter_active(*, session: Session, drafter_id: int, active: bool, actor: str) -> Drafter:
    drafter = session.get(Drafter, drafter_id)
    if drafter is None:
        raise InputError("unknown_drafter", "没有这个账号。", status=404)
    if drafter.name == actor and not active:
        raise InputError("self_disable", "不能停用自己的账号。", status=409)
    drafter.active = active
    session.add(drafter)
    audit(
        session,
        actor=actor,
        action="enable_drafter" if active else "disable_drafter",
        target=drafter.name,
        detail="",
    )
    session.commit()
    session.refresh(drafter)
    return drafter


def reset_drafter(*, session: Session, drafter_id: int, actor: str) -> tuple[Drafter, str, str]:
    """New password and token for an account (commits); both are shown once. Old sessions end."""
    drafter = session.get(Drafter, drafter_id)
    if drafter is None:
        raise InputError("unknown_drafter", "没有这个账号。", status=404)
    password = secrets.token_urlsafe(12)
    token = secrets.token_urlsafe(32)
    drafter.password_hash = _password_hasher.hash(password)
    drafter.token_hash = hash_token(token)
    session.add(drafter)
    audit(session, actor=actor, action="reset_drafter", target=drafter.name, detail="")
    session.commit()
    session.refresh(drafter)
    return drafter, password, token
