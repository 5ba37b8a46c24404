"""Adoption decisions (意见采纳情况): what each comment's decision is, and the current report.

A decision is taken on a cluster, a suggestion or one comment and stored with the comments it
covered at that moment (``DecisionMember``). A comment's effective decision is the most specific
one covering it: its own, then a suggestion's, then its cluster's — so a member can be overridden.
Decisions are internal (drafters only) until published: the public reads ``publications.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from analysis import Decision as AnalysisDecision
from analysis import (
    Digest,
    FeedbackReport,
    OpenPoint,
    build_feedback_report,
    counted_decisions,
    mask_pii,
    open_points,
)
from comments.storage import review
from comments.storage.comments import comment_ids_with_status
from comments.storage.models import Comment, Decision

KIND_LABELS = {"cluster": "观点", "suggestion": "修改建议", "comment": "单条意见"}
SPECIFICITY = {"comment": 0, "suggestion": 1, "cluster": 2}


@dataclass(frozen=True)
class CommentDecision:
    """The decision that applies to one comment, for its receipt page."""

    outcome: str
    reason: str
    kind: str
    label: str
    decided_at: datetime

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def most_specific(decisions: Iterable[Decision]) -> Decision | None:
    ordered = sorted(decisions, key=lambda d: (SPECIFICITY.get(d.target_kind, 9), -(d.id or 0)))
    return ordered[0] if ordered else None


def decision_for_comment(session: Session, comment: Comment) -> CommentDecision | None:
    """The effective decision on a comment as recorded, published or not (drafters only; the
    receipt shows ``publications.published_decision``)."""
    if comment.id is None or comment.status != "published":
        return None
    decision = most_specific(review.decisions_covering(session, comment.id))
    if decision is None:
        return None
    return CommentDecision(
        outcome=decision.outcome,
        reason=mask_pii(decision.reason),
        kind=decision.target_kind,
        label=mask_pii(decision.label) if decision.target_kind != "comment" else "",
        decided_at=decision.decided_at,
    )


def effective_by_comment(
    decisions: Sequence[Decision], members: dict[int, list[int]]
) -> dict[int, Decision]:
    """comment id -> its effective decision, from decisions and their member ids."""
    by_comment: dict[int, list[Decision]] = {}
    for decision in decisions:
        assert decision.id is not None
        for comment_id in members.get(decision.id, []):
            by_comment.setdefault(comment_id, []).append(decision)
    result: dict[int, Decision] = {}
    for comment_id, covering in by_comment.items():
        best = most_specific(covering)
        if best is not None:
            result[comment_id] = best
    return result


def for_analysis(
    decisions: Sequence[Decision], members: Mapping[int, Sequence[int]] | None = None
) -> list[AnalysisDecision]:
    """Stored decisions as the analysis library's ``Decision`` (for the feedback report).

    ``members``: decision id -> the comments it covers that are still published
    (``published_members``), so that feedback.md counts what the public feedback page counts.
    The report is public: labels and reasons are masked (a suggestion's wording or a cluster's
    opening words may carry a phone number).
    """
    return [
        AnalysisDecision(
            target_kind=d.target_kind,
            target_id=d.target_id,
            outcome=d.outcome,
            reason=mask_pii(d.reason),
            clause=d.clause_key,
            label=mask_pii(d.label),
            members=tuple(members.get(d.id or 0, ())) if members is not None else None,
        )
        for d in decisions
    ]


def published_members(
    decisions: Sequence[Decision], covering: dict[int, list[int]]
) -> dict[int, list[int]]:
    """decision id -> the published comments for which it is the effective decision.

    ``covering``: decision id -> the published comments it covers (hidden and held ones left
    out). A comment covered by several decisions (a cluster's and its own) counts once, under
    the most specific one, so no figure counts it twice.
    """
    effective = effective_by_comment(decisions, covering)
    return {
        decision_id: [m for m in members if (effective[m].id == decision_id)]
        for decision_id, members in covering.items()
    }


@dataclass(frozen=True)
class Snapshot:
    """The feedback report as it stands, with what a publication keeps of each decision.

    ``entries[i]`` is a counted decision as published (JSON-ready) and ``members[i]`` the
    comments it applies to; decisions that count no comment (all hidden since, or overridden
    by more specific ones) are not among them.
    """

    report: FeedbackReport
    entries: list[dict[str, Any]]
    members: list[tuple[int, ...]]
    open: list[OpenPoint]  # the points still to decide, for the drafters' page
    # (kind, id) -> published comments a decision covers that a more specific one decides
    overridden: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def uncovered(self) -> dict[tuple[str, str], int]:
        """(kind, id) of a decided point -> its comments its decision does not cover (they
        arrived or were merged into it after the decision)."""
        return {(p.kind, p.id): p.comments for p in self.open if p.decided}

    @property
    def figures(self) -> dict[str, int]:
        return {
            "comments": self.report.comments,
            "decided": sum(len(m) for m in self.members),
            "points": self.report.points,
        }


def feedback_snapshot(session: Session, draft_id: int, digest: Digest) -> Snapshot:
    """The current report from the stored decisions and a (fresh) digest; internal until
    published. Its figures are ``analysis.build_feedback_report``'s, as on every surface."""
    stored = review.decisions_of(session, draft_id)
    published = comment_ids_with_status(session, draft_id, "published")
    covering = {
        decision_id: [m for m in members if m in published]
        for decision_id, members in review.decision_members(session, draft_id).items()
    }
    effective = published_members(stored, covering)
    overridden = {
        (d.target_kind, d.target_id): len(covering[d.id]) - len(effective[d.id])
        for d in stored
        if d.id in covering and len(covering[d.id]) > len(effective[d.id])
    }
    analysed = for_analysis(stored, effective)
    report = build_feedback_report(digest, analysed)
    entries, members = [], []
    for decision, counted in zip(stored, counted_decisions(digest, analysed), strict=True):
        if not counted.members:
            continue
        entries.append(
            {
                "kind": decision.target_kind,
                "target": decision.target_id,
                "outcome": decision.outcome,
                "reason": mask_pii(decision.reason),
                "label": counted.title,
                "comments": len(counted.members),
                "decided_at": decision.decided_at.isoformat(),
            }
        )
        members.append(counted.members)
    return Snapshot(report, entries, members, open_points(digest, analysed), overridden)


@dataclass(frozen=True)
class DecisionNotes:
    """What a decision form says beside a decision (``Snapshot`` has the same two fields)."""

    uncovered: dict[tuple[str, str], int]
    overridden: dict[tuple[str, str], int]


def decision_notes(
    session: Session, draft_id: int, digest: Digest, stored: Sequence[Decision]
) -> DecisionNotes | Snapshot:
    """The notes of the decision forms on a clause or point page; with no decision recorded
    there is nothing to say and the report is not built."""
    if not stored:
        return DecisionNotes({}, {})
    return feedback_snapshot(session, draft_id, digest)


def feedback_report(session: Session, draft_id: int, digest: Digest) -> FeedbackReport:
    """The current (unpublished) report: what ``发布采纳情况`` would publish now."""
    return feedback_snapshot(session, draft_id, digest).report
