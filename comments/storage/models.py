"""SQLModel tables, in one module so that nothing imports in a cycle.

Times are aware UTC datetimes (SQLModel stores them as UTC, also on SQLite); dates (deadlines) are
calendar dates in the service's time zone (``COMMENTS_TIMEZONE``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


SUBMITTER_TYPES = ("个人", "企业", "行业协会", "社会组织", "政府部门", "其他")
DRAFTER_ROLES = ("drafter", "admin")


class Meta(SQLModel, table=True):
    """Key/value facts about the installation (the generated secret key, for one)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Draft(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    issuer: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    contact: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    organisation: str = Field(default="", max_length=200)
    opens_on: date | None = None
    deadline: date | None = None
    # "open": taking comments until the deadline; "closed": closed early by a drafter;
    # "unpublished": imported, not yet visible to the public.
    status: str = Field(default="open", max_length=16)
    is_example: bool = False
    source_name: str = Field(default="", max_length=255)
    source_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class Clause(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("draft_id", "key", name="uq_clause_draft_key"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    key: str = Field(max_length=255)
    parent_key: str | None = Field(default=None, max_length=255)
    position: int
    depth: int = 0
    kind: str = Field(max_length=32)
    label: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    number: int | None = None
    heading: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    rows_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Comment(SQLModel, table=True):
    __table_args__ = (
        Index("ix_comment_draft_clause", "draft_id", "clause_key"),
        Index("ux_comment_draft_idempotency_key", "draft_id", "idempotency_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    # None: a comment on the whole draft (总体意见).
    clause_key: str | None = Field(default=None, max_length=255)
    receipt: str = Field(max_length=16, unique=True, index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    submitter_type: str = Field(default="个人", max_length=16)
    name: str = Field(default="", max_length=100)
    contact: str = Field(default="", max_length=200)
    region: str = Field(default="", max_length=100)
    show_name: bool = False
    status: str = Field(default="published", max_length=16)
    client_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    # Chosen by the client (the form sends one): a retry with the same key, text and other fields
    # gets the first receipt instead of storing the comment twice.
    idempotency_key: str | None = Field(default=None, max_length=64)
    # web | email | letter | spreadsheet; an imported comment keeps the message it came in.
    channel: str = Field(default="web", max_length=16, sa_column_kwargs={"server_default": "web"})
    message_id: int | None = Field(default=None, index=True)
    # How sure the clause is, for a comment whose clause was inferred (None: chosen by the sender).
    clause_confidence: float | None = None
    # A clause the inference proposes but nobody confirmed (the comment waits in 待确认条款).
    proposed_clause: str | None = Field(default=None, max_length=255)


class Drafter(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    organisation: str = Field(default="", max_length=200)
    role: str = Field(default="drafter", max_length=16)  # drafter | admin
    password_hash: str = Field(max_length=255)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # Disabled accounts keep their audit history but can neither log in nor use their token.
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=255)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


DECISION_OUTCOMES = ("采纳", "部分采纳", "不予采纳", "另行研究")
DECISION_KINDS = ("cluster", "suggestion", "comment")


class Decision(SQLModel, table=True):
    """An adoption decision on a cluster, a suggestion or one comment (意见采纳情况)."""

    __table_args__ = (
        UniqueConstraint("draft_id", "target_kind", "target_id", name="uq_decision_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    target_kind: str = Field(max_length=16)  # cluster | suggestion | comment
    target_id: str = Field(max_length=64)
    clause_key: str | None = Field(default=None, max_length=255)
    # What the drafter decided on, as shown then (a cluster's label, a suggestion's wording).
    label: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    outcome: str = Field(max_length=16)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    decided_by: str = Field(max_length=100)
    decided_at: datetime = Field(default_factory=utcnow)


class DecisionMember(SQLModel, table=True):
    """The comments a decision covered when it was taken (a cluster's members at that moment)."""

    decision_id: int = Field(
        sa_column=Column(Integer, ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True)
    )
    comment_id: int = Field(foreign_key="comment.id", primary_key=True, index=True)


class FeedbackPublication(SQLModel, table=True):
    """One publication of the feedback report (发布采纳情况): decisions stay internal until then.

    Kept for good, one row per publication: who published, when, the report as published
    (``report_json``, ``FeedbackReport.to_dict``) and the decisions it applied to comments
    (``decisions_json``; which comment got which one is in ``FeedbackPublicationMember``).
    """

    __table_args__ = (UniqueConstraint("draft_id", "number", name="uq_publication_number"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    number: int  # 1 for the draft's first publication, then 2, 3, ...
    published_by: str = Field(max_length=100)
    published_at: datetime = Field(default_factory=utcnow)
    comments: int = 0  # the report's 收到意见
    decided: int = 0  # of them, comments with a published decision
    points: int = 0  # decided points
    report_json: str = Field(sa_column=Column(Text, nullable=False))
    decisions_json: str = Field(sa_column=Column(Text, nullable=False))


class FeedbackPublicationMember(SQLModel, table=True):
    """A comment's decision as published: ``entry`` indexes the publication's decisions."""

    publication_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feedbackpublication.id", ondelete="CASCADE"), primary_key=True
        )
    )
    comment_id: int = Field(foreign_key="comment.id", primary_key=True, index=True)
    entry: int


class LoginThrottle(SQLModel, table=True):
    """Failed logins per account name, in the database so every process sees the lock-out."""

    name: str = Field(primary_key=True, max_length=100)
    failures: int = 0
    locked_until: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class EndedSession(SQLModel, table=True):
    """A drafter session ended by logging out: its cookie is refused until it would expire."""

    sid: str = Field(primary_key=True, max_length=32)
    expires_at: datetime = Field(index=True)


CORRECTION_FIELDS = ("stance", "polarity", "flags", "clause", "point", "label", "reviewed", "merge")


class Correction(SQLModel, table=True):
    """One field a person set on a comment or a point; append-only, the latest per field wins.

    ``value`` and ``previous`` are JSON (the analysis' value before, for the audit trail).
    """

    __table_args__ = (Index("ix_correction_target", "draft_id", "target_kind", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    target_kind: str = Field(max_length=16)  # comment | point
    target_id: str = Field(max_length=255)
    field: str = Field(max_length=16)
    value: str = Field(sa_column=Column(Text, nullable=False))
    previous: str = Field(default="null", sa_column=Column(Text, nullable=False, default="null"))
    actor: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class Point(SQLModel, table=True):
    """A point a person fixed (renamed, merged, split, reviewed, or moved a comment into).

    ``key`` is the cluster id it had when fixed (so decisions on it still apply), or
    ``"{bucket}:p{id}"`` for a point a person started. Its members are ``PointMember`` rows.
    """

    __table_args__ = (UniqueConstraint("draft_id", "key", name="uq_point_draft_key"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    key: str = Field(max_length=255)
    bucket: str = Field(max_length=255)
    label: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewed: bool = False
    merged_into: str | None = Field(default=None, max_length=255)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class PointMember(SQLModel, table=True):
    """A comment confirmed in a fixed point: at most one point per comment."""

    comment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    )
    point_id: int = Field(
        sa_column=Column(Integer, ForeignKey("point.id", ondelete="CASCADE"), index=True)
    )


CHANNELS = ("web", "email", "letter", "spreadsheet")


class InboundMessage(SQLModel, table=True):
    """A message received outside the web form, kept whole; its comments point at it."""

    __table_args__ = (
        UniqueConstraint("draft_id", "source", name="uq_inboundmessage_draft_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    channel: str = Field(max_length=16)
    source: str = Field(max_length=255)  # Message-ID, or file and row
    sender: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=200)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text: str = Field(sa_column=Column(Text, nullable=False))
    received_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ReplySend(SQLModel, table=True):
    """One submit of "send the reply": the form's one-time token, claimed before the e-mail
    goes, so that a second submit of the same form (a double click) sends nothing."""

    __table_args__ = (UniqueConstraint("message_id", "token", name="uq_replysend_token"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="inboundmessage.id", index=True)
    token: str = Field(max_length=64)
    actor: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None  # None while the e-mail is on its way
