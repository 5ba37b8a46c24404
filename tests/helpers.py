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


def padded_archive(archive: bytes, *, unpacked: int = 0, members: int = 0) -> bytes:
    """A real .docx / .xlsx with a member of ``unpacked`` zero bytes and ``members`` tiny ones
    added: a small file that unpacks huge, or lists very many members (a "zip bomb")."""
    import io
    import zipfile

    out = io.BytesIO(archive)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as z:
        if unpacked:
            with z.open("padding/zeros.bin", "w", force_zip64=True) as member:
                chunk = bytes(1024 * 1024)
                for _ in range(unpacked // len(chunk)):
                    member.write(chunk)
                member.write(bytes(unpacked % len(chunk)))
        for i in range(members):
            z.writestr(f"padding/{i}.xml", "<a/>")
    return out.getvalue()
