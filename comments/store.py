"""The only place that writes rows (besides the comment writer's batched insert in intake.py).

Small keyword-only functions over a Session; callers own the transaction unless a function says
it commits.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import func
from sqlmodel import Session, col, select

from comments.drafts import DraftTree, Node
from comments.errors import InputError
from comments.models import (
    DRAFTER_ROLES,
    AuditLog,
    Clause,
    Comment,
    Draft,
    Drafter,
)

_SLUG_OK = re.compile(r"[^a-z0-9]+")
_password_hasher = PasswordHasher()


# ---------------------------------------------------------------- drafts


def slugify(text: str) -> str:
    """An ASCII slug from a file stem; empty when the stem has no ASCII letters or digits."""
    return _SLUG_OK.sub("-", text.lower()).strip("-")[:60]


def _unique_slug(session: Session, wanted: str) -> str:
    slug, n = wanted, 1
    while session.exec(select(Draft.id).where(Draft.slug == slug)).first() is not None:
        n += 1
        slug = f"{wanted}-{n}"
    return slug


def flatten(tree: DraftTree, draft_id: int) -> Iterator[Clause]:
    """Clause rows for every node of the tree, in document order."""
    position = 0

    def visit(node: Node, parent: str | None, depth: int) -> Iterator[Clause]:
        nonlocal position
        position += 1
        yield Clause(
            draft_id=draft_id,
            key=node.key,
            parent_key=parent,
            position=position,
            depth=depth,
            kind=node.kind,
            label=node.label,
            number=node.number,
            heading=node.heading,
            text=node.text,
            rows_json=json.dumps(node.rows, ensure_ascii=False) if node.rows is not None else None,
        )
        for child in node.children:
            yield from visit(child, node.key, depth + 1)

    for top in tree.nodes:
        yield from visit(top, None, 0)


def import_draft(
    *,
    session: Session,
    tree: DraftTree,
    source_name: str,
    source_text: str,
    slug: str | None = None,
    title: str | None = None,
    deadline: date | None = None,
    opens_on: date | None = None,
    organisation: str = "",
    is_example: bool = False,
    status: str = "open",
    actor: str = "cli",
) -> Draft:
    """Store a parsed draft and its clauses in one transaction (commits). Returns the draft."""
    final_title = (title or tree.title or "").strip()
    if not final_title:
        raise InputError("missing_title", "无法从文件中识别草案标题，请用 --title 指定。")
    if not any(True for _ in tree.walk()):
        raise InputError("empty_draft", "草案没有可供征求意见的内容。")
    if slug is not None:
        wanted = slugify(slug)
        if not wanted or wanted != slug:
            raise InputError("bad_slug", f"短名 {slug!r} 只能由小写字母、数字和连字符组成。")
        if session.exec(select(Draft.id).where(Draft.slug == slug)).first() is not None:
            raise InputError("slug_taken", f"短名 {slug!r} 已被其他草案使用。", status=409)
        final_slug = slug
    else:
        stem = slugify(source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0])
        if not stem or stem.isdigit():
            digest = hashlib.sha1(source_text.encode("utf-8")).hexdigest()[:8]
            stem = f"draft-{digest}"
        final_slug = _unique_slug(session, stem)
    draft = Draft(
        slug=final_slug,
        title=final_title,
        issuer=tree.issuer,
        contact=tree.contact,
        organisation=organisation,
        opens_on=opens_on,
        deadline=deadline if deadline is not None else tree.deadline,
        status=status,
        is_example=is_example,
        source_name=source_name,
        source_text=source_text,
    )
    session.add(draft)
    session.flush()
    assert draft.id is not None
    session.add_all(list(flatten(tree, draft.id)))
    session.add(
        AuditLog(
            actor=actor,
            action="import_draft",
            target=final_slug,
            detail=json.dumps({"source": source_name, "title": final_title}, ensure_ascii=False),
        )
    )
    session.commit()
    session.refresh(draft)
    return draft


def draft_by_slug(session: Session, slug: str) -> Draft | None:
    return session.exec(select(Draft).where(Draft.slug == slug)).first()


def clauses_of(session: Session, draft_id: int) -> list[Clause]:
    return list(
        session.exec(
            select(Clause).where(Clause.draft_id == draft_id).order_by(col(Clause.position))
        )
    )


def clause_keys(session: Session, draft_id: int) -> frozenset[str]:
    return frozenset(session.exec(select(Clause.key).where(Clause.draft_id == draft_id)))


def clause_by_key(session: Session, draft_id: int, key: str) -> Clause | None:
    return session.exec(
        select(Clause).where(Clause.draft_id == draft_id, Clause.key == key)
    ).first()


def comment_counts(session: Session, draft_id: int) -> dict[str | None, int]:
    """Published comments per clause key (``None``: on the whole draft)."""
    rows = session.exec(
        select(Comment.clause_key, func.count())
        .where(Comment.draft_id == draft_id, Comment.status == "published")
        .group_by(Comment.clause_key)
    )
    return {key: count for key, count in rows}


@dataclass(frozen=True)
class DraftSummary:
    draft: Draft
    comments: int


def list_drafts(session: Session, *, include_unpublished: bool = False) -> list[DraftSummary]:
    counts = dict(
        session.exec(
            select(Comment.draft_id, func.count())
            .where(Comment.status == "published")
            .group_by(Comment.draft_id)
        ).all()
    )
    query = select(Draft).order_by(col(Draft.created_at).desc(), col(Draft.id).desc())
    if not include_unpublished:
        query = query.where(Draft.status != "unpublished")
    return [DraftSummary(d, counts.get(d.id, 0)) for d in session.exec(query)]


def status_counts(session: Session, draft_id: int) -> dict[str, int]:
    """Comments per status (published / pending / hidden)."""
    rows = session.exec(
        select(Comment.status, func.count())
        .where(Comment.draft_id == draft_id)
        .group_by(Comment.status)
    )
    return {status: count for status, count in rows}


def comment_ids_with_status(session: Session, draft_id: int, status: str) -> set[int]:
    rows = session.exec(
        select(Comment.id).where(Comment.draft_id == draft_id, Comment.status == status)
    )
    return {i for i in rows if i is not None}


def comment_by_receipt(session: Session, receipt: str) -> tuple[Comment, Draft] | None:
    row = session.exec(
        select(Comment, Draft)
        .join(Draft, col(Draft.id) == col(Comment.draft_id))
        .where(Comment.receipt == receipt)
    ).first()
    return (row[0], row[1]) if row else None


def comments_of(session: Session, draft_id: int) -> Sequence[Comment]:
    return session.exec(
        select(Comment).where(Comment.draft_id == draft_id).order_by(col(Comment.id))
    ).all()


# ---------------------------------------------------------------- the comment period


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def period_state(draft: Draft, today: date) -> str:
    """``open``, ``not_yet`` (before opens_on), ``ended`` (deadline passed) or ``closed``."""
    if draft.status == "closed":
        return "closed"
    if draft.status == "unpublished":
        return "unpublished"
    if draft.opens_on is not None and today < draft.opens_on:
        return "not_yet"
    if draft.deadline is not None and today > draft.deadline:
        return "ended"
    return "open"


# ---------------------------------------------------------------- drafters


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


def verify_password(drafter: Drafter, password: str) -> bool:
    try:
        return _password_hasher.verify(drafter.password_hash, password)
    except Exception:  # argon2 raises several mismatch/invalid-hash types
        return False


# ---------------------------------------------------------------- the drafters' workspace

MAX_TITLE_CHARS = 300
MAX_REASON_CHARS = 2000


def audit(session: Session, *, actor: str, action: str, target: str, detail: object) -> None:
    """Add an audit row (who, what, on what, why) to the caller's transaction."""
    text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    session.add(AuditLog(actor=actor, action=action, target=target[:255], detail=text))


