"""Frozen dataclasses that go into and come out of the analysis: plain data, JSON-ready."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

STANCES: tuple[str, ...] = ("support", "oppose", "suggest", "question", "other")
POLARITIES: tuple[str, ...] = ("pos", "neg", "neu")
SUBMITTER_TYPES: tuple[str, ...] = ("个人", "企业", "行业协会", "社会组织", "政府部门", "其他")
OUTCOMES: tuple[str, ...] = ("采纳", "部分采纳", "不予采纳", "另行研究")

# Bucket keys for comments that do not name a clause of the draft.
GENERAL_KEY = "总体意见"
UNKNOWN_KEY = "未知条款"


@dataclass(frozen=True)
class DraftInfo:
    slug: str
    title: str
    issuer: str = ""
    opens: date | None = None
    deadline: date | None = None
    total_clauses: int = 0


@dataclass(frozen=True)
class ClauseInput:
    key: str
    kind: str
    label: str
    heading: str
    text: str
    parent: str | None = None
    order: int = 0


@dataclass(frozen=True)
class CommentInput:
    id: int
    clause: str | None  # None: 总体意见 on the whole draft
    body: str
    submitter_type: str = "个人"
    region: str = ""
    created_at: datetime | None = None
    client: str = ""  # hashed client id, for flood detection
    hidden: bool = False


@dataclass(frozen=True)
class Decision:
    target_kind: str  # cluster | suggestion | comment
    target_id: str
    outcome: str  # 采纳 | 部分采纳 | 不予采纳 | 另行研究
    reason: str = ""
    clause: str | None = None
    label: str = ""  # the point as the drafter saw it (used when the digest has moved on)
    # The comments the decision covers, when the caller keeps them (the service passes those
    # still published): the report then counts these, as the public feedback page does.
    members: tuple[int, ...] | None = None


@dataclass(frozen=True)
class CommentCorrection:
    """What a person set on one comment; ``None``: left to the analysis."""

    id: int
    stance: str | None = None
    polarity: str | None = None
    flags: tuple[str, ...] | None = None  # the whole set (spam, abuse, offtopic, pii)
    clause: str | None = None  # "" files it under the whole draft
    point: str | None = None  # a point id; "" keeps it out of every point


@dataclass(frozen=True)
class PointInput:
    """A point a person fixed: its label and members are theirs."""

    id: str
    bucket: str
    label: str
    members: tuple[int, ...]
    reviewed: bool = False


@dataclass(frozen=True)
class Corrections:
    """Everything the drafters corrected on one draft, for ``build_digest``."""

    comments: tuple[CommentCorrection, ...] = ()
    points: tuple[PointInput, ...] = ()

    def fingerprint(self) -> bytes:
        import hashlib

        return hashlib.blake2b(repr(self).encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True)
class CommentNote:
    """What the analysis found about one comment; every figure is a count of these."""

    id: int
    clause: str | None  # as submitted (None: the whole draft)
    bucket: str  # the digest section the comment is counted in
    stance: str
    polarity: str
    cluster: str | None
    campaign: str | None
    flags: tuple[str, ...]
    submitter_type: str
    hidden: bool = False
    # A person set one of its fields (``Corrections``); the values above are then theirs.
    reviewed: bool = False
    # Where the stance comes from: "model", "person", or "neighbour" (a corrected comment of
    # the same campaign, or one nearly the same, on the same clause).
    stance_source: str = "model"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reviewed": self.reviewed,
            "stance_source": self.stance_source,
            "clause": self.clause,
            "bucket": self.bucket,
            "stance": self.stance,
            "polarity": self.polarity,
            "cluster": self.cluster,
            "campaign": self.campaign,
            "flags": list(self.flags),
            "submitter_type": self.submitter_type,
            "hidden": self.hidden,
        }


@dataclass(frozen=True)
class Addition:
    """A sentence that one copy of a campaign added to the form letter."""

    comment: int
    text: str


@dataclass(frozen=True)
class Campaign:
    id: str
    bucket: str
    representative: int  # comment id of the form letter as most often sent
    text: str
    members: tuple[int, ...]
    additions: tuple[Addition, ...] = ()
    flood: bool = False  # one client sending the same text again and again

    @property
    def size(self) -> int:
        return len(self.members)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bucket": self.bucket,
            "representative": self.representative,
            "text": self.text,
            "size": self.size,
            "members": list(self.members),
            "additions": [{"comment": a.comment, "text": a.text} for a in self.additions],
            "flood": self.flood,
        }


@dataclass(frozen=True)
class Cluster:
    id: str
    bucket: str
    label: str  # a clause of a member stating the point; "其他" for the remainder
    keywords: tuple[str, ...]  # kept for callers; no longer filled
    representative: int | None
    quote: str
    members: tuple[int, ...]  # every comment id, copies of campaigns included
    distinct: int  # members after collapsing each campaign to one
    campaigns: tuple[str, ...]
    stance: dict[str, int]
    remainder: bool = False
    # A person fixed this point (renamed, merged, split, moved a comment, marked it reviewed):
    # its label and confirmed members are theirs and survive re-analysis.
    confirmed: bool = False
    reviewed: bool = False  # marked "已审阅" by a person
    proposed: tuple[int, ...] = ()  # members the analysis added since, awaiting a person

    @property
    def size(self) -> int:
        return len(self.members)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bucket": self.bucket,
            "label": self.label,
            "confirmed": self.confirmed,
            "reviewed": self.reviewed,
            "proposed": list(self.proposed),
            "keywords": list(self.keywords),
            "representative": self.representative,
            "quote": self.quote,
            "size": self.size,
            "distinct": self.distinct,
            "members": list(self.members),
            "campaigns": list(self.campaigns),
            "stance": dict(self.stance),
            "remainder": self.remainder,
        }


@dataclass(frozen=True)
class Suggestion:
    id: str
    bucket: str
    operation: str  # replace | delete | insert
    target: str  # text to change (for insert: the anchor after which to add, may be "")
    proposed: str  # new text ("" for delete)
    in_clause: bool  # target found in the clause text (True for an insert without anchor)
    comments: tuple[int, ...]
    before: str = ""  # the clause words around the target, as they stand ("" if not found)
    after: str = ""  # the same words with the change made

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bucket": self.bucket,
            "operation": self.operation,
            "target": self.target,
            "proposed": self.proposed,
            "in_clause": self.in_clause,
            "comments": list(self.comments),
            "size": len(self.comments),
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Tally:
    """Counts over a set of comments; hidden comments are counted apart and nowhere else."""

    comments: int = 0
    distinct: int = 0  # after collapsing each campaign to one
    hidden: int = 0
    campaigns: int = 0
    in_campaigns: int = 0
    submitters: dict[str, int] = field(default_factory=dict)
    stance: dict[str, int] = field(default_factory=dict)
    polarity: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "comments": self.comments,
            "distinct": self.distinct,
            "hidden": self.hidden,
            "campaigns": self.campaigns,
            "in_campaigns": self.in_campaigns,
            "submitters": dict(self.submitters),
            "stance": dict(self.stance),
            "polarity": dict(self.polarity),
            "flags": dict(self.flags),
        }


@dataclass(frozen=True)
class Section:
    """The digest of one clause, of the whole-draft comments, or of unknown clause keys."""

    key: str
    kind: str
    label: str
    heading: str
    excerpt: str
    parent: str | None
    order: int
    tally: Tally  # comments on this clause itself
    rollup: Tally  # this clause and every clause below it
    clusters: tuple[Cluster, ...]
    campaigns: tuple[Campaign, ...]
    suggestions: tuple[Suggestion, ...]
    flagged: dict[str, tuple[int, ...]]  # flag -> comment ids

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "heading": self.heading,
            "excerpt": self.excerpt,
            "parent": self.parent,
            "order": self.order,
            "tally": self.tally.to_dict(),
            "rollup": self.rollup.to_dict(),
            "clusters": [c.to_dict() for c in self.clusters],
            "campaigns": [c.to_dict() for c in self.campaigns],
            "suggestions": [s.to_dict() for s in self.suggestions],
            "flagged": {k: list(v) for k, v in self.flagged.items()},
        }


@dataclass(frozen=True)
class Ranking:
    most_discussed: tuple[str, ...]  # section keys, by comments (then distinct ones)
    most_opposed: tuple[str, ...]  # section keys, by share of oppose among distinct
    uncommented: tuple[str, ...]  # clause keys with no comment on them or below them

    def to_dict(self) -> dict[str, Any]:
        return {
            "most_discussed": list(self.most_discussed),
            "most_opposed": list(self.most_opposed),
            "uncommented": list(self.uncommented),
        }


@dataclass(frozen=True)
class Digest:
    draft: DraftInfo
    totals: Tally
    sections: tuple[Section, ...]  # 总体意见 first, then clauses in order, 未知条款 last if any
    ranking: Ranking
    comments: tuple[CommentNote, ...]

    def section(self, key: str) -> Section | None:
        for section in self.sections:
            if section.key == key:
                return section
        return None

    def to_dict(self) -> dict[str, Any]:
        d = self.draft
        return {
            "draft": {
                "slug": d.slug,
                "title": d.title,
                "issuer": d.issuer,
                "opens": d.opens.isoformat() if d.opens else None,
                "deadline": d.deadline.isoformat() if d.deadline else None,
                "total_clauses": d.total_clauses,
            },
            "totals": self.totals.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "ranking": self.ranking.to_dict(),
            "comments": [c.to_dict() for c in self.comments],
        }
