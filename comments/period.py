"""The comment period: the one rule for whether a draft takes comments on a given day.

Intake (when a comment arrives and again inside the writer's transaction), the pages (open,
ended, not yet open) and the drafters' period actions all ask here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from comments import messages
from comments.errors import InputError


class HasPeriod(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def opens_on(self) -> date | None: ...
    @property
    def deadline(self) -> date | None: ...


def today_in(tz: str) -> date:
    """Today's date in the service's time zone (the deadline is the end of that day)."""
    return datetime.now(ZoneInfo(tz)).date()


def period_state(draft: HasPeriod, today: date) -> str:
    """``open``, ``not_yet`` (before opens_on), ``ended`` (deadline passed), ``closed`` (closed
    early by a drafter) or ``unpublished``."""
    if draft.status == "closed":
        return "closed"
    if draft.status == "unpublished":
        return "unpublished"
    if draft.opens_on is not None and today < draft.opens_on:
        return "not_yet"
    if draft.deadline is not None and today > draft.deadline:
        return "ended"
    return "open"


def refusal(draft: HasPeriod | None, today: date) -> InputError | None:
    """Why a comment on this draft must be refused today (None: it may be stored)."""
    if draft is None:
        return messages.draft_not_found()
    state = period_state(draft, today)
    if state == "open":
        return None
    if state == "unpublished":
        return messages.draft_not_found()
    if state == "not_yet":
        assert draft.opens_on is not None
        return InputError(
            "not_open_yet", f"本草案将于 {draft.opens_on.isoformat()} 开始征求意见。", status=403
        )
    if state == "ended":
        assert draft.deadline is not None
        return InputError(
            "closed", f"征求意见已于 {draft.deadline.isoformat()} 截止，不再接收意见。", status=403
        )
    return InputError("closed", "本草案的征求意见已经结束，不再接收意见。", status=403)


def check_open(draft: HasPeriod | None, today: date) -> None:
    """Raise the ``InputError`` of ``refusal`` when the draft does not take comments today."""
    refused = refusal(draft, today)
    if refused is not None:
        raise refused


def check_deadline(deadline: date | None, today: date, *, message: str | None = None) -> None:
    """A new deadline may not lie in the past (uploads, imports from the CLI, edits)."""
    if deadline is not None and deadline < today:
        raise InputError("deadline_past", message or messages.DEADLINE_PAST)
