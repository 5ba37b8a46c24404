"""Importing files of comments into a draft: read, split, infer the clause, store.

``import_files`` is the one path for ``comments intake SLUG FILE...`` and the drafters' upload.
Each message is one transaction: a bad item is reported and every other item imported. A
message whose source (Message-ID, file and row) is already stored is skipped, so importing the
same files again creates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from analysis import comment_flags
from comments import storage
from comments.channels.infer import ClauseIndex, ClauseRef
from comments.channels.read import Letter, Problem, read_file
from comments.channels.signature import strip_signature
from comments.channels.split import split_points
from comments.intake.validate import HELD_FLAGS
from comments.storage import channels as stored
from comments.storage.models import Draft

MAX_COMMENT_CHARS = 20_000


@dataclass
class FileReport:
    name: str
    created: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sources imported before
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "created": self.created,
            "already_imported": self.skipped,
            "problems": [{"where": p.where, "message": p.message} for p in self.problems],
        }


def clause_index(session: Session, draft_id: int) -> ClauseIndex:
    return ClauseIndex(
        [
            ClauseRef(c.key, c.kind, c.label, c.number, c.heading, c.text, c.parent_key)
            for c in storage.clauses_of(session, draft_id)
        ]
    )


def import_files(
    engine: Engine, draft: Draft, files: Sequence[tuple[str, bytes]], *, actor: str
) -> list[FileReport]:
    """Import every file; per file, what was created, skipped and refused."""
    assert draft.id is not None
    with Session(engine) as session:
        index = clause_index(session, draft.id)
    reports = []
    for name, data in files:
        report = FileReport(name)
        result = read_file(name, data)
        report.problems.extend(result.problems)
        for letter in result.letters:
            _import_one(engine, draft, index, letter, report, actor)
        reports.append(report)
    return reports


def _import_one(
    engine: Engine,
    draft: Draft,
    index: ClauseIndex,
    letter: Letter,
    report: FileReport,
    actor: str,
) -> None:
    assert draft.id is not None
    where = letter.subject or letter.source
    late = draft.deadline is not None and letter.received is not None
    if late and letter.received > draft.deadline:  # type: ignore[operator]
        report.problems.append(
            Problem(
                where,
                f"收到于 {letter.received}，晚于截止日期 {draft.deadline}，未导入",
            )
        )
        return
    # The published comments leave out a closing signature; the message keeps it whole.
    signed = strip_signature(letter.text, letter.sender)
    pieces = split_points(signed.text)
    if any(len(p) > MAX_COMMENT_CHARS for p in pieces):
        report.problems.append(Problem(where, f"单条意见超过 {MAX_COMMENT_CHARS} 字，未导入"))
        return
    made = []
    for text in pieces:
        guess = index.infer(text, letter.clause_hint if len(pieces) == 1 else "")
        held = bool(comment_flags(text, HELD_FLAGS))
        if guess.confident:
            piece = stored.Piece(text, guess.key, guess.confidence, None, _status(held))
        else:
            piece = stored.Piece(text, None, guess.confidence, guess.key or "", _status(held))
        made.append((piece, guess))
    source = stored.source_key(letter.source)
    with Session(engine) as session:
        if stored.message_by_source(session, draft.id, source) is not None:
            report.skipped.append(letter.source)
            return
        _, comments = stored.store_message(
            session,
            draft,
            channel=letter.channel,
            source=source,
            text=letter.text,
            sender=letter.sender or signed.name,
            contact=letter.contact,
            subject=letter.subject,
            received_on=letter.received,
            submitter_type=letter.submitter_type,
            pieces=[p for p, _ in made],
            actor=actor,
        )
        try:
            session.commit()
        except IntegrityError:  # the same message imported at the same moment by another upload
            session.rollback()
            report.skipped.append(letter.source)
            return
        for comment, (piece, guess) in zip(comments, made, strict=True):
            report.created.append(
                {
                    "id": comment.id,
                    "receipt": comment.receipt,
                    "clause": piece.clause,
                    "proposed_clause": piece.proposed or None,
                    "confidence": guess.confidence,
                    "how": guess.how,
                    "waiting": piece.proposed is not None,
                    "held": piece.status == "pending",
                    "channel": letter.channel,
                    "source": letter.source,
                }
            )


def _status(held: bool) -> str:
    return "pending" if held else "published"


def reply_text(draft: Draft, comments: Sequence[Any], base_url: str, received: date | None) -> str:
    """The answer an office sends back: every receipt number and where to look it up."""
    lines = [
        f"您好！您{'于 ' + received.isoformat() + ' ' if received else ''}就《{draft.title.strip('《》')}》"
        f"提出的意见已收到，共登记 {len(comments)} 条：",
        "",
    ]
    for c in comments:
        lines.append(f"- 回执编号 {c.receipt}：{base_url.rstrip('/')}/receipts/{c.receipt}")
    lines += [
        "",
        "您可以凭回执编号在上述网址查询每条意见的处理情况；征求意见结束后，意见采纳情况将公开。",
        f"{draft.issuer or draft.organisation or '起草单位'}",
    ]
    return "\n".join(lines) + "\n"
