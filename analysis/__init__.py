"""Pure analysis of public comments on a draft: stance, campaigns, clusters, suggestions, digest.

Never imports ``comments`` (the service), a web framework or a database driver.

>>> from analysis import DraftInfo, ClauseInput, CommentInput, build_digest
>>> digest = build_digest(DraftInfo("x", "办法"), [ClauseInput("1", "article", "第一条", "", "正文")],
...                       [CommentInput(1, "1", "建议将“正文”改为“全文”。")])
>>> digest.totals.comments, digest.sections[1].suggestions[0].operation
(1, 'replace')
"""

from analysis.digest import DigestCache, build_digest
from analysis.markdown import render_digest_markdown, render_feedback_markdown
from analysis.models import (
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
    "render_digest_markdown",
    "render_feedback_markdown",
]
