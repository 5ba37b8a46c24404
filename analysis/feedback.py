"""The feedback report (意见采纳情况说明) as plain data; ``build_feedback_report`` counts it all.

Every figure of the report comes from this one function: the public page, ``feedback.md`` and
``feedback.docx`` render the same ``FeedbackReport``, and the service stores it (``to_dict``) when
the drafters publish. What is counted:

- **收到意见 X**: the published comments of the digest (hidden and held comments are not);
- **去除重复后 Y**: the same with each campaign's copies collapsed into one (``Tally.distinct``);
- **采纳 A / 部分采纳 B / 不予采纳 C / 另行研究 D**: comments, each under its effective decision (its
  own, else a suggestion's, else its cluster's), so that X = A + B + C + D + 尚在研究;
- **尚在研究**: the comments without any decision, and the points (clusters and suggestions of
  the digest with no decision of their own) that still hold such a comment. The report gives
  their numbers per clause but not their titles: those are machine-made from comment text and
  no drafter has looked at them yet.
- a decided **意见要点** is one decision (on a cluster, a suggestion or one comment).

Labels and reasons are masked (``mask_pii``) and flattened to one line; renderers escape them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from analysis.citation import clause_names
from analysis.flags import mask_pii
from analysis.models import GENERAL_KEY, OUTCOMES, Decision, Digest
from analysis.text import INVISIBLE
from analysis.titles import BUCKET_TITLES, draft_citation, feedback_title

PENDING = "尚在研究"
SPECIFICITY = {"comment": 0, "suggestion": 1, "cluster": 2}
BASIS = (
    "统计口径：按意见条数计，已隐藏和待审核的意见不计；“去除重复”指同一内容的批量提交只计一条；"
    "处理结果按每条意见适用的决定计（对单条意见的决定优先于对其所属观点或修改建议的决定）。"
)


def plain(text: str) -> str:
    """User text for a public report: personal data masked, on one line, no invisible marks."""
    return " ".join(INVISIBLE.sub(" ", mask_pii(text)).split())


def number(value: int) -> str:
    return f"{value:,}"


def suggestion_title(operation: str, target: str, proposed: str) -> str:
    """A wording suggestion as a reader says it: 建议将“X”改为“Y” / 建议删除“X” / 建议增加“Y”.

    >>> suggestion_title("insert", "", "先整合、后新建")
    '建议增加“先整合、后新建”'
    """
    if operation == "delete":
        return f"建议删除“{target}”"
    if operation == "insert":
        return f"建议在“{target}”后增加“{proposed}”" if target else f"建议增加“{proposed}”"
    return f"建议将“{target}”改为“{proposed}”"


def _suggestion_label(stored: str) -> str:
    """A stored suggestion label ("将“X”改为“Y”", as older decisions kept it) as a title."""
    return stored if stored.startswith("建议") else f"建议{stored}"


def period_text(opens: date | None, deadline: date | None) -> str:
    """The comment period as offices write it: 2017年8月13日至9月12日."""

    def day(d: date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"

    if opens and deadline:
        end = (
            day(deadline) if deadline.year != opens.year else f"{deadline.month}月{deadline.day}日"
        )
        return f"{day(opens)}至{end}"
    if deadline:
        return f"截至{day(deadline)}"
    if opens:
        return f"自{day(opens)}起"
    return "征求意见期间"


@dataclass(frozen=True)
class FeedbackItem:
    """One decided point: what it says, how many comments, the outcome and the reason."""

    kind: str  # cluster | suggestion | comment
    label: str
    comments: int
    copies: int  # of them, copies of a campaign
    outcome: str
    reason: str


@dataclass(frozen=True)
class FeedbackClause:
    """A clause of the report: its citation, its decided points, what is still under study."""

    key: str
    title: str
    items: tuple[FeedbackItem, ...]
    pending_points: int = 0
    pending_comments: int = 0


@dataclass(frozen=True)
class FeedbackReport:
    title: str  # 《…（征求意见稿）》意见采纳情况说明
    draft_title: str  # 《…（征求意见稿）》
    issuer: str
    period: str
    comments: int
    distinct: int
    by_outcome: dict[str, tuple[int, int]]  # outcome -> (points, comments); outcomes with points
    pending_points: int
    pending_comments: int
    clauses: tuple[FeedbackClause, ...]  # clauses with decided points, in document order
    pending: tuple[FeedbackClause, ...]  # clauses with comments still under study (no items)
    refusals: tuple[str, ...]  # the reasons given for 不予采纳, once each

    @property
    def empty(self) -> bool:
        """Nothing decided: there is nothing to publish."""
        return not self.clauses

    @property
    def basis(self) -> str:
        """How the figures are counted, said under them on every surface."""
        return BASIS

    @property
    def points(self) -> int:
        return sum(p for p, _ in self.by_outcome.values())

    def outcome_comments(self, outcome: str) -> int:
        return self.by_outcome.get(outcome, (0, 0))[1]

    def opening(self) -> str:
        issuer = self.issuer or "起草单位"
        if self.period.startswith("截至"):
            # Only a deadline: it says until when, not that the period is over (a report may be
            # published while comments still come in).
            return f"{issuer}就{self.draft_title}公开征求社会各界意见，征求意见{self.period}。"
        return f"{self.period}，{issuer}就{self.draft_title}公开征求社会各界意见。"

    def totals_sentence(self) -> str:
        """共收到意见X条，去除重复后Y条；采纳A条、部分采纳B条、不予采纳C条、另行研究D条（；另有E条尚在研究）。"""
        outcomes = "、".join(f"{o}{number(self.outcome_comments(o))}条" for o in OUTCOMES)
        text = (
            f"共收到意见{number(self.comments)}条，去除重复后{number(self.distinct)}条；{outcomes}"
        )
        if self.pending_comments:
            # Comments that arrived after their point's decision wait without a point of their own.
            points = f"（{number(self.pending_points)}个意见要点）" if self.pending_points else ""
            text += (
                f"；另有{number(self.pending_comments)}条意见{points}尚在研究，处理结果将另行公布"
            )
        return text + "。"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["by_outcome"] = {k: list(v) for k, v in self.by_outcome.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedbackReport:
        def clause(c: dict[str, Any]) -> FeedbackClause:
            items = tuple(FeedbackItem(**i) for i in c["items"])
            return FeedbackClause(**{**c, "items": items})

        return cls(
            **{
                **data,
                "by_outcome": {k: (int(v[0]), int(v[1])) for k, v in data["by_outcome"].items()},
                "clauses": tuple(clause(c) for c in data["clauses"]),
                "pending": tuple(clause(c) for c in data["pending"]),
                "refusals": tuple(data["refusals"]),
            }
        )


@dataclass(frozen=True)
class OpenPoint:
    """A cluster or suggestion of the digest with comments that have no decision at all (shown
    to the drafters as still to decide): it has no decision of its own, or (``decided``) its
    decision was taken before those comments arrived or were merged into it."""

    section: str
    kind: str  # cluster | suggestion
    id: str
    title: str
    comments: int  # its comments without any decision
    decided: bool = False


class _Resolved:
    """The decisions against one digest: each one's section, title and the comments it counts."""

    def __init__(self, digest: Digest, decisions: Sequence[Decision]) -> None:
        self.digest = digest
        self.notes = {n.id: n for n in digest.comments if not n.hidden}
        self.clusters = {c.id: (s, c) for s in digest.sections for c in s.clusters}
        self.suggestions = {g.id: (s, g) for s in digest.sections for g in s.suggestions}
        self.decisions = list(decisions)
        self.targets = {(d.target_kind, d.target_id) for d in decisions}
        candidates = [self._candidates(d) for d in self.decisions]
        effective: dict[int, int] = {}
        for i, (d, members) in enumerate(zip(self.decisions, candidates, strict=True)):
            for m in members or ():
                j = effective.get(m)
                mine = SPECIFICITY.get(d.target_kind, 9)
                if j is None or mine < SPECIFICITY.get(self.decisions[j].target_kind, 9):
                    effective[m] = i
        self.effective = effective
        self.known = [members is not None for members in candidates]
        self.members = [
            tuple(m for m in (members or ()) if effective.get(m) == i)
            for i, members in enumerate(candidates)
        ]

    def _candidates(self, d: Decision) -> tuple[int, ...] | None:
        """The published comments a decision may cover; None when nothing says which."""
        if d.members is not None:
            found: Sequence[int] = d.members
        elif d.target_kind == "cluster" and d.target_id in self.clusters:
            found = self.clusters[d.target_id][1].members
        elif d.target_kind == "suggestion" and d.target_id in self.suggestions:
            found = self.suggestions[d.target_id][1].comments
        elif d.target_kind == "comment" and d.target_id.lstrip("#").isdigit():
            found = (int(d.target_id.lstrip("#")),)
        else:
            return None
        return tuple(m for m in found if m in self.notes)

    def section_of(self, i: int) -> str:
        d = self.decisions[i]
        if d.target_kind == "cluster" and d.target_id in self.clusters:
            return self.clusters[d.target_id][0].key
        if d.target_kind == "suggestion" and d.target_id in self.suggestions:
            return self.suggestions[d.target_id][0].key
        if d.target_kind == "comment" and self.members[i]:
            return self.notes[self.members[i][0]].bucket
        return d.clause or GENERAL_KEY

    def title_of(self, i: int) -> str:
        d = self.decisions[i]
        if d.target_kind == "comment":  # by its opening words when the decision kept them
            return plain(d.label) if d.label else f"意见 #{d.target_id.lstrip('#')}"
        if d.target_kind == "cluster" and d.target_id in self.clusters:
            cluster = self.clusters[d.target_id][1]
            return "其他意见" if cluster.remainder else plain(d.label or cluster.label)
        if d.target_kind == "suggestion" and d.target_id in self.suggestions:
            g = self.suggestions[d.target_id][1]
            return plain(suggestion_title(g.operation, g.target, g.proposed))
        if d.label:
            label = plain(d.label)
            return _suggestion_label(label) if d.target_kind == "suggestion" else label
        return f"意见要点 {plain(d.target_id)}（在最新分析中已调整）"

    def _waiting(self, members: Sequence[int]) -> int:
        return sum(1 for m in members if m in self.notes and m not in self.effective)

    def open_points(self) -> list[OpenPoint]:
        found = []
        for section in self.digest.sections:
            for c in section.clusters:
                waiting = self._waiting(c.members)
                if waiting:
                    title = "其他意见" if c.remainder else plain(c.label)
                    decided = ("cluster", c.id) in self.targets
                    found.append(OpenPoint(section.key, "cluster", c.id, title, waiting, decided))
            for g in section.suggestions:
                waiting = self._waiting(g.comments)
                if waiting:
                    title = plain(suggestion_title(g.operation, g.target, g.proposed))
                    decided = ("suggestion", g.id) in self.targets
                    found.append(
                        OpenPoint(section.key, "suggestion", g.id, title, waiting, decided)
                    )
        return found