def drafts_for_drafter(session: Session, drafter: Drafter) -> list[DraftSummary]:
    """Every draft the drafter may manage (an admin: all), unpublished ones included."""
    summaries = list_drafts(session, include_unpublished=True)
    if drafter.role == "admin":
        return summaries
    return [
        s
        for s in summaries
        if s.draft.organisation and s.draft.organisation == drafter.organisation
    ]


def update_draft(
    *, session: Session, draft: Draft, title: str, deadline: date | None, today: date, actor: str
) -> Draft:
    """Correct a draft's title and deadline (commits)."""
    title = title.strip()
    if not title:
        raise InputError("missing_title", "标题不能为空。")
    if len(title) > MAX_TITLE_CHARS:
        raise InputError("title_too_long", f"标题不能超过 {MAX_TITLE_CHARS} 个字。")
    if deadline is not None and deadline < today and deadline != draft.deadline:
        raise InputError("deadline_past", "截止日期不能早于今天。")
    before = {
        "title": draft.title,
        "deadline": draft.deadline.isoformat() if draft.deadline else None,
    }
    draft.title, draft.deadline = title, deadline
    session.add(draft)
    after = {"title": title, "deadline": deadline.isoformat() if deadline else None}
    audit(
        session,
        actor=actor,
        action="edit_draft",
        target=draft.slug,
        detail={"before": before, "after": after},
    )
    session.commit()
    session.refresh(draft)
    return draft


