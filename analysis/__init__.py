"""Pure analysis of public comments on a draft: stance, campaigns, clusters, suggestions, digest.

Never imports ``comments`` (the service), a web framework or a database driver.

>>> from analysis import DraftInfo, ClauseInput, CommentInput, build_digest
>>> digest = build_digest(DraftInfo("x", "办法"), [ClauseInput("1", "article", "第一条", "", "正文")],
...                       [CommentInput(1, "1", "建议将“正文”改为“全文”。")])
>>> digest.totals.comments, digest.sections[1].suggestions[0].operation
(1, 'replace')
"""

from analysis.citation import clause_names
from analysis.digest import DigestCache, build_digest
from analysis.flags import flags as comment_flags
from analysis.flags import hold_reason, mask_pii
from analysis.markdown import (
    FLAG_NAMES,
    STANCE_NAMES,
    render_digest_markdown,
    render_feedback_markdown,
)
from analysis.models import (
    GENERAL_KEY,
    STANCES,
    UNKNOWN_KEY,
    Addition,
    Campaign,
    ClauseInput,
    Cluster,
    CommentInput,
    CommentNote,
    Decision,
    Digest,
    DraftInfo,
    Ranking,
    Section,
    Suggestion,
    Tally,
)

__all__ = [
    "FLAG_NAMES",
    "GENERAL_KEY",
    "STANCES",
    "STANCE_NAMES",
    "UNKNOWN_KEY",
    "Addition",
    "Campaign",
    "ClauseInput",
    "Cluster",
    "CommentInput",
    "CommentNote",
    "Decision",
    "Digest",
    "DigestCache",
    "DraftInfo",
    "Ranking",
    "Section",
    "Suggestion",
    "Tally",
    "build_digest",
    "clause_names",
    "comment_flags",
    "hold_reason",
    "mask_pii",
    "render_digest_markdown",
    "render_feedback_markdown",
]
