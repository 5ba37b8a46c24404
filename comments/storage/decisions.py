"""Adoption decisions (意见采纳情况): what each comment's decision is, and the public report.

A decision is taken on a cluster, a suggestion or one comment and stored with the comments it
covered at that moment (``DecisionMember``). A comment's effective decision is the most specific
one covering it: its own, then a suggestion's, then its cluster's — so a member can be overridden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from analysis import Decision as AnalysisDecision
from analysis import mask_pii
from comments import views
from comments.storage import review
from comments.storage.comments import comment_ids_with_status
from comments.storage.drafts import clauses_of
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
    """The effective decision on a comment, or None while it has none (shown on the receipt)."""
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
    session: Session, draft_id: int, published: set[int] | None = None
) -> dict[int, list[int]]:
    """decision id -> the published comments for which it is the effective decision.

    Hidden and held comments drop out, and a comment covered by several decisions (a cluster's
    and its own) counts once, under the most specific one, so no figure counts it twice.
    ``published``: the draft's published comment ids, when the caller has them already.
    """
    if published is None:
        published = comment_ids_with_status(session, draft_id, "published")
    covering = {
        decision_id: [m for m in members if m in published]
        for decision_id, members in review.decision_members(session, draft_id).items()
    }
    effective = effective_by_comment(review.decisions_of(session, draft_id), covering)
    return {
        decision_id: [m for m in members if (effective[m].id == decision_id)]
        for decision_id, members in covering.items()
    }


@dataclass(frozen=True)
class FeedbackItem:
    kind: str
    label: str
    comments: int
    outcome: str
    reason: str


@dataclass(frozen=True)
class FeedbackClause:
    key: str | None
    title: str
    items: tuple[FeedbackItem, ...]


@dataclass(frozen=True)
class FeedbackReport:
    """The public 意见采纳情况: per clause the points raised, the decision and the reason."""

    total_comments: int
    clauses: tuple[FeedbackClause, ...]
    by_outcome: dict[str, tuple[int, int]]  # outcome -> (points, comments)

    @property
    def empty(self) -> bool:
        return not self.clauses


def feedback_report(session: Session, draft_id: int) -> FeedbackReport:
    """Built from the stored decisions alone (no digest needed); no personal data in it."""
    decisions = review.decisions_of(session, draft_id)
    published = comment_ids_with_status(session, draft_id, "published")
    members = published_members(session, draft_id, published)
    clauses = clauses_of(session, draft_id)
    order = {c.key: c.position for c in clauses}
    titles: dict[str | None, str] = {c.key: views.clause_title(c) for c in clauses}
    titles[None] = "总体意见"
    grouped: dict[str | None, list[FeedbackItem]] = {}
    by_outcome: dict[str, tuple[int, int]] = {}
    for d in decisions:
        assert d.id is not None
        count = len(members.get(d.id, []))
        if count == 0:
            continue  # every comment behind it was hidden since
        label = mask_pii(d.label) if d.target_kind != "comment" else f"意见 #{d.target_id}"
        item = FeedbackItem(d.target_kind, label, count, d.outcome, mask_pii(d.reason))
        grouped.setdefault(d.clause_key, []).append(item)
        points, total = by_outcome.get(d.outcome, (0, 0))
        by_outcome[d.outcome] = (points + 1, total + count)
    keys = sorted(grouped, key=lambda k: -1 if k is None else order.get(k, 10**9))
    return FeedbackReport(
        total_comments=len(published),
        clauses=tuple(
            FeedbackClause(
                k,
                titles.get(k, k or ""),
                tuple(sorted(grouped[k], key=lambda i: (-i.comments, i.label))),
            )
            for k in keys
        ),
        by_outcome=by_outcome,
    )
