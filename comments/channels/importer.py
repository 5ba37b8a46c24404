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
from comments.channels.letters import Letter, Problem
from comments.channels.read import read_file
from comments.channels.signature import strip_signature
from comments.channels.split import split_points
from comments.intake.payload import CONTACT_CHARS, NAME_CHARS, clean_text
from comments.intake.validate import HELD_FLAGS
from comments.storage import channels as stored
from comments.storage.models import Draft


@dataclass
class FileReport:
    name: str
    created: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sources imported before
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> list[Problem]:
        """The problems that kept something out (not the remarks on imported items)."""
        return [p for p in self.problems if not p.note]

    def lines(self) -> list[str]:
        """The report in words, as the CLI prints it."""
        waiting = sum(1 for c in self.created if c["waiting"])
        head = (
            f"{self.name}：导入 {len(self.created)} 条（待确认条款 {waiting} 条），"
            f"已导入过 {len(self.skipped)} 件，未导入 {len(self.refused)} 项"
        )
        return [head, *(f"  - {p.where}：{p.message}" for p in self.problems)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "created": self.created,
            "already_imported": self.skipped,
            "problems": [
                {"where": p.where, "message": p.message, "imported": p.note} for p in self.problems
            ],
        }


def clause_index(session: Session, draft_id: int) -> ClauseIndex:
    return ClauseIndex(
        [
            ClauseRef(c.key, c.kind, c.label, c.number, c.heading, c.text, c.parent_key)
            for c in storage.clauses_of(session, draft_id)
        ]
    )


@dataclass(frozen=True)
class _Rules:
    """What every imported comment is held to, as a web comment is."""

    max_chars: int
    closed_on: date | None  # the day a drafter ended the period early


def import_files(
    engine: Engine,
    draft: Draft,
    files: Sequence[tuple[str, bytes]],
    *,
    actor: str,
    max_chars: int,
) -> list[FileReport]:
    """Import every file; per file, what was created, skipped and refused.

    Each comment is cleaned and limited as on the web (``clean_text``, ``max_chars``); a
    message sent after the deadline, or after the day the period was ended early, is refused.
    """
    assert draft.id is not None
    with Session(engine) as session:
        index = clause_index(session, draft.id)
        rules = _Rules(max_chars, storage.closed_on(session, draft))
    reports = []
    for name, data in files:
        report = FileReport(name)
        result = read_file(name, data)
        report.problems.extend(result.problems)
        for letter in result.letters:
            _import_one(engine, draft, index, letter, report, actor, rules)
        reports.append(report)
    return reports


def _late(draft: Draft, letter: Letter, rules: _Rules) -> str | None:
    if letter.received is None:
        return None
    if draft.deadline is not None and letter.received > draft.deadline:
        return f"收到于 {letter.received}，晚于截止日期 {draft.deadline}，未导入"
    if rules.closed_on is not None and letter.received > rules.closed_on:
        return f"收到于 {letter.received}，征求意见已于 {rules.closed_on} 提前结束，未导入"
    return None


def _import_one(
    engine: Engine,
    draft: Draft,
    index: ClauseIndex,
    letter: Letter,
    report: FileReport,
    actor: str,
    rules: _Rules,
) -> None:
    assert draft.id is not None
    where = letter.label or letter.subject or letter.source
    late = _late(draft, letter, rules)
    if late:
        report.problems.append(Problem(where, late))
        return
    whole = clean_text(letter.text, multiline=True)
    if not whole:
        report.problems.append(Problem(where, "内容为空（只有空白或不可见字符），未导入"))
        return
    # The published comments leave out a closing signature; the message keeps it whole.
    signed = strip_signature(whole, letter.sender)
    pieces = [p.strip() for p in split_points(signed.text) if p.strip()]  # of cleaned text
    if not pieces:
        report.problems.append(Problem(where, "除署名外没有意见内容，未导入"))
        return
    longest = max(pieces, key=len)
    if len(longest) > rules.max_chars:
        what = "意见" if len(pieces) == 1 else f"其中一条意见（共 {len(pieces)} 条）"
        report.problems.append(
            Problem(
                where,
                f"{what}有 {len(longest)} 字，超过每条 {rules.max_chars} 字的上限，整件未导入；"
                "请拆分后再导入",
            )
        )
        return
    hint = letter.clause_hint if len(pieces) == 1 else ""
    if hint and not index.knows(hint):
        report.problems.append(
            Problem(where, f"草案中没有找到条款“{hint[:40]}”，已按内容推断条款", note=True)
        )
    made = []
    for text in pieces:
        guess = index.infer(text, hint)
        held = bool(comment_flags(text, HELD_FLAGS))
        if guess.confident:
            piece = stored.Piece(text, guess.key, guess.confidence, None, _status(held))
        else:
            piece = stored.Piece(text, None, guess.confidence, guess.key or "", _status(held))
        made.append((piece, guess))
    source = stored.source_key(letter.source)
    with Session(engine) as session:
        known = [source] + ([stored.source_key(letter.also)] if letter.also else [])
        if any(stored.message_by_source(session, draft.id, key) is not None for key in known):
            report.skipped.append(letter.source)
            return
        _, comments = stored.store_message(
            session,
            draft,
            channel=letter.channel,
            source=source,
            text=whole,
            sender=clean_text(letter.sender or signed.name, multiline=False)[:NAME_CHARS],
            contact=clean_text(letter.contact, multiline=False)[:CONTACT_CHARS],
            subject=clean_text(letter.subject, multiline=False),
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
