"""Exports for drafters, and the public feedback report (意见采纳情况) on the draft."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from analysis import render_feedback_markdown
from comments import exports, messages, storage
from comments.auth import require_admin
from comments.errors import InputError
from comments.storage import decisions, review
from comments.storage.models import Draft
from comments.web.common import state_of
from comments.web.drafter_common import (
    Caller,
    digest_or_progress,
    guarded_draft,
    protected,
    render,
)
from comments.web.public import render as public_render

EXPORTS = {
    "digest.md": "意见汇总分析（Markdown，供起草单位内部使用）",
    "feedback.md": "意见采纳情况（Markdown，可公开，不含个人信息）",
    "comments.csv": "全部意见（CSV，含姓名、联系方式等个人信息，仅供内部使用）",
    "comments.json": "全部意见（JSON，含个人信息，仅供内部使用）",
    "public-comments.csv": "已公开意见（CSV，个人信息已遮盖，可公开）",
    "public-comments.json": "已公开意见（JSON，个人信息已遮盖，可公开）",
    "audit.csv": "本草案的操作记录（CSV）",
}
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


@protected
async def exports_page(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    return render(request, "drafter/exports.html", caller=caller, draft=draft, exports=EXPORTS)


@protected
async def export_file(request: Request, caller: Caller) -> Response:
    draft = await guarded_draft(request, caller)
    name = request.path_params["name"]
    if name not in EXPORTS:
        raise InputError("unknown_export", "没有这种导出格式。", status=404)
    if name == "audit.csv" and caller.drafter.role != "admin":
        require_admin(caller.drafter)
    if name in ("digest.md", "feedback.md"):
        # A long analysis shows its progress page (which reloads into the download).
        _result, progress = await digest_or_progress(request, caller, draft)
        if progress is not None:
            return progress
    state = state_of(request)
    text = await run_in_threadpool(
        exports.export_text,
        state.engine,
        state.digests,
        draft,
        name,
        tz=state.settings.timezone,
    )
    filename = f"{draft.slug}-{name}"
    return Response(
        text,
        media_type=MEDIA[name.rsplit(".", 1)[1]],
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


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
    return public_render(request, "drafter/feedback.html", **data)


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
    return Response(text, media_type=MEDIA["md"])


routes = [
    Route("/drafter/drafts/{slug}/exports", exports_page),
    Route("/drafter/drafts/{slug}/export/{name}", export_file),
    Route("/drafts/{slug}/feedback", feedback_page),
    Route("/drafts/{slug}/feedback.md", feedback_markdown_page),
]
