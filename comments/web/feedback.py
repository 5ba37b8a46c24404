"""The public feedback report (意见采纳情况说明): the last publication, as a page, Markdown and Word.

Nothing here reads the drafters' decisions: every surface renders the ``FeedbackReport`` kept by
the newest publication (``comments.feedback.published``), and answers "尚未发布意见采纳情况"
(404) before the first one.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from analysis import GENERAL_KEY, UNKNOWN_KEY, render_feedback_docx, render_feedback_markdown
from comments import feedback, messages, storage, views
from comments.storage.models import DECISION_OUTCOMES, Draft
from comments.web.common import state_of
from comments.web.public import render

MARKDOWN = "text/markdown; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _published(request: Request) -> dict[str, Any]:
    """The public draft and its newest publication (404 for a draft the public cannot see, and
    the clear "not yet published" answer before the first publication)."""
    with state_of(request).session() as session:
        draft: Draft | None = storage.draft_by_slug(session, request.path_params["slug"])
        if draft is None or draft.id is None or draft.status == "unpublished":
            raise messages.draft_not_found()
        found = feedback.published(session, draft.id)
    if found is None:
        raise messages.no_feedback()
    publication, report = found
    return {"draft": draft, "publication": publication, "report": report}


async def feedback_page(request: Request) -> Response:
    data = await run_in_threadpool(_published, request)
    tz = state_of(request).settings.timezone
    published_at = views.local_time(data["publication"].published_at, tz)
    return render(
        request,
        "feedback.html",
        outcomes=DECISION_OUTCOMES,
        buckets=(GENERAL_KEY, UNKNOWN_KEY),
        published_at=published_at,
        **data,
    )


async def feedback_markdown_page(request: Request) -> Response:
    data = await run_in_threadpool(_published, request)
    return Response(render_feedback_markdown(data["report"]), media_type=MARKDOWN)


async def feedback_docx_page(request: Request) -> Response:
    def build() -> tuple[str, bytes]:
        data = _published(request)
        return data["draft"].slug, render_feedback_docx(data["report"])

    slug, content = await run_in_threadpool(build)
    return Response(
        content,
        media_type=DOCX,
        headers={"content-disposition": f'attachment; filename="{slug}-feedback.docx"'},
    )


routes = [
    Route("/drafts/{slug}/feedback", feedback_page),
    Route("/drafts/{slug}/feedback.md", feedback_markdown_page),
    Route("/drafts/{slug}/feedback.docx", feedback_docx_page),
]
