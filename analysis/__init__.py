"""Pure analysis of public comments on a draft: stance, campaigns, clusters, suggestions, digest.

Never imports ``comments`` (the service), a web framework or a database driver.

>>> from analysis import DraftInfo, ClauseInput, CommentInput, build_digest
>>> digest = build_digest(DraftInfo("x", "办法"), [ClauseInput("1", "article", "第一条", "", "正文")],
...                       [CommentInput(1, "1", "建议将“正文”改为“全文”。")])
>>> digest.totals.comments, digest.sections[1].suggestions[0].operation
(1, 'replace')
"""

from analysis.citation import clause_names
from analysis.corrections import CORRECTABLE_FLAGS
from analysis.digest import DigestCache, build_digest
from analysis.feedback import (
    CountedDecision,
    FeedbackClause,
    FeedbackItem,
    FeedbackReport,
    OpenPoint,
    build_feedback_report,
    counted_decisions,
    open_points,
    suggestion_title,
)
from analysis.flags import flags as comment_flags
from analysis.flags import hold_reason, mask_pii
from analysis.labels import lead
from analysis.markdown import (
    FLAG_NAMES,
    POLARITY_NAMES,
    STANCE_NAMES,
    render_digest_markdown,
    render_feedback_markdown,
)
from analysis.models import (
    GENERAL_KEY,
    POLARITIES,
    STANCES,
    UNKNOWN_KEY,
    Addition,
    Campaign,
    ClauseInput,
    Cluster,
    CommentCorrection,
    CommentInput,
    CommentNote,
    Corrections,
    Decision,
    Digest,
    DraftInfo,
    PointInput,
    Ranking,
    Section,
    Suggestion,
    Tally,
)
from analysis.titles import feedback_title
from analysis.word import render_feedback_docx
from analysis.workers import Workers

__all__ = [
    "CORRECTABLE_FLAGS",
    "FLAG_NAMES",
    "POLARITIES",
    "GENERAL_KEY",
    "STANCES",
    "POLARITY_NAMES",
    "STANCE_NAMES",
    "UNKNOWN_KEY",
    "Addition",
    "Campaign",
    "ClauseInput",
    "Cluster",
    "CommentCorrection",
    "CommentInput",
    "CommentNote",
    "Corrections",
    "CountedDecision",
    "Decision",
    "Digest",
    "DigestCache",
    "DraftInfo",
    "PointInput",
    "FeedbackClause",
    "FeedbackItem",
    "FeedbackReport",
    "OpenPoint",
    "Ranking",
    "Section",
    "Suggestion",
    "Tally",
    "Workers",
    "build_digest",
    "build_feedback_report",
    "clause_names",
    "comment_flags",
    "counted_decisions",
    "feedback_title",
    "hold_reason",
    "lead",
    "mask_pii",
    "open_points",
    "render_digest_markdown",
    "render_feedback_docx",
    "render_feedback_markdown",
    "suggestion_title",
]
