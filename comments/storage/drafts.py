"""Draft and clause rows: importing a parsed draft, reading it, editing it, its period actions.

Small keyword-only functions over a Session; a function that commits says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from comments.drafts import DraftTree, Node
from comments.errors import InputError
from comments.period import check_deadline
from comments.storage.auditlog import audit
from comments.storage.models import AuditLog, Clause, Comment, Draft

MAX_TITLE_CHARS = 300

_SLUG_OK = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """An ASCII slug from a file stem; empty when the stem has no ASCII letters or digits."""
    return _SLUG_OK.sub("-", text.lower()).strip("-")[:60]


# File-name words that say nothing about which draft it is ("draft-final-v2", "新建文档" → "").
_EMPTY_WORDS = frozenset(
    [
        "draft",
        "drafts",
        "doc",
        "docx",
        "document",
        "file",
        "untitled",
        "new",
        "final",
        "copy",
        "text",
        "txt",
        "md",
        "zqyj",
        "yjg",
        "version",
        "ver",
        "rev",
        "edit",
        "revised",
        "clean",
        "tmp",
        "temp",
        "upload",
    ]
)
# Digits, a version ("v2"), one letter, or a hash-like hex run with a digit in it
# ("004_f4267cbc581220c7.txt", a name given by a download or a crawler).
_EMPTY_WORD = re.compile(r"^(?:\d+|v\d+|[a-z]|(?=[a-f]*\d)[0-9a-f]{8,})$")


def says_nothing(stem: str) -> bool:
    """True when a slugified file stem is only dates, digits, dashes, hashes or generic words."""
    return all(w in _EMPTY_WORDS or _EMPTY_WORD.match(w) for w in stem.split("-"))


def derived_slug(source_name: str, title: str) -> str:
    """The slug for a draft imported without one: the file stem when it names the draft,
    else the title (ASCII only, so a Chinese title gives ``draft-`` and a short hash of it)."""
    stem = slugify(source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    if stem and not says_nothing(stem):
        return stem
    from_title = slugify(title)
    if from_title and not says_nothing(from_title):
        return from_title
    return "draft-" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]


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
    slug: str | None = None,
    title: str | None = None,
    deadline: date | None = None,
    opens_on: date | None = None,
    organisation: str = "",
    is_example: bool = False,
    status: str = "open",
    actor: str = "cli",
    today: date | None = None,
) -> Draft:
    """Store a parsed draft and its clauses in one transaction (commits). Returns the draft.

    The record kept with it is ``tree.source``. With ``today`` (every import a person asks for:
    the CLI, an upload), a deadline given explicitly may not lie before it.
    """
    if today is not None:
        check_deadline(deadline, today)
    final_title = checked_title(title) if title and title.strip() else tree.title.strip()
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
        final_slug = _unique_slug(session, derived_slug(source_name, final_title))
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
        source_text=tree.source,
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


def draft_by_id(session: Session, draft_id: int) -> Draft | None:
    return session.get(Draft, draft_id)


def has_drafts(session: Session) -> bool:
    return session.exec(select(Draft.id)).first() is not None


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


def checked_title(title: str) -> str:
    """A title a person typed (the upload form, ``--title``, an edit), stripped and checked."""
    title = title.strip()
    if not title:
        raise InputError("missing_title", "标题不能为空。")
    if len(title) > MAX_TITLE_CHARS:
        raise InputError("title_too_long", f"标题不能超过 {MAX_TITLE_CHARS} 个字。")
    return title


def update_draft(
    *, session: Session, draft: Draft, title: str, deadline: date | None, today: date, actor: str
) -> Draft:
    """Correct a draft's title and deadline (commits)."""
    title = checked_title(title)
    if deadline != draft.deadline:
        check_deadline(deadline, today)
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
        check_deadline(draft.deadline, today, message="截止日期已过，请先修改截止日期再发布。")
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
        check_deadline(deadline, today, message="新的截止日期不能早于今天。")
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


def closed_on(session: Session, draft: Draft) -> date | None:
    """The day (UTC) a drafter ended the draft's comment period early, if it is closed now."""
    if draft.status != "closed":
        return None
    when = session.exec(
        select(AuditLog.created_at)
        .where(AuditLog.action == "close_draft", AuditLog.target == draft.slug)
        .order_by(col(AuditLog.id).desc())
        .limit(1)
    ).first()
    return when.date() if when is not None else None
