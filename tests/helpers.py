"""Small helpers shared by the HTTP tests."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from comments.storage.models import Comment


def stored_comments(engine: Engine) -> list[Comment]:
    with Session(engine) as session:
        return list(session.exec(select(Comment).order_by(Comment.id)))  # type: ignore[arg-type]


def comment_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Comment)).one())


def csrf_from(html: str) -> str:
    """The CSRF token of the (first) form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)