@dataclass(frozen=True)
class CountedDecision:
    """One decision as the report counts it: its section, its title, the comments it counts."""

    section: str
    title: str
    members: tuple[int, ...]  # published comments for which it is the effective decision


def counted_decisions(digest: Digest, decisions: Sequence[Decision]) -> list[CountedDecision]:
    """Per decision (in order), what the report counts for it; each comment under one only."""
    resolved = _Resolved(digest, decisions)
    return [
        CountedDecision(resolved.section_of(i), resolved.title_of(i), members)
        for i, members in enumerate(resolved.members)
    ]


def open_points(digest: Digest, decisions: Sequence[Decision]) -> list[OpenPoint]:
    """The points still to decide, in document order (see ``OpenPoint``)."""
    return _Resolved(digest, decisions).open_points()


def build_feedback_report(digest: Digest, decisions: Sequence[Decision]) -> FeedbackReport:
    """The report from a digest and the decisions: every figure of every surface comes from here.

    A decision whose comments were all hidden since is left out; one on a point the digest no
    longer has and without stored members is reported with 0 comments (nothing says which).
    """
    resolved = _Resolved(digest, decisions)
    names = clause_names(digest.sections)

    def cite(key: str) -> str:
        return BUCKET_TITLES.get(key) or names.get(key, key)

    order = {s.key: i for i, s in enumerate(digest.sections)}
    grouped: dict[str, list[FeedbackItem]] = {}
    by_outcome: dict[str, tuple[int, int]] = {}
    for i, d in enumerate(resolved.decisions):
        members = resolved.members[i]
        if resolved.known[i] and not members:
            continue  # every comment behind it was hidden since (or it was overridden)
        outcome = d.outcome if d.outcome in OUTCOMES else "另行研究"
        copies = sum(1 for m in members if resolved.notes[m].campaign)
        item = FeedbackItem(
            d.target_kind, resolved.title_of(i), len(members), copies, outcome, plain(d.reason)
        )
        grouped.setdefault(resolved.section_of(i), []).append(item)
        points, comments = by_outcome.get(outcome, (0, 0))
        by_outcome[outcome] = (points + 1, comments + len(members))
    waiting: dict[str, int] = {}
    for note in resolved.notes.values():
        if note.id not in resolved.effective:
            waiting[note.bucket] = waiting.get(note.bucket, 0) + 1
    open_by: dict[str, int] = {}
    for point in resolved.open_points():
        if not point.decided:  # a decided point counts among the decided, not twice
            open_by[point.section] = open_by.get(point.section, 0) + 1

    def position(key: str) -> tuple[int, str]:
        return order.get(key, len(order)), key

    clauses = tuple(
        FeedbackClause(
            key,
            cite(key),
            tuple(sorted(grouped[key], key=lambda it: (-it.comments, it.label))),
            open_by.get(key, 0),
            waiting.get(key, 0),
        )
        for key in sorted(grouped, key=position)
    )
    pending = tuple(
        FeedbackClause(key, cite(key), (), open_by.get(key, 0), waiting[key])
        for key in sorted(waiting, key=position)
    )
    refusals: list[str] = []
    for clause in clauses:
        for item in clause.items:
            if item.outcome == "不予采纳" and item.reason and item.reason not in refusals:
                refusals.append(item.reason)
    d = digest.draft
    return FeedbackReport(
        title=feedback_title(d.title),
        draft_title=draft_citation(plain(d.title)),
        issuer=plain(d.issuer),
        period=period_text(d.opens, d.deadline),
        comments=digest.totals.comments,
        distinct=digest.totals.distinct,
        by_outcome={o: by_outcome[o] for o in OUTCOMES if o in by_outcome},
        pending_points=sum(open_by.values()),
        pending_comments=sum(waiting.values()),
        clauses=clauses,
        pending=pending,
        refusals=tuple(refusals),
    )
