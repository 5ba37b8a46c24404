"""The feedback report in two steps: decisions are recorded internally, then published at once.

``storage.decisions.feedback_snapshot`` is the report as it stands (drafters only);
``publish`` stores it as a new publication (who, when, the report and the decisions as
published, an audit row); ``published`` is what every public surface shows — the newest
publication, never the internal decisions. ``changes`` tells the drafters what differs between
the two (decisions added or changed, figures moved).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from analysis import Digest, FeedbackReport
from comments.errors import InputError
from comments.storage import publications
from comments.storage.decisions import Snapshot, feedback_snapshot
from comments.storage.models import Draft, FeedbackPublication

NOTHING_DECIDED = "还没有任何采纳决定，没有可以发布的意见采纳情况。请先对意见要点作出处理，再发布。"
NOTHING_CHANGED = "自上次发布以来没有改动：公开的意见采纳情况已是最新的，无需重新发布。"
_COMPARED = ("outcome", "reason", "label", "comments")


@dataclass(frozen=True)
class Changes:
    """What the current report changes against the last publication."""

    decisions: int  # decisions added, changed or no longer counted since
    comments_then: int
    comments_now: int
    report: bool  # the published report would read differently

    @property
    def any(self) -> bool:
        return self.report


def published(session: Session, draft_id: int) -> tuple[FeedbackPublication, FeedbackReport] | None:
    """The newest publication and its report, or None before the first one."""
    publication = publications.latest_publication(session, draft_id)
    if publication is None:
        return None
    return publication, FeedbackReport.from_dict(publications.report_of(publication))


def changes(snapshot: Snapshot, publication: FeedbackPublication) -> Changes:
    """Compare the current report with a publication (decision by decision, then as a whole)."""

    def keyed(entries: list[dict[str, object]]) -> dict[tuple[object, object], tuple[object, ...]]:
        return {(e["kind"], e["target"]): tuple(e[k] for k in _COMPARED) for e in entries}

    then, now = keyed(publications.entries_of(publication)), keyed(snapshot.entries)
    differing = sum(1 for k in then.keys() | now.keys() if then.get(k) != now.get(k))
    before = FeedbackReport.from_dict(publications.report_of(publication))
    return Changes(
        decisions=differing,
        comments_then=before.comments,
        comments_now=snapshot.report.comments,
        report=before != snapshot.report,
    )


def publish(*, session: Session, draft: Draft, digest: Digest, actor: str) -> FeedbackPublication:
    """Publish the report as it stands now (commits, audited). ``digest`` must be fresh.

    Refused with a clear message when nothing is decided yet, or when nothing changed since the
    last publication (a second identical snapshot would say nothing new).
    """
    assert draft.id is not None
    snapshot = feedback_snapshot(session, draft.id, digest)
    if snapshot.report.empty:
        raise InputError("nothing_to_publish", NOTHING_DECIDED)
    last = publications.latest_publication(session, draft.id)
    if last is not None and not changes(snapshot, last).any:
        raise InputError("nothing_changed", NOTHING_CHANGED, status=409)
    return publications.add_publication(
        session=session,
        draft=draft,
        report=snapshot.report.to_dict(),
        entries=snapshot.entries,
        members=snapshot.members,
        figures=snapshot.figures,
        actor=actor,
    )
