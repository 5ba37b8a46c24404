"""JSON API under /api/ (documented in /api/openapi.json and the README)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from comments import store, views
from comments.errors import InputError
from comments.intake import normalise_receipt
from comments.openapi import OPENAPI
from comments.web import common as web
from comments.web.drafter_common import Caller, fresh_digest, load_draft, protected
from comments.web.intake_asgi import post_comment


async def list_drafts(request: Request) -> Response:
    state = web.state_of(request)
    today = store.today_in(state.settings.timezone)

    def load() -> list[dict[str, Any]]:
        with state.session() as session:
            return [
                views.draft_summary(s.draft, s.comments, today) for s in store.list_drafts(session)
            ]

    return JSONResponse({"drafts": await run_in_threadpool(load)})


async def get_draft(request: Request) -> Response:
    state = web.state_of(request)
    slug = request.path_params["slug"]
    today = store.today_in(state.settings.timezone)

    def load() -> dict[str, Any] | None:
        with state.session() as session:
            draft = store.draft_by_slug(session, slug)
            if draft is None or draft.id is None or draft.status == "unpublished":
                return None
            counts = store.comment_counts(session, draft.id)
            clauses = store.clauses_of(session, draft.id)
            data = views.draft_summary(draft, sum(counts.values()), today)
            data["whole_draft_comments"] = counts.get(None, 0)
            data["nodes"] = views.node_dicts(clauses, counts)
            return data

    data = await run_in_threadpool(load)
    if data is None:
        raise InputError("not_found", f"没有找到草案 {slug[:80]!r}。", status=404)
    return JSONResponse(data)


async def get_receipt(request: Request) -> Response:
    state = web.state_of(request)
    receipt = normalise_receipt(request.path_params["receipt"])
    if receipt is None:
        raise InputError(
            "bad_receipt",
            "回执编号格式不正确，应为 12 位字母数字，如 7K3QFM-9X2AB4（较早的回执为 10 位）。",
        )

    def load() -> dict[str, Any] | None:
        with state.session() as session:
            found = store.comment_by_receipt(session, receipt)
            return views.receipt_dict(*found) if found else None

    data = await run_in_threadpool(load)
    if data is None:
        raise InputError("not_found", f"没有找到回执 {receipt}。", status=404)
    return JSONResponse(data)


def _digest_for(request: Request, caller: Caller) -> Any:
    """The fresh digest of the draft in the path, if the caller may read it (run in a thread)."""
    return fresh_digest(request, load_draft(request, caller))


@protected
async def get_digest(request: Request, caller: Caller) -> Response:
    digest = await run_in_threadpool(_digest_for, request, caller)
    return JSONResponse(digest.to_dict())


@protected
async def get_digest_markdown(request: Request, caller: Caller) -> Response:
    from analysis import render_digest_markdown

    digest = await run_in_threadpool(_digest_for, request, caller)
    text = await run_in_threadpool(render_digest_markdown, digest)
    return Response(text, media_type="text/markdown; charset=utf-8")


async def openapi(request: Request) -> Response:
    return JSONResponse(OPENAPI)


routes = [
    Route("/api/openapi.json", openapi),
    Route("/api/drafts", list_drafts),
    Route("/api/drafts/{slug}", get_draft),
    # Served ahead of the router by CommentsApp; routed here too, with the same function.
    Route("/api/drafts/{slug}/comments", post_comment, methods=["POST"]),
    Route("/api/receipts/{receipt}", get_receipt),
    Route("/api/drafts/{slug}/digest", get_digest),
    Route("/api/drafts/{slug}/digest.md", get_digest_markdown),
]