def set_period(
    *,
    session: Session,
    draft: Draft,
    action: str,
    today: date,
    actor: str,
    deadline: date | None = None,
) -> Draft:
    """Publish a draft, close its comment period early, or extend it to a new deadline (commits)."""
    if action == "publish":
        if draft.status != "unpublished":
            raise InputError("already_published", "这份草案已经发布。", status=409)
        if draft.deadline is not None and draft.deadline < today:
            raise InputError("deadline_past", "截止日期已过，请先修改截止日期再发布。")
        draft.status = "open"
        if draft.opens_on is None:
            draft.opens_on = today
    elif action == "close":
        if draft.status != "open":
            raise InputError("not_open", "只有正在征求意见的草案才能结束征求意见。", status=409)
        draft.status = "closed"
    elif action == "extend":
        if draft.status == "unpublished":
            raise InputError("not_published", "草案尚未发布，请直接修改截止日期。", status=409)
        if deadline is None:
            raise InputError("missing_deadline", "请填写新的截止日期。")
        if deadline < today:
            raise InputError("deadline_past", "新的截止日期不能早于今天。")
        if draft.deadline is not None and deadline <= draft.deadline:
            raise InputError(
                "not_later", f"新的截止日期应晚于原截止日期 {draft.deadline.isoformat()}。"
            )
        draft.deadline = deadline
        draft.status = "open"
    else:
        raise InputError("bad_action", "不支持的操作。")
    session.add(draft)
    detail = {
        "status": draft.status,
        "deadline": draft.deadline.isoformat() if draft.deadline else None,
    }
    audit(session, actor=actor, action=f"{action}_draft", target=draft.slug, detail=detail)
    session.commit()
    session.refresh(draft)
    return draft


def audit_log(
    session: Session,
    *,
    limit: int = 200,
    offset: int = 0,
    target_prefix: str = "",
    draft_slug: str = "",
) -> list[AuditLog]:
    """Audit rows, newest first; ``draft_slug``: the draft's own rows and its comments' rows."""
    query = select(AuditLog).order_by(col(AuditLog.id).desc())
    if target_prefix:
        query = query.where(col(AuditLog.target).startswith(target_prefix))
    if draft_slug:
        target = col(AuditLog.target)
        query = query.where(
            (target == draft_slug)
            | target.startswith(f"{draft_slug}#", autoescape=True)
            | target.startswith(f"{draft_slug}:", autoescape=True)
        )
    return list(session.exec(query.offset(offset).limit(limit)))


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
