"""The public feedback report (意见采纳情况): what became of the comments, as a page and Markdown."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from analysis import render_feedback_markdown
from comments import messages, storage
from comments.errors import InputError
from comments.storage import decisions, review
from comments.storage.models import Draft
from comments.web.common import state_of
from comments.web.public import render

MARKDOWN = "text/markdown; charset=utf-8"


def _public_draft(request: Request) -> Draft:
    with state_of(request).session() as session:
        draft = storage.draft_by_slug(session, request.path_params["slug"])
    if draft is None or draft.status == "unpublished":
        raise messages.draft_not_found()
    return draft


async def feedback_page(request: Request) -> Response:
    """The public feedback report; 404 until the drafters have recorded a decision."""

    def load() -> dict[str, Any]:
        draft = _public_draft(request)
        assert draft.id is not None
        with state_of(request).session() as session:
            report = decisions.feedback_report(session, draft.id)
        return {"draft": draft, "report": report}

    data = await run_in_threadpool(load)
    if data["report"].empty:
        raise InputError("no_feedback", "起草单位尚未公布这份草案的意见采纳情况。", status=404)
    return render(request, "drafter/feedback.html", **data)


async def feedback_markdown_page(request: Request) -> Response:
    def load() -> str | None:
        draft = _public_draft(request)
        assert draft.id is not None
        state = state_of(request)
        with state.session() as session:
            stored = review.decisions_of(session, draft.id)
            members = decisions.published_members(session, draft.id)
        if not stored:
            return None
        # Anyone may ask for this page: it uses the digest the process already has, even if
        # comments arrived since (the decisions are what it reports), and computes one only
        # when there is none yet, so visitors cannot make the server re-analyse at will.
        result = state.digests.latest(draft.id) or state.digests.get(draft)
        return render_feedback_markdown(result.digest, decisions.for_analysis(stored, members))

    text = await run_in_threadpool(load)
    if text is None:
        raise InputError("no_feedback", "起草单位尚未公布这份草案的意见采纳情况。", status=404)
    return Response(text, media_type=MARKDOWN)


routes = [
    Route("/drafts/{slug}/feedback", feedback_page),
    Route("/drafts/{slug}/feedback.md", feedback_markdown_page),
]
